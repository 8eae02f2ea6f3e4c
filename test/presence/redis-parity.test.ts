/**
 * The Redis store against the memory store: the same random operations on both (one gateway, the
 * same manual clock) must give the same results, rows, ts, order and change notifications. The memory
 * store is the reference the SPEC tests pin down; this shows the Lua scripts implement the same rules.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { manualClock, type PresenceFields, type PresenceStore } from "../../src/presence/index.js";
import { REDIS_MISSING } from "../support/redis-server.js";
import { makeRedisStore, makeStore } from "./helpers.js";

const KEYS = ["alpha", "Beta", "gamma", " delta ", "eps"];
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const fieldsArb: fc.Arbitrary<PresenceFields> = fc.record(
  {
    instanceId: maybe(fc.constantFrom("Alpha", "beta", "GAMMA")),
    host: maybe(fc.constantFrom("h1", "h2")),
    ip: maybe(fc.constantFrom("10.0.0.1", "10.0.0.2")),
    mode: maybe(fc.constantFrom("ui", "node")),
    reason: maybe(fc.constantFrom("connect", "periodic")),
    text: maybe(fc.constantFrom("hello", "née ✓", "a/b\"c")),
    lastInputSeconds: maybe(fc.oneof(fc.nat(100), fc.constant(Number.MAX_SAFE_INTEGER))),
    roles: maybe(fc.subarray(["operator", "node", "viewer"])),
    // Up to 34 scopes out of 40: unions pass the 32-item cap.
    scopes: maybe(fc.array(fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `s${i}`)), { maxLength: 34, size: "max" }).map((a) => [...new Set(a)])),
  },
  { requiredKeys: [] },
);

type Op =
  | { t: "upsert" | "open"; key: string; fields: PresenceFields; connectionIp?: string }
  | { t: "close" | "mark" | "touch" | "get"; key: string }
  | { t: "advance"; ms: number }
  | { t: "expire" | "list" }
  | { t: "self"; fields: PresenceFields };

const opArb = (ttl: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ t: fc.constant("upsert" as const), key: fc.constantFrom(...KEYS), fields: fieldsArb }) },
    {
      weight: 3,
      arbitrary: fc.record(
        { t: fc.constant("open" as const), key: fc.constantFrom(...KEYS), fields: fieldsArb, connectionIp: maybe(fc.constantFrom("192.168.1.9", "10.9.9.9")) },
        { requiredKeys: ["t", "key", "fields"] },
      ),
    },
    { weight: 2, arbitrary: fc.record({ t: fc.constantFrom("close" as const, "mark" as const, "touch" as const, "get" as const), key: fc.constantFrom(...KEYS) }) },
    // Some steps land exactly on the TTL (a row exactly ttlMs old stays) or one past it.
    { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: fc.oneof(fc.integer({ min: 0, max: Math.ceil(ttl * 0.7) }), fc.constantFrom(1, ttl, ttl + 1)) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constantFrom("expire" as const, "list" as const) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("self" as const), fields: fieldsArb }) },
  );

const scenarioArb = fc
  .record({ maxEntries: fc.integer({ min: 1, max: 5 }), ttlMs: fc.integer({ min: 1, max: 1000 }), withSelf: fc.boolean() })
  .chain((cfg) => fc.record({ cfg: fc.constant(cfg), ops: fc.array(opArb(cfg.ttlMs), { minLength: 10, maxLength: 50, size: "max" }) }));

async function apply(store: PresenceStore, op: Op): Promise<unknown> {
  switch (op.t) {
    case "upsert":
      return store.upsert(op.key, op.fields);
    case "open":
      return store.openConnection(op.key, op.fields, op.connectionIp ? { connectionIp: op.connectionIp } : {});
    case "close":
      return store.closeConnection(op.key);
    case "mark":
      return store.markDisconnected(op.key);
    case "touch":
      return store.touch(op.key);
    case "get":
      return store.get(op.key);
    case "expire":
      return store.expire();
    case "list":
      return store.list();
    case "self":
      return store.setSelf(op.fields);
    case "advance":
      return undefined;
  }
}

describe.skipIf(REDIS_MISSING !== undefined)(`redis store = memory store${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("gives the same results, rows and notifications for any sequence of operations", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ cfg, ops }) => {
        const clock = manualClock(1_000_000);
        const options = { maxEntries: cfg.maxEntries, ttlMs: cfg.ttlMs, clock };
        const memory = makeStore(options);
        const redis = await makeRedisStore(options);
        if (cfg.withSelf) {
          await memory.store.setSelf({ host: "gw", mode: "gateway" });
          await redis.store.setSelf({ host: "gw", mode: "gateway" });
        }
        for (const op of ops) {
          if (op.t === "advance") {
            clock.advance(op.ms);
            continue;
          }
          expect(await apply(redis.store, op), JSON.stringify(op)).toEqual(await apply(memory.store, op));
          expect(await redis.store.list()).toEqual(await memory.store.list());
        }
        expect(await redis.store.size()).toBe(await memory.store.size());
        expect(await redis.store.version()).toBe(await memory.store.version());
        expect(redis.changes).toEqual(memory.changes);
        await redis.store.close();
      }),
      { numRuns: 40 },
    );
  });
});
