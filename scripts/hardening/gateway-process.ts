/** Starts gateway-child.ts and talks to it: its URL, its memory after GC, closing it. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { GatewayListener, GatewayMetrics, GatewayOptions } from "../../src/server/index.js";

export interface GatewayMemory {
  /** Resident set size, bytes. */
  rss: number;
  /** V8 heap in use after two full GCs (unless asked without), bytes. */
  heapUsed: number;
  /** V8 heap reserved (committed pages of all spaces), bytes. */
  heapTotal: number;
  /** Anonymous memory resident (smaps_rollup: heap, malloc arenas, buffers), bytes; undefined off Linux. */
  anonymous?: number;
  /** Output queued in the process (sockets' writableLength, summed) and the sockets holding any. */
  socketQueues: { bytes: number; sockets: number };
  /** Memory of C++ objects bound to JS (Buffers and ArrayBuffers included), bytes. */
  external: number;
  /** ArrayBuffers and Buffers (part of external), bytes. */
  arrayBuffers: number;
  gcExposed: boolean;
  metrics: GatewayMetrics & { connections: number; overloaded: boolean; eventLoopDelayMs: number; eventLoopUtilization: number };
  logLines: number;
  lastLines: string[];
  /** The gateway's `error ...` log lines (the first 50). */
  errorLines: string[];
}

export interface GatewayProcess {
  readonly url: string;
  readonly listeners: readonly GatewayListener[];
  readonly pid: number;
  /** Memory after two full GCs; `{gc: false}`: as it is (what a GC would free still counted). */
  memory(options?: { gc?: boolean }): Promise<GatewayMemory>;
  /** The gateway's metrics now (no GC first, unlike memory()). */
  metrics(): Promise<GatewayMemory["metrics"]>;
  /** Closes the gateway and waits for the process to exit (killed after 10 s). */
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./gateway-child.ts", import.meta.url));

/** Options must be plain data (they cross the IPC channel); the child sets its own logger. */
export async function startGatewayProcess(options: Omit<GatewayOptions, "logger" | "store">): Promise<GatewayProcess> {
  const child: ChildProcess = fork(CHILD, [], { execArgv: ["--expose-gc", "--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const next = <T>(type: string, timeoutMs = 30_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      const timer = setTimeout(() => (done(), reject(new Error(`gateway child: no ${type} within ${timeoutMs} ms`))), timeoutMs);
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        done();
        resolve(message as T);
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`gateway child exited (${code}) before ${type}`));
      };
      child.on("message", onMessage);
      child.on("exit", onExit);
    });
  const started = next<{ url: string; listeners: GatewayListener[] }>("started");
  child.send({ type: "start", options });
  const { url, listeners } = await started;
  return {
    url,
    listeners,
    pid: child.pid!,
    async memory(options = {}) {
      const answer = next<GatewayMemory>("memory");
      child.send({ type: "memory", gc: options.gc });
      return answer;
    },
    async metrics() {
      const answer = next<{ metrics: GatewayMemory["metrics"] }>("metrics");
      child.send({ type: "metrics" });
      return (await answer).metrics;
    },
    async close() {
      if (child.exitCode === null && child.connected) {
        const closed = next("closed").catch(() => undefined);
        child.send({ type: "close" });
        await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
      }
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

export const MB = 1024 * 1024;
export const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
