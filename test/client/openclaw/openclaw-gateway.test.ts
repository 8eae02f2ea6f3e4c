// The SDK with binding "openclaw" against the reference gateway's openclaw binding, end to end:
// signing (v3 by default here, v2 on request, a persisted identity), mirror, beacons, reconnect.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createOpenClawBinding, createPresenceClient, GatewayError, TransportError, type HelloOk, type PresenceClient, type PresenceEntry } from "../../../src/index.js";
import { createNodeOpenClawBinding } from "../../../src/client/node.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../../src/server/index.js";
import { waitFor } from "../scripted-gateway.js";

const TOKEN = "sdk-openclaw-token";
const fast = { initialDelayMs: 20, maxDelayMs: 200, minUptimeMs: 0 };
const dir = mkdtempSync(join(tmpdir(), "sdk-openclaw-"));
const rowsOf = (list: readonly PresenceEntry[], instanceId: string) => list.filter((e) => e.instanceId?.toLowerCase() === instanceId.toLowerCase());

describe("SDK binding openclaw against the reference gateway", () => {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
  const log: string[] = [];
  const start = async (options: GatewayOptions = {}) => {
    const gw = await createGateway({ port: 0, binding: "openclaw", token: TOKEN, logger: (l) => log.push(l), ...options });
    gateways.push(gw);
    return gw;
  };
  const client = (url: string, extra: Partial<Parameters<typeof createPresenceClient>[0]> = {}) => {
    const c = createPresenceClient({
      url,
      binding: "openclaw",
      token: TOKEN,
      client: { id: "desk-app", displayName: "Desk", version: "1.0.0", platform: "linux", deviceFamily: "Linux", mode: "ui" },
      reconnect: fast,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  const deviceLines = () => log.filter((l) => l.startsWith("device "));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
    log.length = 0;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("signs with v3 by default (the challenge advertises capabilities), keeps a mirror and sends beacons", async () => {
    const gw = await start();
    const watcher = client(gw.url, { client: { id: "watcher", version: "1", platform: "linux", mode: "cli" } });
    await watcher.connect();
    const desk = client(gw.url, { instanceId: "Desk-oc-1" });
    const hello = await desk.connect();
    expect(hello.protocol).toBe(4);
    expect(deviceLines()).toEqual([expect.stringMatching(/signature=v3 approved/), expect.stringMatching(/signature=v3 approved/)]);

    desk.startBeacons({ intervalMs: 60_000, ip: "10.9.8.7", text: "at the desk" });
    await waitFor(() => watcher.presence.get("desk-oc-1")?.ip === "10.9.8.7", "the beacon in the watcher's mirror");
    expect(watcher.presence.get("desk-oc-1")).toMatchObject({ host: "Desk", mode: "ui", text: "at the desk", reason: expect.any(String) });
    expect(rowsOf(await watcher.systemPresence(), "Desk-oc-1")).toHaveLength(1);
    expect(watcher.presence.version).toBe(gw.stateVersion());
  });

  it("the connect.challenge the handshake used is not passed on as an app event", async () => {
    const gw = await start();
    const desk = client(gw.url, { instanceId: "Desk-oc-2" });
    const events: string[] = [];
    desk.on("event", (e) => events.push(e.event));
    await desk.connect();
    await desk.systemEvent({ instanceId: "Desk-oc-2", reason: "periodic", text: "after" }); // a round trip after the open
    expect(events).not.toContain("connect.challenge");
  });

  it("signs with v2 when asked, and with a persisted identity (the same device id every time)", async () => {
    const gw = await start();
    await client(gw.url, { instanceId: "v2-client", binding: createOpenClawBinding({ signatureVersion: "v2" }) }).connect();
    expect(deviceLines()).toEqual([expect.stringMatching(/signature=v2 approved/)]);

    const identityPath = join(dir, "device.json");
    for (const instanceId of ["persisted-1", "persisted-2"]) {
      await client(gw.url, { instanceId, binding: createNodeOpenClawBinding({ identityPath }) }).connect();
    }
    const { deviceId } = JSON.parse(readFileSync(identityPath, "utf8")) as { deviceId: string };
    expect(deviceLines().slice(1)).toEqual([expect.stringContaining(`id=${deviceId} signature=v3`), expect.stringContaining(`id=${deviceId} signature=v3`)]);
    // Rows stay keyed by instanceId (SPEC K1): one device, two rows.
    const rows = await gw.store.list();
    expect(rows.map((r) => r.instanceId).filter(Boolean).sort()).toEqual(["persisted-1", "persisted-2", "v2-client"]);
  });

  it("reconnects after a gateway restart on the same port: a fresh challenge signed again, same row, mirror resynced", async () => {
    const first = await start();
    const reconnects: HelloOk[] = [];
    const desk = client(first.url, { instanceId: "Desk-oc-2", onReconnect: (h) => void reconnects.push(h) });
    await desk.connect();
    desk.startBeacons({ intervalMs: 60_000, ip: "10.1.1.1", text: "here" });
    await waitFor(() => desk.presence.get("desk-oc-2")?.ip === "10.1.1.1", "the launch beacon");

    await first.close();
    const second = await start({ port: first.port });
    await waitFor(() => reconnects.length === 1, "the re-handshake");
    await waitFor(() => desk.presence.get("desk-oc-2")?.ip === "10.1.1.1" && desk.presence.get("desk-oc-2")?.reason === "connect", "the connect beacon");
    expect(deviceLines().filter((l) => /approved/.test(l))).toHaveLength(2);
    expect(rowsOf(await desk.systemPresence(), "Desk-oc-2")).toHaveLength(1);
    expect(desk.presence.version).toBe(second.stateVersion());
  });

  it("one store under both bindings: an openclaw SDK client and a jsonrpc SDK client see each other's rows and beacons", async () => {
    const gw = await start({ port: undefined, binding: undefined, listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    const [rpcUrl, ocUrl] = gw.listeners.map((l) => l.url);
    const rpc = client(rpcUrl!, { binding: "jsonrpc", instanceId: "rpc-app" });
    const oc = client(ocUrl!, { instanceId: "oc-app" });
    await Promise.all([rpc.connect(), oc.connect()]);
    rpc.startBeacons({ intervalMs: 60_000, text: "over json-rpc" });
    oc.startBeacons({ intervalMs: 60_000, text: "over openclaw frames" });
    await waitFor(() => oc.presence.get("rpc-app")?.text === "over json-rpc", "the jsonrpc beacon in the openclaw mirror");
    await waitFor(() => rpc.presence.get("oc-app")?.text === "over openclaw frames", "the openclaw beacon in the jsonrpc mirror");
    expect(oc.presence.version).toBe(rpc.presence.version);
  });

  it("an error has the same SPEC §10 name on both bindings, and a JSON-RPC number only over jsonrpc (OpenClaw sends string codes)", async () => {
    const gw = await start({ port: undefined, binding: undefined, listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    const [rpcUrl, ocUrl] = gw.listeners.map((l) => l.url);
    const rpc = client(rpcUrl!, { binding: "jsonrpc" });
    const oc = client(ocUrl!);
    await Promise.all([rpc.connect(), oc.connect()]);
    const unknown = (c: PresenceClient) => c.request("no.such.method" as never, {} as never).catch((error: unknown) => error as GatewayError);
    const [overRpc, overOc] = await Promise.all([unknown(rpc), unknown(oc)]);
    expect(overRpc).toMatchObject({ code: "METHOD_NOT_FOUND", rpcCode: -32601 });
    expect(overOc).toBeInstanceOf(GatewayError);
    expect(overOc).toMatchObject({ code: "METHOD_NOT_FOUND", rpcCode: undefined, data: { native: { code: expect.any(String) } } });
    expect(overOc.message).not.toMatch(/-326/);
  });

  it("a jsonrpc client at the openclaw listener stops at once, naming the binding to use (not at its timeout, no retries)", async () => {
    const gw = await start();
    // A request timeout far above the bound below: a client that waited for it could not pass, however
    // slowly a busy machine runs the handshake that stops it.
    const wrong = client(gw.url, { binding: "jsonrpc", requestTimeoutMs: 60_000 });
    const states: string[] = [];
    wrong.on("state", (s) => states.push(s.state));
    const started = Date.now();
    const failure = await wrong.connect({ retry: true }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(failure).toBeInstanceOf(TransportError);
    expect((failure as TransportError).kind).toBe("protocol");
    expect((failure as Error).message).toBe(
      'connect: the gateway sent an OpenClaw "connect.challenge" event, so it speaks OpenClaw\'s native frames, not JSON-RPC: connect with binding "openclaw" (CLI: --binding openclaw)',
    );
    expect(states).toEqual(["connecting", "closed"]);
    expect(wrong.state).toBe("closed");
    // Nothing was recorded for the refused frame's client.
    expect((await gw.store.list()).map((row) => row.reason)).toEqual(["self"]);
  });
});
