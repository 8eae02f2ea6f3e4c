// Issue 11: after any sequence of changes (connects, beacons, disconnects, expiry, eviction at the
// cap), a mirror fed by presence.delta equals one fed by whole lists, at the same version.
// fast-check drives a real gateway; both mirrors are real SDK clients.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type PresenceEntry } from "../../src/index.js";
import type { Gateway } from "../../src/server/index.js";
import { connectClient, startGateway, type WireClient } from "../server/helpers.js";
import { waitFor } from "./scripted-gateway.js";

type Command =
  | { kind: "connect"; k: number }
  | { kind: "disconnect"; k: number }
  | { kind: "beacon"; k: number; text: string }
  | { kind: "advance"; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("connect" as const), k: fc.nat(9) }),
  fc.record({ kind: fc.constant("disconnect" as const), k: fc.nat(9) }),
  fc.record({ kind: fc.constant("beacon" as const), k: fc.nat(12), text: fc.string({ minLength: 1, maxLength: 12 }).filter((t) => /\S/.test(t)) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.constantFrom(1_000, 30_000, 61_000) }),
);

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
    });
    clients.push(c);
    return c;
  };

  it("after random sequences of changes against the real gateway", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        const gw = await startGateway({ testClock: true, ttlMs: 60_000, maxEntries: 6, rateLimit: { burst: 1000, perSecond: 1000 } });
        const delta = mirror(gw, true);
        const full = mirror(gw, false);
        await Promise.all([delta.connect(), full.connect()]);
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
        }
        // Disconnects are recorded after the close: let the gateway settle, then compare at one version.
        await new Promise((resolve) => setTimeout(resolve, 30));
        await writer.result("system-event", { instanceId: "final", text: "end of sequence" });
        await waitFor(
          () => delta.presence.version === gw.stateVersion() && full.presence.version === gw.stateVersion() && !delta.presence.stale,
          "both mirrors at the gateway's version",
          5_000,
        );
        expect(isSorted(delta.presence.entries)).toBe(true);
        expect(canonical(delta.presence.entries)).toEqual(canonical(full.presence.entries));
        for (const c of open.values()) c.terminate();
        await Promise.all(clients.splice(0).map((c) => c.close()));
        await gw.close();
      }),
      { numRuns: 25 },
    );
  });
});
