/** One real redis-server for the enclosing describe block (started before its tests, stopped after). */
import { afterAll, beforeAll } from "vitest";
import { REDIS_MISSING, startRedis, type RedisServer } from "./redis-server.js";

/** `redis()` returns the block's server; nothing starts when redis-server is missing (the block skips). */
export function useRedis(): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    if (!REDIS_MISSING) server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error("redis-server is not running (useRedis outside a describe block, or REDIS_MISSING)");
    return server;
  };
}
