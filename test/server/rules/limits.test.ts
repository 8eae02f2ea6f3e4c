import { createGatewayClock } from "../../../src/server/core/gateway-clock.js";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type PresenceEntry, type PresenceEvent } from "../../../src/protocol/index.js";
import { WireClient, connectClient, errorOf, isResponse, list, observer, peers, rowOf, startGateway } from "../helpers.js";

/** The list without `ts` (which moves on every read for self). */
function shape(rows: PresenceEntry[]): unknown[] {
  return rows.map(({ ts: _ts, ...rest }) => rest);
}

describe("S1: TTL", () => {
  it("removes rows older than the TTL without anyone listing, and tells observers", async () => {
    const gw = await startGateway({ ttlMs: 300 });
    const watcher = await observer(gw);
    const { client } = await connectClient(gw, { instanceId: "short-lived" });
    await client.close();
    const event = (await watcher.waitFor(
      (f) => (f as { method?: string }).method === "presence" && JSON.stringify(f).includes("disconnect"),
    )) as { params: PresenceEvent };
    const after = (await watcher.next(
      (f) => (f as { method?: string }).method === "presence" && !JSON.stringify(f).includes("short-lived"),
      3_000,
    )) as { params: PresenceEvent };
    expect(after.params.stateVersion.presence).toBeGreaterThan(event.params.stateVersion.presence);
    expect(after.params.presence.map((row) => row.reason)).toEqual(["self"]);
  });
});

describe("S2: at most maxEntries rows, self included", () => {
  it("201 distinct clients give 200 rows, self kept, the oldest evicted", async () => {
    const gw = await startGateway();
    const clients: WireClient[] = [];
    for (let wave = 0; wave < 201; wave += 50) {
      const ids = Array.from({ length: Math.min(50, 201 - wave) }, (_, i) => `client-${wave + i}`);
      // No read scope: these clients get no pushes, so 201 connects stay cheap.
      const opened = await Promise.all(ids.map((instanceId) => connectClient(gw, { instanceId, scopes: [] })));
      clients.push(...opened.map((o) => o.client));
    }
    const rows = await list(await observer(gw));
    expect(rows).toHaveLength(200);
    expect(rows.filter((row) => row.reason === "self")).toHaveLength(1);
    expect(new Set(rows.map((row) => row.instanceId)).size).toBe(200);
    // Self plus 199 clients: the two evicted were among the oldest (the first wave).
    const listed = new Set(rows.map((row) => row.instanceId));
    const missing = Array.from({ length: 201 }, (_, i) => i).filter((i) => !listed.has(`client-${i}`));
    expect(missing).toHaveLength(2);
    expect(missing.every((i) => i < 50)).toBe(true);
    expect(clients).toHaveLength(201);
  });

  it("the cap is configurable", async () => {
    const gw = await startGateway({ maxEntries: 4 });
    const { client } = await connectClient(gw, { instanceId: "a" });
    for (const instanceId of ["b", "c", "d", "e"]) await client.result("system-event", { instanceId, text: instanceId });
    const rows = await list(client);
    expect(rows).toHaveLength(4);
    expect(rows.map((row) => row.instanceId ?? row.reason)).toEqual(["self", "e", "d", "c"]);
  });
});

describe("S3: test.clock.advance", () => {
  it("moves the clock; open connections stay, other rows older than the TTL go, observers are told", async () => {
    const gw = await startGateway({ testClock: true, ttlMs: 60_000 });
    const watcher = await observer(gw);
    const { client: stays } = await connectClient(gw, { instanceId: "stays" });
    const left = await connectClient(gw, { instanceId: "left" });
    await stays.result("system-event", { instanceId: "beacon-only", text: "x" });
    await left.client.close();
    await watcher.waitFor((f) => JSON.stringify(f).includes('"disconnect"'));
    const before = Date.now();
    const { now } = await watcher.result<{ now: number }>("test.clock.advance", { ms: 59_000 });
    expect(now).toBeGreaterThanOrEqual(before + 59_000);
    expect(peers(await list(watcher))).toHaveLength(3);
    const second = await watcher.result<{ now: number }>("test.clock.advance", { ms: 2_000 });
    expect(second.now).toBeGreaterThanOrEqual(now + 2_000);
    const rows = await list(watcher);
    expect(peers(rows).map((row) => row.instanceId)).toEqual(["stays"]);
    expect(rowOf(rows, "stays")!.ts).toBeGreaterThanOrEqual(second.now - 1_000);
    await watcher.waitFor(
      (f) => (f as { method?: string }).method === "presence" && !JSON.stringify(f).includes("beacon-only"),
    );
    // Far beyond one TTL, also an exact multiple of it: still only the open connection is kept alive.
    await watcher.result("test.clock.advance", { ms: 10 * 60_000 + 123 });
    expect(peers(await list(watcher)).map((row) => row.instanceId)).toEqual(["stays"]);
    const last = await watcher.result<{ now: number }>("test.clock.advance", { ms: 40 * 60_000 });
    const rows2 = await list(watcher);
    expect(peers(rows2).map((row) => row.instanceId)).toEqual(["stays"]);
    expect(rowOf(rows2, "stays")!.ts).toBeGreaterThanOrEqual(last.now - 30_000);
  });

  it("rejects bad params, and does not exist outside test mode", async () => {
    const test = await startGateway({ testClock: true });
    const { client } = await connectClient(test);
    for (const params of [{ ms: -1 }, { ms: 1.5 }, { ms: "10" }, {}, { ms: 1, extra: true }, { ms: 1e308 }]) {
      expect(errorOf(await client.call("test.clock.advance", params)).data?.code).toBe("INVALID_PARAMS");
    }
    // The clock itself refuses to pass its limit (Number.MAX_SAFE_INTEGER less 10 years to run on), so the gateway keeps working.
    const clock = createGatewayClock(() => Number.MAX_SAFE_INTEGER - 315_360_000_000 - 10);
    expect(() => clock.advance(11)).toThrow(/would take the clock past 9006883894740991 ms .*; 10 ms are left$/);
    expect(clock.offset()).toBe(0);
    expect(clock.advance(10)).toBe(Number.MAX_SAFE_INTEGER - 315_360_000_000);
    expect((await list(client)).some((row) => row.reason === "self")).toBe(true);
    const plain = await startGateway();
    const { client: other } = await connectClient(plain);
    expect(errorOf(await other.call("test.clock.advance", { ms: 1 }))).toMatchObject({
      code: ERROR_CODES.METHOD_NOT_FOUND,
      data: { code: "METHOD_NOT_FOUND" },
    });
  });
});

describe("B1: bad input never crashes the gateway nor changes the list", () => {
  it("answers each kind of bad frame with the right code", async () => {
    const gw = await startGateway({ maxPayload: 2048 });
    const watcher = await observer(gw);
    await connectClient(gw, { instanceId: "bystander" });
    const { client } = await connectClient(gw, { instanceId: "sender" });
    const before = shape(await list(watcher));
    const expectLast = async (raw: string, code: number, name: string) => {
      client.sendRaw(raw);
      const frame = (await client.next((f) => isResponse(f) || Array.isArray(f))) as { error?: { code: number; data: { code: string } } };
      expect(frame.error, raw).toBeDefined();
      expect(frame.error?.code, raw).toBe(code);
      expect(frame.error?.data.code, raw).toBe(name);
    };
    await expectLast("{not json", ERROR_CODES.PARSE_ERROR, "PARSE_ERROR");
    await expectLast("", ERROR_CODES.PARSE_ERROR, "PARSE_ERROR");
    for (const raw of ["42", '"text"', "null", "true", "[]", '{"id":1,"method":"system-presence"}', '{"jsonrpc":"2.0","id":1}', '{"jsonrpc":"2.0","id":{},"method":"x"}']) {
      await expectLast(raw, ERROR_CODES.INVALID_REQUEST, "INVALID_REQUEST");
    }
    await expectLast('{"jsonrpc":"2.0","id":7,"method":"no.such"}', ERROR_CODES.METHOD_NOT_FOUND, "METHOD_NOT_FOUND");
    for (const params of ['{"text":5}', '{"instanceId":["x"]}', '{"roles":"admin"}', '{"lastInputSeconds":-1}', '"str"', "null", "[1]"]) {
      await expectLast(`{"jsonrpc":"2.0","id":8,"method":"system-event","params":${params}}`, ERROR_CODES.INVALID_PARAMS, "INVALID_PARAMS");
    }
    await expectLast(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "connect", params: {} }), ERROR_CODES.ALREADY_CONNECTED, "ALREADY_CONNECTED");
    // Junk arrays: one INVALID_REQUEST per entry, in order.
    client.sendRaw('[1, "x", null, {"jsonrpc":"2.0"}]');
    const junk = (await client.next(Array.isArray)) as Array<{ id: null; error: { code: number } }>;
    expect(junk.map((r) => r.error.code)).toEqual(Array(4).fill(ERROR_CODES.INVALID_REQUEST));
    // A binary frame.
    client.sendRaw(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"system-presence"}'), true);
    expect(((await client.next(isResponse)) as { error: { code: number } }).error.code).toBe(ERROR_CODES.INVALID_REQUEST);
    // Wrong types name their paths.
    const wrong = errorOf(await client.call("system-event", { text: 5, roles: [1], bogus: true }));
    expect((wrong.data?.errors as Array<{ path: string }>).map((e) => e.path)).toEqual(expect.arrayContaining(["/text", "/roles/0", "/bogus"]));
    expect(shape(await list(watcher))).toEqual(before);
    expect((await connectClient(gw, { mode: "cli" })).hello.type).toBe("hello-ok");
  });

  it("an oversized frame gets PAYLOAD_TOO_LARGE, then close 1009; the list is unchanged", async () => {
    const gw = await startGateway({ maxPayload: 1024 });
    const watcher = await observer(gw);
    const before = shape(await list(watcher));
    const { client } = await connectClient(gw, { instanceId: "big" });
    client.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "system-event", params: { text: "x".repeat(1000), host: "y".repeat(200) } }));
    const frame = (await client.next(isResponse)) as { id: null; error: { code: number; data: { code: string } } };
    expect(frame.id).toBeNull();
    expect(frame.error).toMatchObject({ code: ERROR_CODES.PAYLOAD_TOO_LARGE, data: { code: "PAYLOAD_TOO_LARGE" } });
    expect((await client.closed).code).toBe(1009);
    const rows = await list(watcher);
    expect(rowOf(rows, "big")?.text).toBeUndefined();
    expect(shape(rows.filter((row) => row.instanceId !== "big"))).toEqual(before);
    // A frame far over the limit is cut by ws itself (1009), and the gateway stays up.
    const huge = await connectClient(gw, { mode: "cli" });
    huge.client.sendRaw("x".repeat(1024 * 1024));
    expect((await huge.client.closed).code).toBe(1009);
    expect((await connectClient(gw, { mode: "cli" })).hello.type).toBe("hello-ok");
    expect(gw.metrics().rejections).toBe(2);
  });

  it("the default cap is 512 KiB", async () => {
    const gw = await startGateway();
    const { client, hello } = await connectClient(gw, { mode: "cli" });
    expect(hello.policy.maxPayload).toBe(512 * 1024);
    client.sendRaw(" ".repeat(512 * 1024) + "{}");
    expect(((await client.next(isResponse)) as { error: { data: { code: string } } }).error.data.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await client.closed).code).toBe(1009);
  });
});

describe("B2: floods", () => {
  it("500 back-to-back beacons from one connection meet the rate limit", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "flooder" });
    const frames = Array.from({ length: 500 }, (_, i) => JSON.stringify({ jsonrpc: "2.0", id: 1_001 + i, method: "system-event", params: { text: `b${i}` } }));
    for (const frame of frames) client.sendRaw(frame);
    await client.waitFor((f) => isResponse(f) && f.id === 1_500);
    const responses = client.frames.filter(isResponse).filter((r) => typeof r.id === "number" && r.id > 1_000);
    expect(responses).toHaveLength(500);
    const limited = responses.filter((r) => r.error?.data?.code === "RATE_LIMITED");
    const accepted = responses.filter((r) => r.result !== undefined);
    expect(accepted.length).toBeGreaterThanOrEqual(50);
    expect(accepted.length).toBeLessThan(150);
    expect(limited.length).toBe(500 - accepted.length);
    expect(limited[0].error).toMatchObject({ code: ERROR_CODES.RATE_LIMITED });
    expect(limited[0].error?.data?.retryAfterMs).toBeGreaterThan(0);
    expect(gw.metrics().rateLimited).toBe(limited.length);
    // Other methods are not limited.
    expect((await list(client)).length).toBeGreaterThan(0);
  });

  it("a flood of distinct instanceIds keeps the list within the cap", async () => {
    const gw = await startGateway({ maxEntries: 50, rateLimit: { burst: 10_000, perSecond: 10_000 } });
    const { client } = await connectClient(gw, { instanceId: "source" });
    const batch = (start: number) =>
      JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: start + i, method: "system-event", params: { instanceId: `flood-${start + i}`, ip: "10.0.0.1" } })));
    for (let start = 0; start < 1_000; start += 100) client.sendRaw(batch(start));
    await client.waitFor((f) => Array.isArray(f) && f.some((r) => (r as { id: number }).id === 999));
    expect(await list(client)).toHaveLength(50);
    expect(await gw.store.size()).toBe(50);
  });
});

describe("B3: length caps", () => {
  it("rejects over-long strings and arrays and unknown beacon fields", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "caps" });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ instanceId: "i".repeat(129) }, "/instanceId"],
      [{ host: "h".repeat(257) }, "/host"],
      [{ text: "t".repeat(1025) }, "/text"],
      [{ platform: "p".repeat(257) }, "/platform"],
      [{ roles: Array.from({ length: 33 }, (_, i) => `r${i}`) }, "/roles"],
      [{ roles: ["   "] }, "/roles/0"],
      [{ colour: "red" }, "/colour"],
    ];
    for (const [params, path] of cases) {
      const error = errorOf(await client.call("system-event", params));
      expect(error.data?.code).toBe("INVALID_PARAMS");
      expect((error.data?.errors as Array<{ path: string }>).map((e) => e.path)).toContain(path);
    }
    expect(await client.result("system-event", { instanceId: "i".repeat(128), text: "t".repeat(1024), host: "h".repeat(256) })).toEqual({ ok: true });
  });
});
