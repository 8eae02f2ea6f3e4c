// The socket the SDK drives (WebSocketLike, and a binding check's CheckSocket) has typed handlers, not
// `any`: ws's WebSocket and the browser's (the DOM lib's) both fit, which tsc checks (npm test runs
// tsc over test/ first), and a handler reads only what both kinds of event carry. The runtime part
// drives a real ws socket through the type against a real server on loopback.
import { describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket, WebSocketServer } from "ws";
import IsomorphicWebSocket from "isomorphic-ws";
import type { CheckSocket, SocketCloseEvent, SocketErrorEvent, WebSocketConstructor, WebSocketLike } from "../../src/index.js";
import type { BindingCheckContext } from "../../src/transport/binding.js";
import { closedPort } from "../support/ports.js";

/** Compile-time only: never called. */
export function compileTimeChecks(ws: WsWebSocket, browser: globalThis.WebSocket): void {
  // Both sockets are WebSocketLike and CheckSocket; ws's class (and isomorphic-ws, the client's
  // default) is a WebSocketConstructor with no cast.
  const fromWs: WebSocketLike = ws;
  const fromBrowser: WebSocketLike = browser;
  const checkedWs: CheckSocket = ws;
  const checkedBrowser: CheckSocket = browser;
  const ctor: WebSocketConstructor = WsWebSocket;
  const byDefault: WebSocketConstructor = IsomorphicWebSocket;
  const browserCtor: WebSocketConstructor = globalThis.WebSocket;
  const checkCtor: BindingCheckContext["WebSocket"] = WsWebSocket;
  const browserCheckCtor: BindingCheckContext["WebSocket"] = globalThis.WebSocket;
  void [fromWs, fromBrowser, checkedWs, checkedBrowser, ctor, byDefault, browserCtor, checkCtor, browserCheckCtor];

  // The handlers' events are typed: what both kinds carry reads, anything else does not compile.
  fromBrowser.onclose = (event) => {
    const code: number = event.code;
    const reason: string = event.reason;
    // @ts-expect-error wasClean is not read by the SDK (a handler's event is not `any`)
    void event.wasClean;
    void [code, reason];
  };
  fromBrowser.onmessage = (event) => {
    // @ts-expect-error data is unknown: a text frame is a string, but the SDK checks
    const text: string = event.data;
    void text;
  };
  fromWs.onerror = (event) => {
    const message: string | undefined = event.message;
    // @ts-expect-error the error behind it is unknown (a browser gives none)
    const code: string = event.error.code;
    void [message, code];
  };
}

describe("WebSocketLike over ws, against a real server", () => {
  it("message, close and error events carry the fields the types name", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    wss.on("connection", (peer) => {
      peer.send("hello");
      peer.on("message", () => peer.close(4001, "bye"));
    });
    const { port } = wss.address() as { port: number };
    try {
      const socket: WebSocketLike = new WsWebSocket(`ws://127.0.0.1:${port}`);
      const seen: string[] = [];
      const closed = new Promise<SocketCloseEvent>((resolve) => (socket.onclose = resolve));
      socket.onmessage = (event) => {
        seen.push(typeof event.data === "string" ? event.data : `not a string: ${typeof event.data}`);
        socket.send("ok");
      };
      const close = await closed;
      expect(seen).toEqual(["hello"]);
      expect([close.code, close.reason]).toEqual([4001, "bye"]);

      const refused: WebSocketLike = new WsWebSocket(`ws://127.0.0.1:${await closedPort()}`);
      const error = await new Promise<SocketErrorEvent>((resolve) => (refused.onerror = resolve));
      expect(error.type).toBe("error");
      expect(error.message).toMatch(/ECONNREFUSED/);
      expect((error.error as { code?: unknown }).code).toBe("ECONNREFUSED");
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});
