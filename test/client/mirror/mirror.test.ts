// The live mirror: snapshot, pushes, gap detection and resync, against a scripted JSON-RPC server.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPresenceClient, jsonRpcBinding, type ClientBinding, type MirrorChange, type MirrorGap, type PresenceClient, type PresenceEntry } from "../../../src/index.js";
import { startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };
const row = (host: string, ts = Date.now()): PresenceEntry => ({ instanceId: host, host, ts });

describe("client.presence mirror", () => {
  let gw: ScriptedGateway;
  let client: PresenceClient;
  let changes: MirrorChange[];
  let gaps: MirrorGap[];
  beforeEach(async () => {
    gw = await startScriptedGateway();
    gw.list = [row("self"), row("a")];
    gw.version = 7;
    client = createPresenceClient({ url: gw.url, client: info, reconnect: false, resyncDelayMs: 20 });
    changes = [];
    gaps = [];
    client.presence.on("change", (c) => changes.push(c));
    client.presence.on("gap", (g) => gaps.push(g));
    await client.connect();
  });
  afterEach(async () => {
    await client.close();
    await gw.close();
  });

  it("starts from the hello snapshot with its version", () => {
    expect(client.presence.entries).toEqual(gw.list);
    expect(client.presence.version).toBe(7);
    expect(client.presence.stale).toBe(false);
    expect(changes.map((c) => c.source)).toEqual(["snapshot"]);
    expect(client.presence.get("A")?.host).toBe("a"); // case-insensitive, like the presence key
  });

  it("follows consecutive pushes without fetching", async () => {
    const next = [row("self"), row("a"), row("b")];
    gw.push(next, 8);
    gw.push([row("self"), row("b")], 9);
    await waitFor(() => client.presence.version === 9, "version 9");
    expect(client.presence.entries.map((e) => e.host)).toEqual(["self", "b"]);
    expect(gaps).toEqual([]);
    expect(gw.requests.filter((r) => r.method === "system-presence")).toHaveLength(0);
  });

  it("ignores a push older than what it has; one at its own version (a presence.resync answer, D7) replaces the list", async () => {
    gw.notify("presence", { presence: [row("old")], stateVersion: { presence: 6 } });
    gw.notify("presence", { presence: [row("self"), row("same")], stateVersion: { presence: 7 } });
    await waitFor(() => client.presence.entries.some((e) => e.host === "same"), "the list at version 7");
    expect(client.presence.version).toBe(7);
    gw.push([row("self"), row("new")], 8);
    await waitFor(() => client.presence.version === 8, "version 8");
    expect(client.presence.entries.map((e) => e.host)).toEqual(["self", "new"]);
    expect(changes.map((c) => c.source)).toEqual(["snapshot", "push", "push"]);
    expect(gaps).toEqual([]);
  });

  it("detects a stateVersion gap (missed pushes) and resyncs with system-presence", async () => {
    // The gateway dropped pushes 8..10 for this client; its list has moved on meanwhile.
    gw.notify("presence", { presence: [row("self"), row("at-11")], stateVersion: { presence: 11 } });
    gw.list = [row("self"), row("at-11"), row("latest")];
    await waitFor(() => client.presence.resyncCount === 1, "a resync");
    expect(gaps).toEqual([{ kind: "version", from: 7, to: 11 }]);
    expect(gw.requests.filter((r) => r.method === "system-presence")).toHaveLength(1);
    expect(client.presence.entries).toEqual(gw.list);
    expect(client.presence.version).toBe(11);
    expect(client.presence.stale).toBe(false);
    expect(changes.map((c) => c.source)).toEqual(["snapshot", "push", "resync"]);
  });

  it("makes one fetch for a burst of gaps", async () => {
    for (let v = 10; v <= 40; v += 3) gw.notify("presence", { presence: [row("self")], stateVersion: { presence: v } });
    await waitFor(() => gaps.length === 11 && client.presence.resyncCount >= 1, "the burst and a resync");
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.requests.filter((r) => r.method === "system-presence").length).toBeLessThanOrEqual(2);
    expect(client.presence.version).toBe(40);
  });

  it("stays stale and says why when the resync fails", async () => {
    const errors: Error[] = [];
    client.presence.on("resyncError", (e) => errors.push(e));
    gw.handlers["system-presence"] = () => ({ error: { code: -32003, message: "forbidden", data: { code: "FORBIDDEN" } } });
    gw.notify("presence", { presence: [row("self")], stateVersion: { presence: 20 } });
    await waitFor(() => errors.length === 1, "the resync error");
    expect(errors[0]).toMatchObject({ name: "GatewayError", code: "FORBIDDEN" });
    expect(client.presence.stale).toBe(true);
  });

  it("emits presence events with the payload as sent", async () => {
    const seen: unknown[] = [];
    client.on("presence", (p) => seen.push(p));
    gw.push([row("x")], 8);
    await waitFor(() => seen.length === 1, "a presence event");
    expect(seen[0]).toEqual({ presence: [expect.objectContaining({ host: "x" })], stateVersion: { presence: 8 } });
  });

  it("reports a malformed presence event instead of corrupting the list", async () => {
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    gw.notify("presence", { presence: "nope", stateVersion: { presence: 8 } });
    await waitFor(() => errors.length === 1, "an error");
    expect(errors[0].message).toMatch(/presence event without a presence list/);
    expect(client.presence.entries).toEqual(gw.list);
    expect(client.presence.version).toBe(7);
  });

  it("resyncs when another event's frame shows a higher presence stateVersion (a missed push, OpenClaw style)", async () => {
    // A binding whose frames carry stateVersion, as OpenClaw's event frames do.
    const framed: ClientBinding = {
      ...jsonRpcBinding,
      decode: (text) =>
        jsonRpcBinding.decode(text).map((f) => {
          const sv = (f.kind === "event" ? (f.payload as { sv?: number }) : undefined)?.sv;
          return f.kind === "event" && sv !== undefined ? { ...f, stateVersion: sv } : f;
        }),
    };
    const c = createPresenceClient({ url: gw.url, client: info, reconnect: false, resyncDelayMs: 10, binding: framed });
    await c.connect();
    const seen: MirrorGap[] = [];
    c.presence.on("gap", (g) => seen.push(g));
    gw.list = [row("self"), row("missed")];
    gw.notify("health", { sv: 9 });
    gw.notify("health", { sv: 9 });
    await waitFor(() => c.presence.resyncCount === 1, "a resync");
    expect(seen).toEqual([{ kind: "version", from: 7, to: 9 }]);
    expect(c.presence.version).toBe(9);
    expect(c.presence.get("missed")).toBeDefined();
    gw.notify("health", { sv: 9 }); // nothing new: no further gap
    gw.push([row("self")], 10);
    await waitFor(() => c.presence.version === 10, "the next push");
    expect(seen).toHaveLength(1);
    await c.close();
  });
});
