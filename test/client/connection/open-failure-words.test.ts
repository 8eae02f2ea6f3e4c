// A socket that closed before it opened: the client says why in the words of what it runs on. In Node
// ws names every failure (a reset, a bad Sec-WebSocket-Accept), so "the browser does not say why"
// there would be false; a WebSocket that says nothing in Node (a WHATWG-style one whose error events
// are bare, as a browser's are) gets a sentence saying that, not the browser's. The browser's own
// sentence is checked in Chromium (test/browser/sdk-clock.test.ts). Real loopback servers throughout.
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket as WsWebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type SocketCloseEvent, type SocketErrorEvent, type SocketHandler, type SocketMessageEvent, type WebSocketLike } from "../../../src/index.js";
import { BROWSER_SAYS_NOTHING, unexplainedOpenFailure } from "../../../src/transport/refused-upgrade.js";
import { closedPort } from "../../support/ports.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

/** A WHATWG-style socket over ws whose error events are bare (`{type: "error"}`), as a browser's are. */
class SilentErrorsSocket implements WebSocketLike {
  readonly #ws: WsWebSocket;
  onopen: SocketHandler<{ type: string }> | null = null;
  onmessage: SocketHandler<SocketMessageEvent> | null = null;
  onclose: SocketHandler<SocketCloseEvent> | null = null;
  onerror: SocketHandler<SocketErrorEvent> | null = null;
  constructor(url: string) {
    this.#ws = new WsWebSocket(url);
    this.#ws.onopen = () => this.onopen?.({ type: "open" });
    this.#ws.onmessage = (e) => this.onmessage?.({ data: e.data });
    this.#ws.onerror = () => this.onerror?.({ type: "error" });
    this.#ws.onclose = (e) => this.onclose?.({ code: e.code, reason: e.reason });
  }
  get readyState(): number {
    return this.#ws.readyState;
  }
  send(data: string): void {
    this.#ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}

async function openFailure(url: string, WebSocket?: new (url: string) => WebSocketLike): Promise<string> {
  const client = createPresenceClient({ url, client: info, reconnect: false, ...(WebSocket ? { WebSocket } : {}) });
  try {
    return await client.connect().then(
      () => "connected",
      (error: Error) => error.message,
    );
  } finally {
    await client.close();
  }
}

describe("a socket that closed before it opened, in Node", () => {
  const servers: Server[] = [];
  const upgraded: Duplex[] = [];
  afterEach(async () => {
    for (const socket of upgraded.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });
  const listen = async (server: Server): Promise<string> => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it("ws's error is named: a reset connection, a bad Sec-WebSocket-Accept; never the browser's sentence", async () => {
    const reset = await listen(createServer((socket) => socket.destroy()));
    expect(await openFailure(reset)).toBe(`cannot open ${reset}: ECONNRESET`);
    const http = createHttpServer();
    http.on("upgrade", (_request, socket) => {
      upgraded.push(socket);
      socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n");
    });
    const badAccept = await listen(http);
    expect(await openFailure(badAccept)).toBe(`cannot open ${badAccept}: Invalid Sec-WebSocket-Accept header`);
  });

  it("a WebSocket whose error events say nothing: the message says so, and does not blame a browser", async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    const message = await openFailure(url, SilentErrorsSocket);
    expect(message).toBe(
      `cannot open ${url}: closed (1006) before it opened, and the WebSocket gave no error saying why (ws, the client's default in Node, ` +
        "names the failure: ECONNREFUSED, Unexpected server response: 403): the gateway may be down or unreachable, or it refused the upgrade",
    );
    expect(message).not.toContain("browser");
    // The same port through ws itself names it.
    expect(await openFailure(url)).toBe(`cannot open ${url}: ECONNREFUSED`);
  });

  it("the wording chosen for each runtime: an error without words is named, a browser gets its sentence", () => {
    expect(unexplainedOpenFailure(1006, new AggregateError([]), true)).toBe(
      "closed (1006) before it opened; the WebSocket's error, AggregateError, had no code and no message: the gateway may be down or unreachable, or it refused the upgrade",
    );
    expect(unexplainedOpenFailure(1006, undefined, false)).toBe(`closed (1006) ${BROWSER_SAYS_NOTHING}`);
    expect(BROWSER_SAYS_NOTHING).toMatch(/^before it opened; the browser does not say why: /);
  });
});
