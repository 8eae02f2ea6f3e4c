/**
 * A real redis-server for tests, on an ephemeral loopback port, without persistence (a restart loses
 * every key, like a Redis restart that lost its data). Stopped by the caller (or at process exit).
 * When redis-server is not installed (`npm test`'s pretest installs it where it can), REDIS_MISSING
 * says why and the suites that need it skip with that reason.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "./ports.js";

const BINARY = process.env.REDIS_SERVER ?? "redis-server";

/** Why Redis tests skip, or undefined when redis-server can run here. */
export const REDIS_MISSING: string | undefined = (() => {
  const probe = spawnSync(BINARY, ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? undefined : `redis-server not found (${BINARY}); npm test's pretest installs it with apt-get when it can`;
})();

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Its working directory (empty: nothing is saved), there while it runs, removed when it stops. */
  readonly dir: string;
  /** Stops the server (SIGTERM; nothing is saved). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Freezes / thaws the process (SIGSTOP / SIGCONT): Redis stops answering without closing connections. */
  pause(): void;
  resume(): void;
}

const running = new Set<ChildProcess>();
/** Each server's --dir (empty: nothing is saved), removed when it stops or the process exits. */
const dirs = new Set<string>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `run` with a fresh redis-server, stopped afterwards whatever happens. */
export async function withRedis(run: (redis: RedisServer) => Promise<void>): Promise<void> {
  const redis = await startRedis();
  try {
    await run(redis);
  } finally {
    await redis.stop();
  }
}

export async function startRedis(): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), "gp-redis-"));
    dirs.add(dir);
    let child: ChildProcess | undefined;
    try {
      child = await launch(port, dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
      if (attempt < 5) continue; // the port was taken between probing and binding
      throw error;
    }
    let current: ChildProcess | undefined = child;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      dir,
      async stop() {
        const c = current;
        current = undefined;
        if (c) await kill(c);
        rmSync(dir, { recursive: true, force: true });
        dirs.delete(dir);
      },
      async start() {
        if (current) return;
        mkdirSync(dir, { recursive: true });
        dirs.add(dir);
        current = await launch(port, dir);
      },
      pause: () => current?.kill("SIGSTOP"),
      resume: () => current?.kill("SIGCONT"),
    };
  }
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
  const child = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`redis-server did not start on port ${port}: ${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => fail(new Error(`redis-server exited (${String(code)}): ${output}`)));
    // Not installed (ENOENT) or not runnable: an error, not an unhandled 'error' event.
    child.once("error", (error) => fail(new Error(`cannot start ${BINARY}: ${error.message}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGCONT");
    child.kill("SIGTERM");
  });
}

