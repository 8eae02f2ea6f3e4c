/**
 * Raw sockets for the hostile-input tests (scripts/hardening/wire.ts, shared with `npm run hostile`),
 * and a gateway with both bindings closed after each test.
 */
import { connect } from "node:net";
import { afterEach } from "vitest";
import { createGateway, type Gateway, type GatewayOptions } from "../../../src/server/index.js";
import { BINDINGS, type Wire } from "../../../scripts/hardening/wire.js";

export { BINDINGS, connectParamsOf, requestFrame, urlOf, Wire } from "../../../scripts/hardening/wire.js";

/** A gateway with one listener per binding on 127.0.0.1, free ports. */
export function startBoth(options: Omit<GatewayOptions, "host" | "port" | "binding" | "listeners"> = {}): Promise<Gateway> {
  return createGateway({ ...options, listeners: BINDINGS.map((binding) => ({ binding, host: "127.0.0.1", port: 0 })) });
}

/**
 * The gateways and sockets of a test file, closed after each test (call once at the file's top
 * level): `start` is startBoth, `keep` registers a socket.
 */
export function closedAfterEach(): { start: typeof startBoth; keep: (wire: Wire) => Wire } {
  const gateways: Gateway[] = [];
  const wires: Wire[] = [];
  afterEach(async () => {
    for (const w of wires.splice(0)) w.terminate();
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });
  return {
    start: async (options) => {
      const gw = await startBoth(options);
      gateways.push(gw);
      return gw;
    },
    keep: (wire) => (wires.push(wire), wire),
  };
}


/**
 * The gateway's answer to a raw WebSocket upgrade sent from `localAddress` (a 127.0.0.x address):
 * the whole response when the gateway closes the socket after it (a refusal), or only its head when
 * it switches protocols (101; the socket is then closed by this side). `request` adds to the request
 * line's path and headers (e.g. a query, an Authorization header).
 */
export async function upgradeResponse(url: string, localAddress: string, request: { path?: string; headers?: string } = {}): Promise<string> {
  const socket = connect({ port: Number(new URL(url).port), host: "127.0.0.1", localAddress });
  let received = "";
  socket.on("error", () => {});
  const done = new Promise<void>((resolve) => {
    socket.on("data", (d) => {
      received += String(d);
      if (received.startsWith("HTTP/1.1 101 ") && received.includes("\r\n\r\n")) socket.destroy();
    });
    socket.once("close", () => resolve());
  });
  socket.once("connect", () =>
    socket.write(
      `GET ${request.path ?? "/"} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${request.headers ?? ""}\r\n`,
    ),
  );
  await done;
  return received;
}

/** The list a system-presence call answers (either binding). */
export async function systemPresence(live: Wire): Promise<Array<Record<string, unknown>>> {
  const answer = JSON.parse(await live.answerTo(live.request("system-presence"))) as { result?: unknown; payload?: unknown };
  return (answer.result ?? answer.payload) as Array<Record<string, unknown>>;
}
