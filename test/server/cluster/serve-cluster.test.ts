/**
 * `serve --redis` (issue 12 item 5): two gateway processes on one real redis-server; one is killed
 * (SIGKILL: no close, no goodbye) and the survivor cleans up its rows within --dead-after-ms.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DEAD_AFTER_MS } from "../../../src/presence/redis/index.js";
import type { PresenceEntry } from "../../../src/protocol/index.js";
import { eventually } from "../../support/eventually.js";
import { REDIS_MISSING, startRedis, type RedisServer } from "../../support/redis-server.js";
import { WireClient, connectParams, list, rowOf } from "../helpers.js";
import { serve, urlOf } from "../serve/serve-process.js";
import { scaled } from "../../support/timing.js";

let redis: RedisServer | undefined;
beforeAll(async () => {
  if (!REDIS_MISSING) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function client(url: string, instanceId: string): Promise<WireClient> {
  const c = await WireClient.open(url);
  await c.result("connect", connectParams({ instanceId }));
  return c;
}

/** A process's command line as `ps` shows it (/proc/<pid>/cmdline). */
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");

const selfIds = (rows: PresenceEntry[]) => rows.filter((row) => row.reason === "self").map((row) => row.instanceId);

describe.skipIf(REDIS_MISSING !== undefined)(`serve --redis${REDIS_MISSING ? ` (skipped: ${REDIS_MISSING})` : ""}`, () => {
  it("two processes share one list; a killed gateway's self row goes and its clients' rows become disconnect rows", async () => {
    const common = ["--port", "0", "--redis", redis!.url, "--redis-prefix", `serve-${process.pid}`, "--dead-after-ms", "500"];
    const a = serve([...common, "--gateway-id", "gw-a"]);
    const b = serve([...common, "--gateway-id", "gw-b"]);
    const [urlA, urlB] = await Promise.all([urlOf(a), urlOf(b)]);
    await eventually(async () => expect(a.stdout()).toMatch(new RegExp(`cluster: gateway gw-a on redis://127\\.0\\.0\\.1:${redis!.port} prefix serve-`)));
    const watcher = await client(urlA, "watcher");
    await client(urlB, "on-b");
    expect(selfIds(await list(watcher)).sort()).toEqual(["gw-a", "gw-b"]);
    expect(rowOf(await list(watcher), "on-b")?.reason).toBe("connect");

    b.child.kill("SIGKILL");
    const killed = Date.now();
    await eventually(async () => {
      const rows = await list(watcher);
      expect(selfIds(rows)).toEqual(["gw-a"]);
      expect(rowOf(rows, "on-b")?.reason).toBe("disconnect");
    }, scaled(5_000));
    // Dead after 500 ms without a heartbeat, found by a tick of the survivor (every 100 ms here): in well
    // under a second on a quiet machine, and before the default deadAfterMs (10 s) on a busy one.
    expect(Date.now() - killed).toBeLessThan(DEFAULT_DEAD_AFTER_MS);
    await watcher.waitFor((f) => JSON.stringify(f).includes('"disconnect"'));
  });

  it("SIGTERM while Redis is frozen: exits at once, and says the others list it until its heartbeat is old", async () => {
    const s = serve(["--port", "0", "--redis", redis!.url, "--redis-prefix", `frozen-${process.pid}`, "--dead-after-ms", "500", "--gateway-id", "gw-frozen"]);
    await urlOf(s);
    await eventually(async () => expect(s.stdout()).toContain("cluster: gateway gw-frozen"));
    redis!.pause();
    try {
      await eventually(async () => expect(s.stdout()).toContain("Redis unreachable"), scaled(5_000));
      const signalled = Date.now();
      s.child.kill("SIGTERM");
      expect(await s.exit).toBe(0);
      // ioredis waited 2 s for the frozen Redis to close its side of each socket (its disconnectTimeout).
      expect(Date.now() - signalled).toBeLessThan(1_500);
    } finally {
      redis!.resume();
    }
    expect(s.stdout()).toMatch(
      /warning presence store: gateway gw-frozen stopped without leaving the cluster \(Redis unreachable\): the other gateways list its self row and connections until it has sent no heartbeat for 500 ms\n.*stopped\n/,
    );
  });

  it("keeps a password in --redis out of its output, and refuses a URL that is not redis://", async () => {
    const s = serve(["--port", "0", "--redis", `redis://:hunter2-secret@127.0.0.1:${redis!.port}`, "--gateway-id", "pw"]);
    const bad = serve(["--port", "0", "--redis", "http://u:hunter2-http@127.0.0.1:1"]);
    const unparsable = serve(["--port", "0", "--redis", "redis://:hunter2-port@127.0.0.1:notaport"]);
    const orphan = serve(["--port", "0", "--gateway-id", "x"]);
    const query = serve(["--port", "0", "--redis", `redis://127.0.0.1:${redis!.port}/?username=hunter2-user&password=hunter2-query&db=0`, "--gateway-id", "pwq"]);
    await urlOf(s);
    // serve prints its listening lines, then the cluster line: it may come in a later chunk.
    await eventually(async () => expect(s.stdout()).toContain("redis://***@127.0.0.1"));
    expect(s.stdout() + s.stderr()).not.toContain("hunter2");
    expect(cmdline(s.child.pid!)).not.toContain("hunter2"); // ps: the process title is replaced
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/--redis must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/\*\*\*@127\.0\.0\.1:1"/);
    expect(await unparsable.exit).toBe(2);
    expect(unparsable.stderr()).toMatch(/--redis is not a valid URL .*"redis:\/\/\*\*\*@127\.0\.0\.1:notaport"/);
    expect(bad.stderr() + bad.stdout() + unparsable.stderr() + unparsable.stdout()).not.toContain("hunter2");
    // ioredis reads its options from the query too: `?password=` is a password (it was printed as given).
    await urlOf(query);
    await eventually(async () => expect(query.stdout()).toContain(`redis://127.0.0.1:${redis!.port}/?username=***&password=***&db=***`));
    expect(query.stdout() + query.stderr()).not.toContain("hunter2");
    // In ps too: a password in the query is one as much as one before the `@` (it stayed in the title).
    expect(cmdline(query.child.pid!)).not.toContain("hunter2");
    expect(await orphan.exit).toBe(2);
    expect(orphan.stderr()).toMatch(/need --redis/);
  });
});
