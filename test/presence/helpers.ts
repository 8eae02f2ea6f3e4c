import { afterAll, afterEach } from "vitest";
import {
  createMemoryPresenceStore,
  manualClock,
  type ManualClock,
  type PresenceChange,
  type PresenceStore,
  type PresenceStoreOptions,
} from "../../src/presence/index.js";
import { createRedisPresenceStore, type RedisPresenceStoreOptions } from "../../src/presence/redis/index.js";
import { REDIS_MISSING, startRedis, type RedisServer } from "../support/redis-server.js";

export interface StoreKit {
  clock: ManualClock;
  store: PresenceStore;
  changes: PresenceChange[];
}

/** A store on a manual clock with the sweep timer off, plus every change it reports. */
export function makeStore(options: PresenceStoreOptions = {}, start = 1_000_000): StoreKit {
  const clock = manualClock(start);
  const store = createMemoryPresenceStore({ clock, sweepIntervalMs: 0, ...options });
  const changes: PresenceChange[] = [];
  store.onChange((change) => changes.push(change));
  return { clock, store, changes };
}

/** A store backend the rule tests run against: each one must pass the same SPEC tests. */
export interface Backend {
  name: "memory" | "redis";
  /** Why this backend's tests skip, if they do. */
  skip?: string;
  make(options?: PresenceStoreOptions, start?: number): Promise<StoreKit>;
}

let redis: Promise<RedisServer> | undefined;
let prefixes = 0;
const opened = new Set<PresenceStore>();

afterEach(async () => {
  await Promise.all([...opened].map((store) => store.close()));
  opened.clear();
});
afterAll(async () => {
  if (redis) await (await redis).stop();
  redis = undefined;
});

/** The real redis-server of this test file (started on first use, stopped after the file). */
export function redisServer(): Promise<RedisServer> {
  redis ??= startRedis();
  return redis;
}

/** A fresh key prefix on this file's Redis: a new, empty list. */
export function freshPrefix(): string {
  return `test-${process.pid}-${++prefixes}`;
}

/** A Redis store (closed after the test) with the test defaults: manual clock, no sweep timer. */
export async function makeRedisStore(options: Partial<RedisPresenceStoreOptions> = {}, start = 1_000_000): Promise<StoreKit & { gatewayId: string }> {
  const server = await redisServer();
  const clock = (options.clock as ManualClock | undefined) ?? manualClock(start);
  const store = createRedisPresenceStore({ url: server.url, prefix: freshPrefix(), gatewayId: "gw-a", sweepIntervalMs: 0, ...options, clock });
  opened.add(store);
  const changes: PresenceChange[] = [];
  store.onChange((change) => changes.push(change));
  return { clock, store, changes, gatewayId: store.gatewayId };
}

export const BACKENDS: Backend[] = [
  { name: "memory", make: async (options, start) => makeStore(options, start) },
  { name: "redis", skip: REDIS_MISSING, make: (options, start) => makeRedisStore(options, start) },
];
