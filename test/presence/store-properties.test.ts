/**
 * Property tests: random sequences of writes, disconnects, keep-alives, reads and clock moves,
 * checked after every step against the SPEC invariants and a small reference model of K3/K4.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SELF_KEY, type PresenceFields } from "../../src/presence/index.js";
import { BACKENDS, type Backend } from "./helpers.js";

const BASE_KEYS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"];
const STRING_FIELDS = ["host", "ip", "version", "platform", "mode", "reason", "text"] as const;

/** A key spelled in a random letter case with optional surrounding spaces. */
const keyArb = fc
  .tuple(fc.constantFrom(...BASE_KEYS), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), fc.boolean())
  .map(([base, upper, pad]) => {
    const cased = [...base].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch)).join("");
    return pad ? ` ${cased} ` : cased;
  });

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const fieldsArb: fc.Arbitrary<PresenceFields> = fc.record(
  {
    host: maybe(fc.constantFrom("h1", "h2", "h3")),
    ip: maybe(fc.constantFrom("10.0.0.1", "10.0.0.2")),
    version: maybe(fc.constantFrom("1.0", "2.0")),
    platform: maybe(fc.constantFrom("macos", "linux")),
    mode: maybe(fc.constantFrom("ui", "node")),
    reason: maybe(fc.constantFrom("connect", "periodic")),
    text: maybe(fc.constantFrom("hello", "bye")),
    lastInputSeconds: maybe(fc.nat(100)),
    roles: maybe(fc.subarray(["operator", "node", "viewer"])),
    scopes: maybe(fc.subarray(["operator.read", "operator.write"])),
  },
  { requiredKeys: [] },
);

type Op =
  | { t: "upsert"; key: string; withId: boolean; fields: PresenceFields }
  | { t: "disconnect"; key: string }
  | { t: "touch"; key: string }
  | { t: "advance"; ms: number }
  | { t: "expire" };

const opArb = (ttlMs: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ t: fc.constant("upsert" as const), key: keyArb, withId: fc.boolean(), fields: fieldsArb }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("disconnect" as const), key: keyArb }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("touch" as const), key: keyArb }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: Math.ceil(ttlMs * 0.8) }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("expire" as const) }) },
  );

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({ maxEntries: fc.integer({ min: 1, max: 6 }), ttlMs: fc.integer({ min: 1, max: 1000 }), withSelf: fc.boolean() })
  .chain((cfg) => fc.record({ cfg: fc.constant(cfg), ops: fc.array(opArb(cfg.ttlMs), { maxLength: 60 }) }));

/** What a row must hold: the last value written for each field since the row was (re)created. */
interface ModelRow {
  fields: Record<string, unknown>;
  roles: Set<string>;
  scopes: Set<string>;
}

interface Scenario {
  cfg: { maxEntries: number; ttlMs: number; withSelf: boolean };
  ops: Op[];
}

async function runScenario(backend: Backend, { cfg, ops }: Scenario): Promise<void> {
  const { store, clock, changes } = await backend.make({ maxEntries: cfg.maxEntries, ttlMs: cfg.ttlMs });
  const model = new Map<string, ModelRow>();
  store.onChange((c) => {
    if (c.kind === "evict" || c.kind === "expire") model.delete(c.key);
  });
  if (cfg.withSelf) await store.setSelf({ host: "gateway", mode: "gateway" });

  for (const op of ops) {
    const key = "key" in op ? op.key.trim().toLowerCase() : "";
    if (op.t === "upsert") {
      const fields: PresenceFields = op.withId ? { ...op.fields, instanceId: op.key } : op.fields;
      await store.upsert(op.key, fields);
      if ((await store.get(key)) === undefined) continue; // no room at all (maxEntries 1 + self)
      const row = model.get(key) ?? { fields: {}, roles: new Set<string>(), scopes: new Set<string>() };
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined || name === "roles" || name === "scopes") continue;
        row.fields[name] = name === "instanceId" ? (value as string).trim() : value;
      }
      fields.roles?.forEach((r: string) => row.roles.add(r));
      fields.scopes?.forEach((s: string) => row.scopes.add(s));
      model.set(key, row);
    } else if (op.t === "disconnect") {
      const row = await store.markDisconnected(op.key);
      expect(row === undefined).toBe(!model.has(key));
      if (row) model.get(key)!.fields.reason = "disconnect";
    } else if (op.t === "touch") {
      await store.touch(op.key);
    } else if (op.t === "advance") {
      clock.advance(op.ms);
    } else {
      await store.expire();
    }
    await checkInvariants();
  }

  async function checkInvariants(): Promise<void> {
    const rows = await store.list();
    const now = clock.now();
    // S2: never more than maxEntries rows, self included.
    expect(rows.length).toBeLessThanOrEqual(cfg.maxEntries);
    expect(await store.size()).toBe(rows.length);
    // P1: self always present, first, fresh.
    if (cfg.withSelf) {
      expect(rows[0]).toMatchObject({ host: "gateway", reason: "self", ts: now });
      expect(rows.filter((r) => r.reason === "self")).toHaveLength(1);
    }
    // S1: no row older than the TTL; M1: newest first.
    for (const row of rows) expect(now - row.ts).toBeLessThanOrEqual(cfg.ttlMs);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].ts).toBeGreaterThanOrEqual(rows[i].ts);
    // K1: one row per key whatever the letter case; K3/K4: the model's fields are all there.
    expect(rows.length).toBe(model.size + (cfg.withSelf ? 1 : 0));
    for (const [key, want] of model) {
      const got = await store.get(key.toUpperCase());
      expect(got).toBeDefined();
      expect(got).toMatchObject(want.fields);
      expect(new Set(got!.roles ?? [])).toEqual(want.roles);
      expect(new Set(got!.scopes ?? [])).toEqual(want.scopes);
      for (const name of STRING_FIELDS) if (!(name in want.fields)) expect(got).not.toHaveProperty(name);
    }
    // E1: versions grow by exactly one per reported change.
    expect(changes.map((c) => c.version)).toEqual(changes.map((_, i) => i + 1));
    expect(await store.version()).toBe(changes.length);
  }
}

/** Runs per backend: the Redis store does each step in Redis, so it gets fewer (still random) runs. */
const RUNS = { memory: { scenarios: 300, floods: 100 }, redis: { scenarios: 40, floods: 15 } };

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip !== undefined)(`${backend.name} store properties${backend.skip ? ` (skipped: ${backend.skip})` : ""}`, () => {
    it("holds the cap, self, TTL, case-insensitive identity, no-wipe merge and version rules", async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, (scenario) => runScenario(backend, scenario)),
        { numRuns: RUNS[backend.name].scenarios },
      );
    });

    it("a flood of distinct keys never exceeds the cap and always keeps self", async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 200 }), async (max, ids) => {
          const { store } = await backend.make({ maxEntries: max });
          await store.setSelf({ host: "gw" });
          for (const id of ids) {
            if (!id.trim()) continue;
            await store.upsert(id, { instanceId: id });
            expect(await store.size()).toBeLessThanOrEqual(max);
          }
          const rows = await store.list();
          expect(rows.length).toBeLessThanOrEqual(max);
          expect(await store.get(SELF_KEY)).toMatchObject({ host: "gw" });
          await store.close();
        }),
        { numRuns: RUNS[backend.name].floods },
      );
    });
  });
}
