// Issue 11: after any sequence of changes (connects, beacons, disconnects, expiry, eviction at the
// cap) and lost deltas (gaps, D6), a mirror fed by presence.delta equals one fed by whole lists, at
// the same version. fast-check drives a real gateway; both mirrors are real SDK clients.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type PresenceEntry } from "../../../src/index.js";
import type { Gateway } from "../../../src/server/index.js";
import { connectClient, startGateway, type WireClient } from "../../server/helpers.js";
import { isDeltaPush, LossySocket } from "../lossy-socket.js";
import { waitFor } from "../scripted-gateway.js";

type Command =
  | { kind: "connect"; k: number }
  | { kind: "disconnect"; k: number }
  | { kind: "beacon"; k: number; text: string }
  | { kind: "advance"; ms: number }
  | { kind: "lose" };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("connect" as const), k: fc.nat(9) }),
  fc.record({ kind: fc.constant("disconnect" as const), k: fc.nat(9) }),
  fc.record({ kind: fc.constant("beacon" as const), k: fc.nat(12), text: fc.string({ minLength: 1, maxLength: 12 }).filter((t) => /\S/.test(t)) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.constantFrom(1_000, 30_000, 61_000) }),
  // The delta mirror loses the next delta on its way (a gap it must see and resync from).
  fc.constant({ kind: "lose" as const }),
);

/** Sequences every run includes, so each kind of change is exercised whatever fast-check draws. */
const EXAMPLES: Command[][] = [
  // Eviction at the cap (6 rows, self included), a disconnect, then expiry past the TTL.
  [
    { kind: "connect", k: 1 },
    ...[2, 3, 4, 5, 6, 7].map((k) => ({ kind: "beacon" as const, k, text: `row ${k}` })),
    { kind: "disconnect", k: 1 },
    { kind: "advance", ms: 61_000 },
  ],
  // A lost delta in the middle of changes.
  [{ kind: "connect", k: 0 }, { kind: "lose" }, { kind: "beacon", k: 3, text: "after the loss" }, { kind: "connect", k: 2 }],
];

/** Newest first, and rows with equal ts in one canonical order (SPEC M1 orders by ts only). */
const canonical = (rows: readonly PresenceEntry[]) =>
  [...rows].map((row) => JSON.stringify(row)).sort((a, b) => JSON.parse(b).ts - JSON.parse(a).ts || (a < b ? -1 : a > b ? 1 : 0));

const isSorted = (rows: readonly PresenceEntry[]) => rows.every((row, i) => i === 0 || rows[i - 1].ts >= row.ts);

describe("delta-fed mirror = full-list mirror", () => {
  const clients: PresenceClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  const mirror = (gw: Gateway, presenceDelta: boolean) => {
    const c = createPresenceClient({
      url: gw.url,
      client: { id: "mirror", version: "1.0.0", platform: "linux", mode: "cli" },
      presenceDelta,
      reconnect: false,
      resyncDelayMs: 5,
      ...(presenceDelta ? { WebSocket: LossySocket } : {}),
    });
    clients.push(c);
    return c;
  };

  it("after random sequences of changes against the real gateway", async () => {
    // What the runs exercised, over all of them: the store's change kinds and the mirror's gaps.
    const seen = { upsert: 0, disconnect: 0, expire: 0, evict: 0, gaps: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        const gw = await startGateway({ testClock: true, ttlMs: 60_000, maxEntries: 6, rateLimit: { burst: 1000, perSecond: 1000 } });
        const delta = mirror(gw, true);
        const full = mirror(gw, false);
        await Promise.all([delta.connect(), full.connect()]);
        const socket = LossySocket.all.at(-1)!;
        gw.store.onChange((change) => seen[change.kind]++);
        delta.presence.on("gap", () => seen.gaps++);
        expect(delta.presence.deltaMode).toBe(true);
        expect(full.presence.deltaMode).toBe(false);
        const { client: writer } = await connectClient(gw, { mode: "cli" });
        const open = new Map<number, WireClient>();
        for (const c of commands) {
          if (c.kind === "connect" && !open.has(c.k)) open.set(c.k, (await connectClient(gw, { instanceId: `app-${c.k}` })).client);
          else if (c.kind === "disconnect" && open.has(c.k)) {
            await open.get(c.k)!.close();
            open.delete(c.k);
          } else if (c.kind === "beacon") await writer.result("system-event", { instanceId: `app-${c.k}`, text: c.text });
          else if (c.kind === "advance") await writer.result("test.clock.advance", { ms: c.ms });
          else if (c.kind === "lose") {
            let lost = false;
            socket.drop = (text) => !lost && isDeltaPush(text) && (lost = true);
          }
        }
        // Disconnects are recorded after the close: let the gateway settle, then compare at one version.
        await new Promise((resolve) => setTimeout(resolve, 30));
        // The final change's delta arrives: a delta lost before it shows as a gap, never as silence.
        socket.drop = () => false;
        await writer.result("system-event", { instanceId: "final", text: "end of sequence" });
        // Both hold the final row too: a reset (after a gap) is the current list labelled with the
        // latest round's version (D7), so it may hold the final change before the round announcing it
        // has reached the whole-list mirror; at that moment both are at one version with different lists.
        const final = (c: PresenceClient) => c.presence.get("final") !== undefined;
        await waitFor(
          () => delta.presence.version === gw.stateVersion() && full.presence.version === gw.stateVersion() && !delta.presence.stale && final(delta) && final(full),
          "both mirrors at the gateway's version, with the final change",
          5_000,
        );
        expect(isSorted(delta.presence.entries)).toBe(true);
        if (delta.presence.resyncCount === 0) expect(canonical(delta.presence.entries)).toEqual(canonical(full.presence.entries));
        else {
          // After a gap the delta mirror holds a reset: a listing, whose self row carries a fresh ts
          // (SPEC P1), not the ts of the round's push. Every other row is the same.
          const self = (rows: readonly PresenceEntry[]) => rows.find((row) => row.reason === "self")!;
          expect(self(delta.presence.entries).ts).toBeGreaterThanOrEqual(self(full.presence.entries).ts);
          const selfAt0 = (rows: readonly PresenceEntry[]) => rows.map((row) => (row.reason === "self" ? { ...row, ts: 0 } : row));
          expect(canonical(selfAt0(delta.presence.entries))).toEqual(canonical(selfAt0(full.presence.entries)));
        }
        for (const c of open.values()) c.terminate();
        await Promise.all(clients.splice(0).map((c) => c.close()));
        await gw.close();
      }),
      { numRuns: 25, examples: EXAMPLES.map((commands) => [commands]) },
    );
    expect(seen.upsert).toBeGreaterThan(0);
    expect(seen.disconnect).toBeGreaterThan(0);
    expect(seen.expire).toBeGreaterThan(0);
    expect(seen.evict).toBeGreaterThan(0);
    expect(seen.gaps).toBeGreaterThan(0);
  });
});
