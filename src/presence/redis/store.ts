/**
 * createRedisPresenceStore: one presence list shared by every gateway on the same Redis and prefix
 * (issue 12, docs/cluster.md). Every rule of SPEC §4-§6 holds cluster-wide because each operation is
 * one Lua script (./lua/), run atomically by Redis; changes reach the other gateways on a pub/sub
 * channel and are reported to this store's listeners like local ones.
 *
 * While Redis is out of reach the store keeps serving from a local memory store (./outage.ts),
 * seeded with the last list it knew, and writes this gateway's presence back when Redis returns.
 */
import type { PresenceEntry } from "../../protocol/presence.js";
import { ChangeFeed, RefreshSignal } from "../change-feed.js";
import { isEphemeralMode } from "../ephemeral.js";
import { cleanFields, normaliseKey, PresenceInputError } from "../merge.js";
import {
  isAdjustableClock,
  SELF_KEY,
  type KeyedPresenceEntry,
  type OpenConnectionOptions,
  type PresenceChange,
  type PresenceFields,
  type PresenceStore,
  type PresenceStoreStatus,
} from "../types.js";
import { RedisBackend, type ScriptReply } from "./backend.js";
import { fromFlat, parseChangeMessage, rowOrUndefined, toPairs, writtenRow } from "./codec.js";
import { KeyBatch } from "./key-batch.js";
import { Outage } from "./outage.js";
import { startTicker } from "./ticker.js";
import { resolveRedisOptions, type RedisPresenceStoreOptions } from "./options.js";

export interface RedisPresenceStore extends PresenceStore {
  /** This gateway's id in the cluster. */
  readonly gatewayId: string;
}

export function createRedisPresenceStore(options: RedisPresenceStoreOptions): RedisPresenceStore {
  const opts = resolveRedisOptions(options);
  const { clock, gatewayId } = opts;
  const feed = new ChangeFeed(opts.onListenerError);
  /** Rows' ts moved without a change (a `r: 1` message): cached listings are out of date. */
  const refresh = new RefreshSignal(opts.onListenerError);
  let state: "starting" | "healthy" | "degraded" | "closed" = "starting";

  const outage: Outage = new Outage(opts, {
    deliver,
    restore: (payload) => backend.call("presenceRestore", clock.now(), [JSON.stringify(payload)]).then(deliverReply),
    healthy: () => {
      if (state === "degraded") state = "healthy";
    },
    isReady: () => backend.isReady(),
  });

  const backend = new RedisBackend(opts, {
    lost: (reason) => lost(reason),
    ready: () => {
      if (state === "degraded") void outage.reconcile();
    },
    message: (json) => {
      const message = parseChangeMessage(json, gatewayId);
      if (!message || message.gatewayId === gatewayId) return;
      if (message.clockOffset !== undefined && isAdjustableClock(clock)) {
        clock.syncOffset(message.clockOffset);
        // Another gateway moved the clock: ages changed and live rows were refreshed without a
        // change event, so listeners read the list again (as the advancing gateway does).
        deliver([outage.resyncChange(outage.version)]);
      }
      deliver(message.changes);
      // A keep-alive refresh on that gateway (P7): not a change, but this gateway's cached listing
      // still has the old ts, while eviction (S2) and expiry (S1) go by the new one.
      if (message.refreshed) refresh.fire();
    },
  });

  const started = backend.ready(Math.max(opts.commandTimeoutMs, 1_000)).then((ready) => {
    if (state !== "starting") return;
    if (ready) state = "healthy";
    else lost(`not reachable at start${backend.lastError() ? `: ${backend.lastError()}` : ""}`);
  });

  function lost(reason: string): void {
    if (state !== "healthy" && state !== "starting") return;
    state = "degraded";
    outage.begin(reason);
  }

  function deliver(changes: readonly PresenceChange[]): void {
    for (const change of changes) {
      outage.observe(change);
      feed.queue(change);
    }
    feed.flush();
  }

  function deliverReply(reply: ScriptReply): ScriptReply {
    const message = parseChangeMessage(reply.changesJson, gatewayId);
    if (message) deliver(message.changes);
    if (message?.refreshed) refresh.fire();
    return reply;
  }

  /** Runs `remote` on Redis when it is healthy; otherwise (or when it fails) `local` on the fallback. */
  async function run<T>(remote: () => Promise<T>, local: (fallback: PresenceStore) => Promise<T>): Promise<T> {
    await started;
    for (;;) {
      if (state === "closed") throw new Error("redis presence store: closed");
      if (state === "healthy") {
        try {
          return await remote();
        } catch (error) {
          lost(error instanceof Error ? error.message : String(error));
        }
      }
      const fallback = await outage.fallback();
      // Written back while the local store was being made: Redis again.
      if (state !== "healthy") return local(fallback);
    }
  }

  function script(name: Parameters<RedisBackend["call"]>[0], args: readonly (string | number)[] = []): Promise<ScriptReply> {
    return backend.call(name, clock.now(), args).then(deliverReply);
  }

  async function read(op: string, key = ""): Promise<unknown> {
    return (await script("presenceRead", [op, key])).result;
  }

  /** SPEC P6: "close" (one connection of this gateway closed) or "mark" (markDisconnected). */
  function disconnect(mode: "close" | "mark", k: string): Promise<PresenceEntry | undefined> {
    return run(
      async () => rowOrUndefined((await script("presenceClose", [mode, k])).result),
      async (fallback) => {
        const local = await (mode === "close" ? fallback.closeConnection(k) : fallback.markDisconnected(k));
        if (local) outage.journal.add(k, { reason: "disconnect" });
        return local;
      },
    );
  }

  const touches = new KeyBatch((keys) =>
    run(
      async () => void (await script("presenceTouch", [...keys])),
      (fallback) => fallback.touch(keys),
    ),
  );

  const stopTicker = startTicker(opts, outage, {
    healthy: () => state === "healthy",
    tick: (args) => script("presenceTick", args),
    deliver,
    rejoin: () => {
      // Redis lost its data, or the others declared this gateway dead: write everything back.
      state = "degraded";
      outage.rejoin();
      void outage.reconcile();
    },
    lost: (error) => lost(error instanceof Error ? error.message : String(error)),
  });

  /** Self rows first (this gateway's keyed SELF_KEY, the others' SELF_KEY:id), then the rows newest first. */
  async function listKeyed(): Promise<KeyedPresenceEntry[]> {
    return run(
      async () => {
        const [selves, rows] = (await read("list")) as [Array<[string, unknown]>, Array<[string, unknown]>];
        const entries = rows.map(([key, flat]) => ({ key, entry: fromFlat(flat) }));
        outage.remember(entries);
        // The gateway's snapshot cache re-stamps every row whose key starts with SELF_KEY (SPEC P1).
        const own = selves.map(([id, flat]) => ({ key: id === gatewayId ? SELF_KEY : `${SELF_KEY}:${id}`, entry: fromFlat(flat) }));
        return [...own, ...entries.map((row) => ({ key: row.key, entry: { ...row.entry } }))];
      },
      (fallback) => fallback.listKeyed(),
    );
  }

  return {
    gatewayId,

    async setSelf(fields) {
      const clean = cleanFields(fields);
      outage.setSelf(clean);
      return run(
        async () => fromFlat(outage.selfReply((await script("presenceSelf", [opts.token, ...toPairs(clean)])).result)),
        (fallback) => fallback.setSelf(clean),
      );
    },

    async upsert(key, fields) {
      const k = normaliseKey(key);
      const clean = cleanFields(fields);
      if (clean.ip !== undefined) outage.reportedIp(k);
      return run(
        async () => writtenRow(await script("presenceWrite", ["upsert", k, clean.ip !== undefined ? "1" : "0", "", ...toPairs(clean)]), clean),
        async (fallback) => {
          outage.journal.add(k, clean);
          return fallback.upsert(k, clean);
        },
      );
    },

    async openConnection(key, fields, options: OpenConnectionOptions = {}) {
      const k = normaliseKey(key);
      const clean = cleanFields(fields);
      const ip = options.connectionIp;
      if (ip !== undefined && (typeof ip !== "string" || !ip.trim())) throw new PresenceInputError("connectionIp must be a non-empty string");
      const row = await run(
        async () => {
          const reply = await script("presenceWrite", ["open", k, clean.ip !== undefined ? "1" : "0", ip ?? "", ...toPairs(clean)]);
          return writtenRow(reply, ip !== undefined && clean.ip === undefined ? { ...clean, ip } : clean);
        },
        async (fallback) => {
          outage.journal.add(k, clean, ip);
          return fallback.openConnection(k, clean, options);
        },
      );
      outage.counted(k, +1, clean.reason);
      return row;
    },

    async closeConnection(key) {
      const k = normaliseKey(key);
      const row = await disconnect("close", k);
      outage.counted(k, -1);
      return row;
    },

    async markDisconnected(key) {
      return disconnect("mark", normaliseKey(key));
    },

    touch(keys) {
      return touches.add((typeof keys === "string" ? [keys] : [...keys]).filter((key) => key !== SELF_KEY).map(normaliseKey));
    },

    async get(key) {
      if (key === SELF_KEY) return run(async () => rowOrUndefined(await read("self")), (fallback) => fallback.get(SELF_KEY));
      const k = normaliseKey(key);
      return run(async () => rowOrUndefined(await read("get", k)), (fallback) => fallback.get(k));
    },

    async list() {
      return (await listKeyed()).map((row) => row.entry);
    },

    listKeyed,

    async expire() {
      return run(async () => Number(await read("expire")), (fallback) => fallback.expire());
    },

    async version() {
      return run(async () => Number(await read("version")), (fallback) => fallback.version());
    },

    async size() {
      return run(async () => Number(await read("size")), (fallback) => fallback.size());
    },

    onChange(listener) {
      return feed.subscribe(listener);
    },

    onRefresh(listener) {
      return refresh.subscribe(listener);
    },

    isEphemeral(mode) {
      return isEphemeralMode(mode, opts.ephemeralModes);
    },

    async advanceClock(ms) {
      if (!isAdjustableClock(clock)) throw new TypeError("presence store: this store's clock cannot be advanced (not an AdjustableClock)");
      clock.advance(ms); // checks ms (RangeError)
      await run(
        async () => {
          const reply = await backend.call("presenceAdvance", clock.now(), [ms]);
          clock.syncOffset(Number(reply.result));
        },
        async () => {
          // Written back with the rest (restore raises the cluster's offset to this gateway's).
        },
      );
      return clock.now();
    },

    status(): PresenceStoreStatus {
      return { backend: "redis", shared: true, healthy: state === "healthy", gatewayId, ...outage.counters() };
    },

    async close() {
      if (state === "closed") return;
      stopTicker();
      await started;
      await touches.settled();
      const left = state === "healthy" && (await script("presenceLeave").then(() => true, () => false));
      if (!left) outage.stoppedUnannounced();
      state = "closed";
      await outage.close();
      await backend.close();
    },
  };
}
