// The tests' own redis-server (test/support/redis-server.ts) leaves nothing behind: its --dir is
// removed when it stops and made again when it restarts (every Redis test and bench run used to leave
// an empty /tmp/gp-redis-* directory: 2,555 of them on one machine).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REDIS_MISSING, startRedis } from "../support/redis-server.js";

describe.skipIf(REDIS_MISSING !== undefined)(`the tests' redis-server${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("removes its directory when it stops, and makes it again for a restart", async () => {
    const redis = await startRedis();
    try {
      expect(existsSync(redis.dir)).toBe(true);
      await redis.stop();
      expect(existsSync(redis.dir)).toBe(false);
      await redis.start();
      expect(existsSync(redis.dir)).toBe(true);
    } finally {
      await redis.stop();
    }
    expect(existsSync(redis.dir)).toBe(false);
  });
});
