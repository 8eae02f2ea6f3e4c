// Answers written as one text frame from several buffers (src/server/core/text-frame.ts), read by a
// real `ws` client: every payload length class of RFC 6455 §5.2, order beside ws.send, and the
// gateway's large answers (hello-ok, system-presence) arriving whole.
import { createServer, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { writeTextFrame } from "../../../src/server/core/text-frame.js";
import { connectParams, startGateway, WireClient } from "../helpers.js";
import { scaled } from "../../support/timing.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A ws server on a free loopback port whose first connection's raw socket and WebSocket are handed back. */
async function rawPair(): Promise<{ socket: Duplex; server: WebSocket; client: WebSocket; received: Array<{ text: string; binary: boolean }> }> {
  const http = createServer();
  servers.push(http);
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const accepted = new Promise<{ socket: Duplex; server: WebSocket }>((resolve) =>
    wss.once("connection", (ws, request) => resolve({ socket: request.socket, server: ws })),
  );
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  const received: Array<{ text: string; binary: boolean }> = [];
  client.on("message", (data: Buffer, binary) => received.push({ text: data.toString("utf8"), binary }));
  await new Promise<void>((resolve, reject) => {
    client.once("open", () => resolve());
    client.once("error", reject);
  });
  const { socket, server } = await accepted;
  return { socket, server, client, received };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + scaled(5_000);
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `text` cut into `parts` buffers at arbitrary places (a multi-byte character may be cut too). */
function cut(text: string, parts: number): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const out: Buffer[] = [];
  for (let i = 0; i < parts; i++) out.push(bytes.subarray(Math.floor((i * bytes.length) / parts), Math.floor(((i + 1) * bytes.length) / parts)));
  return out;
}

describe("writeTextFrame", () => {
  it("frames every payload length class (7-bit, 16-bit, 64-bit) so a ws client reads the exact text", async () => {
    const { socket, client, received } = await rawPair();
    // Byte lengths at each boundary, and one text of 2-byte characters cut mid-character.
    const texts = [0, 1, 125, 126, 127, 65_535, 65_536, 200_001].map((n, i) => String(i % 10).repeat(n));
    texts.push("é".repeat(40_000));
    for (const [i, text] of texts.entries()) writeTextFrame(socket, cut(text, 1 + (i % 4)), Buffer.byteLength(text, "utf8"));
    await until(() => received.length === texts.length);
    expect(received.map((r) => r.binary)).toEqual(texts.map(() => false));
    expect(received.map((r) => r.text)).toEqual(texts);
    client.close();
  });

  it("keeps its place among frames sent with ws.send", async () => {
    const { socket, server, client, received } = await rawPair();
    server.send("first", { binary: false });
    writeTextFrame(socket, cut(`{"second":"${"x".repeat(70_000)}"}`, 3), 70_000 + 13);
    server.send("third", { binary: false });
    await until(() => received.length === 3);
    expect(received.map((r) => r.text.slice(0, 10))).toEqual(["first", '{"second":', "third"]);
    client.close();
  });
});

describe("large answers on the gateway", () => {
  it("hello-ok and system-presence carrying a 60-row list arrive as one frame each, the same list in both", async () => {
    const gw = await startGateway({ rateLimit: { burst: 1_000, perSecond: 1_000 } });
    const writer = await WireClient.open(gw.url);
    await writer.result("connect", connectParams({ instanceId: "writer" }));
    for (let i = 0; i < 60; i++) await writer.result("system-event", { text: `beacon ${i} ${"é".repeat(i)}`, instanceId: `row-${i}`, host: `host-${i}`, mode: "backend" });

    const reader = await WireClient.open(gw.url);
    const hello = await reader.result<{ snapshot: { presence: Array<{ instanceId?: string }> } }>("connect", connectParams({ mode: "cli", id: "reader" }));
    const listed = await reader.result<Array<{ instanceId?: string }>>("system-presence");
    expect(hello.snapshot.presence.length).toBe(62); // self, writer, 60 beacons
    expect(JSON.stringify(hello.snapshot.presence).length).toBeGreaterThan(4_096);
    const ids = (rows: Array<{ instanceId?: string }>) => rows.map((row) => row.instanceId ?? "(self)");
    expect(ids(listed)).toEqual(ids(hello.snapshot.presence));
    // Every frame the reader got parsed as one JSON text (WireClient parses each message).
    expect(reader.frames.length).toBeGreaterThanOrEqual(2);
  });
});
