// Each test-only fault must visibly break its rule (the conformance harness relies on that), and a
// gateway without faults must not show the breakage (the rule tests above prove that side).
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../../src/protocol/index.js";
import { FAULT_NAMES } from "../../../src/server/index.js";
import { connectClient, connectParams, errorOf, eventually, list, observer, peers, rowOf, startGateway, WireClient } from "../helpers.js";

describe("faults (test only)", () => {
  it("caseSensitiveKeys: ABC and abc become two rows (breaks K1)", async () => {
    const gw = await startGateway({ faults: { caseSensitiveKeys: true } });
    await connectClient(gw, { instanceId: "ABC" });
    await connectClient(gw, { instanceId: "abc" });
    expect(peers(await list(await observer(gw)))).toHaveLength(2);
  });

  it("listCli: cli connections are listed (breaks P3)", async () => {
    const gw = await startGateway({ faults: { listCli: true } });
    const { client } = await connectClient(gw, { mode: "cli", instanceId: "cli-row" });
    expect(rowOf(await list(client), "cli-row")?.mode).toBe("cli");
  });

  it("loopbackWipesIp: a loopback reconnect overwrites the beacon's ip (breaks P5)", async () => {
    const gw = await startGateway({ faults: { loopbackWipesIp: true } });
    const first = await connectClient(gw, { instanceId: "tunnel" });
    await first.client.result("system-event", { ip: "192.168.1.5" });
    await first.client.close();
    const { client } = await connectClient(gw, { instanceId: "tunnel" });
    expect(rowOf(await list(client), "tunnel")?.ip).toBe("127.0.0.1");
  });

  it("overCap: one row too many (breaks S2)", async () => {
    const gw = await startGateway({ maxEntries: 3, faults: { overCap: true } });
    const { client } = await connectClient(gw, { instanceId: "a" });
    for (const instanceId of ["b", "c", "d"]) await client.result("system-event", { instanceId });
    expect(await list(client)).toHaveLength(4);
  });

  it("evictSelf: when full, the self row is the one that goes (breaks P1, S2)", async () => {
    const gw = await startGateway({ maxEntries: 3, faults: { evictSelf: true } });
    const { client } = await connectClient(gw, { instanceId: "a" });
    for (const instanceId of ["b", "c"]) await client.result("system-event", { instanceId });
    const rows = await list(client);
    expect(rows).toHaveLength(3);
    expect(rows.some((row) => row.reason === "self")).toBe(false);
  });

  it("noPresenceEvents: nothing is pushed (breaks E1)", async () => {
    const gw = await startGateway({ faults: { noPresenceEvents: true } });
    const watcher = await observer(gw);
    const { client } = await connectClient(gw, { instanceId: "silent" });
    await client.result("system-event", { text: "x" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watcher.notifications("presence")).toEqual([]);
  });

  it("wrongErrorCodes: INVALID_PARAMS comes back as INTERNAL_ERROR (breaks §10)", async () => {
    const gw = await startGateway({ faults: { wrongErrorCodes: true } });
    const { client } = await connectClient(gw);
    const error = errorOf(await client.call("system-event", { text: 1 }));
    expect(error.code).toBe(ERROR_CODES.INTERNAL_ERROR);
    expect(error.data?.code).toBe("INTERNAL_ERROR");
  });

  it("perConnectionRows: a reconnect with the same instanceId gets a second row (breaks K1)", async () => {
    const gw = await startGateway({ faults: { perConnectionRows: true } });
    const first = await connectClient(gw, { instanceId: "mac" });
    await first.client.close();
    const { client } = await connectClient(gw, { instanceId: "mac" });
    const rows = await eventually(async () => {
      const found = peers(await list(client));
      expect(found.map((row) => row.reason).sort()).toEqual(["connect", "disconnect"]);
      return found;
    });
    expect(rows.every((row) => row.instanceId === "mac")).toBe(true);
  });

  it("beaconRowsByText: a beacon without instanceId makes a row of its own, keyed by its text (breaks K2)", async () => {
    const gw = await startGateway({ faults: { beaconRowsByText: true } });
    const { client } = await connectClient(gw, { instanceId: "app" });
    await client.result("system-event", { text: "Node: anna" });
    const rows = peers(await list(client));
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.instanceId === undefined)).toMatchObject({ text: "Node: anna" });
    expect(rows.find((row) => row.instanceId === undefined)?.host).toBeUndefined();
  });

  it("noSelfRow: neither hello-ok nor the listing has the self row (breaks P1)", async () => {
    const gw = await startGateway({ faults: { noSelfRow: true } });
    const { client, hello } = await connectClient(gw, { instanceId: "a" });
    expect(hello.snapshot.presence.some((row) => row.reason === "self")).toBe(false);
    expect((await list(client)).map((row) => row.instanceId)).toEqual(["a"]);
  });

  it("staleSelfRow: the self row keeps the ts of its first listing (breaks P1)", async () => {
    const gw = await startGateway({ testClock: true, faults: { staleSelfRow: true } });
    const { client } = await connectClient(gw, { instanceId: "a" });
    const first = (await list(client)).find((row) => row.reason === "self")!;
    await client.result("test.clock.advance", { ms: 60_000 });
    expect((await list(client)).find((row) => row.reason === "self")?.ts).toBe(first.ts);
  });

  it("noExpiry: a row past the TTL stays listed (breaks S1)", async () => {
    const gw = await startGateway({ testClock: true, faults: { noExpiry: true } });
    const gone = await connectClient(gw, { instanceId: "gone" });
    await gone.client.close();
    const { client } = await connectClient(gw, { instanceId: "watcher" });
    await client.result("test.clock.advance", { ms: 400_000 });
    expect(rowOf(await list(client), "gone")?.reason).toBe("disconnect");
  });

  it("futureTs: a row a periodic beacon wrote is listed 10 minutes ahead (breaks K3)", async () => {
    const gw = await startGateway({ faults: { futureTs: true } });
    const { client } = await connectClient(gw, { instanceId: "a" });
    await client.result("system-event", { reason: "periodic" });
    const rows = await list(client);
    const self = rows.find((row) => row.reason === "self")!;
    expect(rowOf(rows, "a")!.ts - self.ts).toBeGreaterThan(590_000);
  });

  it("extraRowFields: every row carries fields beyond the contract (breaks W2)", async () => {
    const gw = await startGateway({ faults: { extraRowFields: true } });
    const { client, hello } = await connectClient(gw, { instanceId: "a" });
    expect(hello.snapshot.presence.every((row) => "clientId" in row)).toBe(true);
    expect(rowOf(await list(client), "a")).toMatchObject({ clientId: "extra-client-id", onlineSince: expect.any(Number), user: { id: "gateway-owner" } });
  });

  it("startsSlowly: connect answers a retryable INTERNAL_ERROR and closes 1013 for the first 3 s (then works)", async () => {
    const gw = await startGateway({ faults: { startsSlowly: true } });
    const early = await WireClient.open(gw.url);
    const error = errorOf(await early.call("connect", connectParams({ instanceId: "a" })));
    expect(error).toMatchObject({ code: ERROR_CODES.INTERNAL_ERROR, message: "gateway starting; retry shortly", data: { code: "INTERNAL_ERROR", retryAfterMs: 500 } });
    expect((await early.closed).code).toBe(1013);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const { hello } = await connectClient(gw, { instanceId: "a" });
    expect(hello.type).toBe("hello-ok");
  });

  it("startsSlowly: the first connect is refused however late it comes (a slow client still meets a starting gateway)", async () => {
    const gw = await startGateway({ faults: { startsSlowly: true } });
    await new Promise((resolve) => setTimeout(resolve, 3100));
    const late = await WireClient.open(gw.url);
    expect(errorOf(await late.call("connect", connectParams({ instanceId: "a" })))).toMatchObject({ message: "gateway starting; retry shortly" });
    expect((await late.closed).code).toBe(1013);
    const { hello } = await connectClient(gw, { instanceId: "a" });
    expect(hello.type).toBe("hello-ok");
  });

  it("hiddenTestClock: test.clock.advance works but hello-ok does not list it (breaks S3)", async () => {
    const gw = await startGateway({ testClock: true, faults: { hiddenTestClock: true } });
    const { client, hello } = await connectClient(gw, { instanceId: "a" });
    expect(hello.features.methods).not.toContain("test.clock.advance");
    expect(await client.result("test.clock.advance", { ms: 0 })).toMatchObject({ now: expect.any(Number) });
  });

  it("beaconTextRequired: a beacon without text is INVALID_PARAMS \"text required\" (breaks M2)", async () => {
    const gw = await startGateway({ faults: { beaconTextRequired: true } });
    const { client } = await connectClient(gw, { instanceId: "a" });
    expect(errorOf(await client.call("system-event", { instanceId: "a" }))).toMatchObject({ message: "text required", data: { code: "INVALID_PARAMS", errors: [{ path: "/text", keyword: "required" }] } });
    expect(await client.result("system-event", { instanceId: "a", text: "hi" })).toEqual({ ok: true });
  });

  it("deltaDisconnectRemoves: a disconnect reaches delta readers as a removal (breaks D4)", async () => {
    const gw = await startGateway({ faults: { deltaDisconnectRemoves: true } });
    const { client: watcher } = await connectClient(gw, { mode: "cli", extra: { caps: ["presence.delta"] } });
    const { client: app } = await connectClient(gw, { instanceId: "leaving" });
    await watcher.waitFor((f) => JSON.stringify(f).includes('"key":"leaving"'));
    await app.close();
    const removal = (await watcher.waitFor((f) => JSON.stringify((f as { params?: { removed?: string[] } }).params?.removed ?? []).includes("leaving"))) as {
      params: { changed: Array<{ key: string }> };
    };
    expect(removal.params.changed.map((row) => row.key)).not.toContain("leaving");
    expect(rowOf(await list(watcher), "leaving")?.reason).toBe("disconnect"); // the row is still listed
  });

  it("deltaStaleBase: a delta names a baseVersion below the version the reader holds (breaks D3)", async () => {
    const gw = await startGateway({ faults: { deltaStaleBase: true } });
    const { client: watcher, hello } = await connectClient(gw, { mode: "cli", extra: { caps: ["presence.delta"] } });
    await connectClient(gw, { instanceId: "new-row" });
    const delta = (await watcher.waitFor((f) => (f as { method?: string }).method === "presence.delta")) as { params: { baseVersion: number } };
    expect(delta.params.baseVersion).toBe(hello.snapshot.stateVersion.presence - 1);
  });

  it("disconnectDeletesRow: a closed connection's row is gone, and a reconnect makes a new one without the reported ip (breaks P6)", async () => {
    const gw = await startGateway({ faults: { disconnectDeletesRow: true } });
    const { client: watcher } = await connectClient(gw, { mode: "cli" });
    const first = await connectClient(gw, { instanceId: "Tunnel" });
    await first.client.result("system-event", { ip: "192.168.1.5" });
    await first.client.close();
    await eventually(async () => expect(rowOf(await list(watcher), "tunnel")).toBeUndefined());
    const { client } = await connectClient(gw, { instanceId: "tunnel" });
    const rows = (await list(client)).filter((r) => r.instanceId?.toLowerCase() === "tunnel");
    expect(rows).toEqual([expect.objectContaining({ instanceId: "tunnel", reason: "connect" })]);
    expect(rows[0]!.ip).toBeUndefined();
  });

  it("are announced in the log as test-only", async () => {
    const lines: string[] = [];
    await startGateway({ faults: { overCap: true, listCli: true }, logger: (line) => lines.push(line) });
    expect(lines[0]).toMatch(/TEST-ONLY faults active.*overCap, listCli|TEST-ONLY faults active.*listCli, overCap/);
    expect(FAULT_NAMES).toHaveLength(24);
  });
});
