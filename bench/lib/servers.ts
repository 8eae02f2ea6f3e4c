/** Starts, measures and stops the benchmark's server processes (server-child.ts). */
import { fork, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

export type ServerKind = "gateway" | "echo";

export interface ServerStats {
  rss: number;
  cpuMs: number;
  metrics: Record<string, number>;
}

export interface BenchServer {
  kind: ServerKind;
  url: string;
  /** RSS after start and a short idle pause, before any client connected. */
  idleRss: number;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

/**
 * Extra node options for the server processes, for profiling (docs/performance.md), e.g.
 * `BENCH_GATEWAY_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=.tmp/prof"`; BENCH_ECHO_NODE_OPTIONS likewise.
 */
function nodeOptions(kind: ServerKind): string[] {
  const value = process.env[kind === "gateway" ? "BENCH_GATEWAY_NODE_OPTIONS" : "BENCH_ECHO_NODE_OPTIONS"];
  return value ? value.split(/\s+/).filter(Boolean) : [];
}

/** `options`: createGateway's (gateway), or `{padTo}` for a byte-matched echo (server-child.ts). */
export async function startServer(script: string, kind: ServerKind, options: Record<string, unknown> = {}): Promise<BenchServer> {
  const child = fork(script, [kind, JSON.stringify(options)], { execArgv: nodeOptions(kind), stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.on("message", function onUrl(message: { op: string; url?: string }) {
      if (message.op !== "url") return;
      clearTimeout(timer);
      child.off("message", onUrl);
      resolve(message.url!);
    });
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  const stats = () => request(child);
  await sleep(500);
  const idleRss = (await stats()).rss;
  return { kind, url, idleRss, stats, stop: () => stop(child) };
}

function request(child: ChildProcess): Promise<ServerStats> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not answer stats")), 10_000);
    child.on("message", function onStats(message: { op: string } & ServerStats) {
      if (message.op !== "stats") return;
      clearTimeout(timer);
      child.off("message", onStats);
      resolve({ rss: message.rss, cpuMs: message.cpuMs, metrics: message.metrics });
    });
    child.send({ op: "stats" });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.send({ op: "stop" });
  const timer = setTimeout(() => child.kill("SIGKILL"), 8_000);
  await exited;
  clearTimeout(timer);
}
