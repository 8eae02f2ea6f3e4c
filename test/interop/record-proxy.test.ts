// The recording proxy between real ws clients and the reference gateway (or a refusing server):
// relays unchanged, records both ways with relative times, redacts secrets, passes closes on.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseRecording, type RecordingLine } from "../../src/record/recording.js";
import { startRecordingProxy, type RecordingProxy } from "../../src/record/proxy.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { eventually } from "../support/eventually.js";
import { withoutShedding } from "../support/timing.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function gateway(token?: string): Promise<Gateway> {
  const gw = await createGateway(withoutShedding({ host: "127.0.0.1", port: 0, ...(token ? { token } : {}) }));
  cleanups.push(() => gw.close());
  return gw;
}

async function proxyTo(upstream: string): Promise<{ proxy: RecordingProxy; lines: () => RecordingLine[] }> {
  const out: string[] = [];
  const proxy = await startRecordingProxy({ port: 0, upstream, write: (l) => out.push(l) });
  cleanups.push(() => proxy.close());
  return { proxy, lines: () => parseRecording(out.join("")) };
}

interface Client {
  ws: WebSocket;
  next(): Promise<any>;
  closed: Promise<{ code: number; reason: string }>;
}

function client(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(url, { headers });
  const inbox: any[] = [];
  const waiting: Array<(m: any) => void> = [];
  ws.on("message", (d) => {
    const m = JSON.parse(String(d));
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  cleanups.push(async () => void ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, closed, next: () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiting.push(r))) }));
    ws.once("error", reject);
  });
}

const connect = (token: string | undefined, instanceId = "rec-1") => ({
  jsonrpc: "2.0",
  id: 1,
  method: "connect",
  params: {
    minProtocol: 1,
    maxProtocol: 1,
    client: { id: "rec", version: "1", platform: "test", mode: "test", instanceId },
    ...(token ? { auth: { token } } : {}),
  },
});

describe("recording proxy", () => {
  it("relays a session unchanged and records every frame both ways, with relative times and no token", async () => {
    const gw = await gateway("s3cret-token-value");
    const { proxy, lines } = await proxyTo(gw.url);
    const c = await client(proxy.url);
    c.ws.send(JSON.stringify(connect("s3cret-token-value")));
    const hello = await c.next();
    expect(hello.result.type).toBe("hello-ok");
    c.ws.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "system-presence" }));
    let listing = await c.next();
    while (listing.id !== 2) listing = await c.next();
    expect(listing.result.some((r: any) => r.instanceId === "rec-1")).toBe(true);
    c.ws.close(1000, "bye");
    await c.closed;
    await eventually(() => expect(lines().at(-1)).toMatchObject({ dir: "meta", event: "close" })); // recorded once the proxy saw it

    const recorded = lines();
    expect(recorded[0]).toMatchObject({ conn: "c1", dir: "meta", event: "open", url: `${gw.url}/` });
    const sends = recorded.filter((l) => l.dir === "send");
    expect(sends.map((l) => (l.frame as any).method)).toEqual(["connect", "system-presence"]);
    expect((sends[0]!.frame as any).params.auth.token).toBe("<REDACTED>");
    expect(JSON.stringify(recorded)).not.toContain("s3cret-token-value");
    const answers = recorded.filter((l) => l.dir === "recv" && (l.frame as any).id !== undefined);
    expect(answers.map((l) => (l.frame as any).id)).toEqual([1, 2]);
    expect(answers[0]!.frame).toEqual(hello);
    expect(recorded.at(-1)).toMatchObject({ dir: "meta", event: "close", code: 1000, reason: "bye", by: "client" });
    for (const [a, b] of recorded.slice(1).map((l, i) => [recorded[i]!, l])) {
      expect(b.t!).toBeGreaterThanOrEqual(a.t!);
      expect(b.dt!).toBeGreaterThanOrEqual(a.dt!);
    }
  });

  it("records the URL without credentials or query values: a client's ?token= and the upstream's user:password never reach the recording", async () => {
    const gw = await gateway();
    const { proxy, lines } = await proxyTo(gw.url.replace("ws://", "ws://rec-user:upstream-pa55@"));
    // Values no recording could hold by chance (the connId is a random UUID: "abc" was in one, 12:54Z).
    const c = await client(`${proxy.url}/?token=qtok-s3cret&access_token=qacc-s3cret&room=qroom-s3cret`);
    c.ws.send(JSON.stringify(connect(undefined)));
    expect((await c.next()).result.type).toBe("hello-ok");
    const open = lines().find((l) => l.dir === "meta" && l.event === "open") as { url: string };
    expect(open.url).toBe(`ws://<REDACTED>@${new URL(gw.url).host}/?token=<REDACTED>&access_token=<REDACTED>&room=<REDACTED>`);
    expect(JSON.stringify(lines())).not.toMatch(/qtok-s3cret|qacc-s3cret|qroom-s3cret|upstream-pa55/);
  });

  it("survives frames nested 200,000 deep and 500 KB of text made to stall a regex: recorded as text, relayed, the session goes on", async () => {
    const gw = await gateway();
    const { proxy, lines } = await proxyTo(gw.url);
    const c = await client(proxy.url);
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    c.ws.send(deep);
    // A batch of one entry that is not a request.
    expect((await c.next())[0].error.code).toBe(-32600);
    const stalling = "ws://a.".repeat(70_000);
    c.ws.send(stalling);
    expect((await c.next()).error.code).toBe(-32700);
    c.ws.send(JSON.stringify(connect(undefined)));
    expect((await c.next()).result.type).toBe("hello-ok");
    const sends = lines().filter((l) => l.dir === "send");
    expect(sends[0]).toMatchObject({ text: deep, bytes: deep.length });
    expect(sends[1]).toMatchObject({ text: stalling });
    expect(sends[2]!.frame).toMatchObject({ method: "connect" });
  });

  it("passes the gateway's close code on to the client (wrong token: 1008) and records who closed", async () => {
    const gw = await gateway("right");
    const { proxy, lines } = await proxyTo(gw.url);
    const c = await client(proxy.url);
    c.ws.send(JSON.stringify(connect("wrong")));
    const answer = await c.next();
    expect(answer.error.data.code).toBe("UNAUTHORIZED");
    expect((await c.closed).code).toBe(1008);
    await eventually(() => expect(lines().at(-1)).toMatchObject({ dir: "meta", event: "close", code: 1008, by: "gateway" }));
    expect(JSON.stringify(lines())).not.toContain('"wrong"');
  });

  it("records frames that are not JSON as text, and relays them", async () => {
    const gw = await gateway();
    const { proxy, lines } = await proxyTo(gw.url);
    const c = await client(proxy.url);
    c.ws.send("not json token=abcdefghijkl");
    const answer = await c.next();
    expect(answer.error.code).toBe(-32700);
    expect(lines().find((l) => l.dir === "send")).toMatchObject({ text: "not json token=<REDACTED>", bytes: 27 });
  });

  it("keeps separate connections apart, in order", async () => {
    const gw = await gateway();
    const { proxy, lines } = await proxyTo(gw.url);
    const a = await client(proxy.url);
    const b = await client(proxy.url);
    a.ws.send(JSON.stringify(connect(undefined, "a")));
    b.ws.send(JSON.stringify(connect(undefined, "b")));
    await a.next();
    await b.next();
    const connects = lines().filter((l) => l.dir === "send").map((l) => [l.conn, (l.frame as any).params.client.instanceId]);
    expect(connects.sort()).toEqual([["c1", "a"], ["c2", "b"]]);
    expect(proxy.connections).toBe(2);
  });

  it("refuses the client as the upstream refused the upgrade, and 502 when the upstream is down", async () => {
    const refusing: Server = createServer((_q, res) => res.end());
    refusing.on("upgrade", (_req, socket) => socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n"));
    await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise((r) => refusing.close(() => r())));
    const { proxy, lines } = await proxyTo(`ws://127.0.0.1:${(refusing.address() as AddressInfo).port}`);
    await expect(client(proxy.url)).rejects.toThrow("Unexpected server response: 401");
    expect(lines()).toContainEqual(expect.objectContaining({ dir: "meta", event: "refused", code: 401 }));

    const down = await proxyTo("ws://127.0.0.1:1");
    await expect(client(down.proxy.url)).rejects.toThrow("Unexpected server response: 502");
    expect(down.lines()).toContainEqual(expect.objectContaining({ dir: "meta", event: "error" }));
  });

  it("forwards the Origin header (OpenClaw checks it for webchat clients)", async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer();
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ server });
    wss.on("connection", (_ws, req) => seen.push(req.headers.origin));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise((r) => (wss.close(), server.close(() => r()))));
    const { proxy } = await proxyTo(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await client(proxy.url, { Origin: "http://127.0.0.1:18789" });
    await eventually(() => expect(seen).toEqual(["http://127.0.0.1:18789"]));
  });
});
