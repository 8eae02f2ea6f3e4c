/**
 * `presence.resync` (docs/delta.md D7) on a real redis-server, where reading the list takes a round
 * trip: a push round that goes out while the resync's list is being read must not leave the client
 * with a version that goes down (SPEC E1) or a list older than the push it already has. The store is
 * the real Redis store; the test only holds back the resync's read (its first list/expiry call)
 * until the round has gone out, which makes the interleaving certain instead of lucky.
 */
import { describe, expect, it } from "vitest";
import type { PresenceDeltaEvent, PresenceEntry } from "../../../src/protocol/index.js";
import { createRedisPresenceStore } from "../../../src/presence/redis/index.js";
import type { PresenceStore } from "../../../src/presence/types.js";
import { REDIS_MISSING, withRedis, type RedisServer } from "../../support/redis-server.js";
import { connectClient, startGateway, type Notification, type WireClient } from "../helpers.js";

/** The real Redis store; while `hold()` is armed, the next listKeyed/expire call waits for its release. */
function heldStore(redis: RedisServer) {
  let armed: { caught: () => void; release: Promise<void> } | undefined;
  let caught!: Promise<void>;
  let release!: () => void;
  const factory = (options: Parameters<typeof createRedisPresenceStore>[0]): PresenceStore => {
    const store = createRedisPresenceStore({ ...options, url: redis.url, prefix: `resync-${process.pid}-${Date.now()}`, gatewayId: "gw-a" });
    const held =
      <T,>(call: () => Promise<T>) =>
      async (): Promise<T> => {
        const gate = armed;
        armed = undefined;
        if (gate) {
          gate.caught();
          await gate.release;
        }
        return call();
      };
    return new Proxy(store, {
      get(target, name, receiver) {
        if (name === "listKeyed") return held(() => target.listKeyed());
        if (name === "expire") return held(() => target.expire());
        return Reflect.get(target, name, receiver);
      },
    });
  };
  return {
    factory,
    /** Holds the next read; resolves `caught` when it is held, `release()` lets it go on. */
    hold() {
      const released = new Promise<void>((resolve) => (release = resolve));
      caught = new Promise<void>((resolve) => (armed = { caught: resolve, release: released }));
      return { caught: () => caught, release: () => release() };
    },
  };
}

const versionOf = (n: Notification) => (n.params as { stateVersion: { presence: number } }).stateVersion.presence;

/** Waits until `count` notifications named `method` have arrived. */
async function notified(client: WireClient, method: string, count: number): Promise<Notification[]> {
  await client.waitFor(() => client.notifications(method).length >= count);
  return client.notifications(method);
}

describe.skipIf(REDIS_MISSING !== undefined)(`presence.resync racing a push round on Redis${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("a whole-list reader: the answer is never labelled below a push it already has, nor older than it", () =>
    withRedis(async (redis) => {
      const store = heldStore(redis);
      const gw = await startGateway({ store: store.factory });
      const { client: reader } = await connectClient(gw, { instanceId: "reader", mode: "ui" });
      const { client: writer } = await connectClient(gw, { instanceId: "writer", mode: "cli" });
      const before = (await notified(reader, "presence", 1)).length; // the writer's connect
      const gate = store.hold();
      const answer = reader.result<{ ok: true; stateVersion: { presence: number } }>("presence.resync");
      await gate.caught();
      // While the resync reads the list, a change is made and its round goes out to the reader.
      await writer.result("system-event", { instanceId: "beacon-1", text: "late" });
      const pushed = (await notified(reader, "presence", before + 1)).at(-1)!;
      expect(JSON.stringify(pushed.params)).toContain("beacon-1");
      gate.release();
      const result = await answer;
      const events = await notified(reader, "presence", before + 2);
      const resent = events.at(-1)!;
      // E1: versions never go down; the answer carries the version it says, and the newest list.
      expect(versionOf(resent)).toBeGreaterThanOrEqual(versionOf(pushed));
      expect(result.stateVersion.presence).toBe(versionOf(resent));
      expect(((resent.params as { presence: PresenceEntry[] }).presence).map((row) => row.instanceId)).toContain("beacon-1");
    }));

  it("a delta reader: the reset is never labelled below the delta it already has, and the next delta starts from the reset", () =>
    withRedis(async (redis) => {
      const store = heldStore(redis);
      const gw = await startGateway({ store: store.factory });
      const { client: reader } = await connectClient(gw, { instanceId: "reader", mode: "ui", extra: { caps: ["presence.delta"] } });
      const { client: writer } = await connectClient(gw, { instanceId: "writer", mode: "cli" });
      const before = (await notified(reader, "presence.delta", 1)).length;
      const gate = store.hold();
      const answer = reader.result<{ ok: true; stateVersion: { presence: number } }>("presence.resync");
      await gate.caught();
      await writer.result("system-event", { instanceId: "beacon-1", text: "late" });
      const delta = (await notified(reader, "presence.delta", before + 1)).at(-1)!;
      expect(JSON.stringify(delta.params)).toContain("beacon-1");
      gate.release();
      const result = await answer;
      const reset = (await notified(reader, "presence.delta", before + 2)).at(-1)!;
      expect((reset.params as PresenceDeltaEvent).reset).toBe(true);
      expect(versionOf(reset)).toBeGreaterThanOrEqual(versionOf(delta));
      expect(result.stateVersion.presence).toBe(versionOf(reset));
      expect(JSON.stringify(reset.params)).toContain("beacon-1");
      // The next change is a delta from what the reset said (D3): its baseVersion is the reset's version.
      await writer.result("system-event", { instanceId: "beacon-2", text: "next" });
      const next = (await notified(reader, "presence.delta", before + 3)).at(-1)!;
      expect((next.params as PresenceDeltaEvent).baseVersion).toBe(versionOf(reset));
      expect(JSON.stringify(next.params)).toContain("beacon-2");
    }));
});
