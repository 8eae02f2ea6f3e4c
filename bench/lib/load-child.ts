/**
 * A load process. The parent (load-pool.ts) sends one task at a time over IPC:
 * {op:"prepare", task} -> opens its sockets, answers "ready"; {op:"run"} -> runs the load, answers
 * "done" with the figures (a watch task runs until {op:"finish"}); {op:"close"} -> closes, "closed".
 * Several load processes run a task at once, so the load is not capped by one client process.
 * Times are monotonic milliseconds (comparable across processes). Every task is bounded in count
 * and time.
 */
import type WebSocket from "ws";
import { monoMs } from "./stats.js";
import { closeAll, openAndHandshake, openWithAnswer, pool } from "./sockets.js";
import { beaconFrame, classify, probesIn, requestFrame } from "./wire.js";

export type LoadTask =
  | { type: "beacons"; url: string; clients: number[]; perClient: number; window: number; durationMs: number }
  | { type: "calls"; url: string; clients: number; perClient: number; durationMs: number }
  | { type: "handshakes"; url: string; first: number; count: number; concurrency: number; durationMs: number }
  | { type: "watch"; url: string; count: number; caps?: string[] }
  | { type: "stall"; url: string; count: number }
  | { type: "connect-many"; url: string; first: number; count: number; concurrency: number; durationMs: number };

export interface LoadResult {
  /** Requests answered (beacons, calls, handshakes, connections, probes seen). */
  count: number;
  errors: number;
  firstError?: string;
  startMs: number;
  endMs: number;
  /** Round-trip latencies, fan-out delays, or (connect-many) completion times, in ms. */
  samples: number[];
  /** Frames and bytes received that were pushes (watch), or the mean size of an answer (calls, handshakes). */
  pushes?: number;
  bytes?: number;
}

interface Running {
  prepare(): Promise<void>;
  /** Runs the load; may run again on the same sockets (warm-up passes, load-pool.ts RoundHooks.warmup). */
  run(): Promise<LoadResult>;
  finish?(): void;
  close(): Promise<void>;
}

const errors = { count: 0, first: undefined as string | undefined };
function noteError(error: unknown): void {
  errors.count++;
  errors.first ??= error instanceof Error ? error.message : String(error);
}
function takeErrors(): { errors: number; firstError?: string } {
  const out = { errors: errors.count, firstError: errors.first };
  errors.count = 0;
  errors.first = undefined;
  return out;
}

/** Sends `total` requests with `window` in flight on one socket; records each round trip. */
function driveRequests(ws: WebSocket, total: number, window: number, frame: (id: number) => string, deadline: number, samples: number[]) {
  return new Promise<{ answered: number; bytes: number }>((resolve) => {
    // bytes: the mean size of an answer
    const sentAt = new Map<number, number>();
    let sent = 0;
    let answered = 0;
    let bytes = 0;
    const guard = setTimeout(() => finish(), Math.max(0, deadline - performance.now()));
    function finish() {
      clearTimeout(guard);
      ws.off("message", onMessage);
      resolve({ answered, bytes: answered > 0 ? bytes / answered : 0 });
    }
    function sendOne() {
      const id = ++sent;
      sentAt.set(id, performance.now());
      ws.send(frame(id));
    }
    function onMessage(data: Buffer) {
      const c = classify(data);
      if (c.kind !== "response") return;
      const started = sentAt.get(c.id);
      if (started === undefined) return;
      sentAt.delete(c.id);
      if (c.error) noteError(new Error(data.toString("utf8").slice(0, 300)));
      samples.push(performance.now() - started);
      bytes += data.length;
      answered++;
      if (sent < total) sendOne();
      else if (answered === total) finish();
    }
    ws.on("message", onMessage);
    for (let i = 0; i < window && sent < total; i++) sendOne();
  });
}

function createTask(task: LoadTask): Running {
  const sockets: WebSocket[] = [];
  const closeSockets = () => closeAll(sockets.splice(0));
  switch (task.type) {
    case "beacons":
      return {
        async prepare() {
          for (const i of task.clients) sockets.push(await openAndHandshake(task.url, { instanceId: `beacon-${i}`, mode: "backend" }));
        },
        async run() {
          const samples: number[] = [];
          const deadline = performance.now() + task.durationMs;
          const startMs = monoMs();
          const done = await Promise.all(
            sockets.map((ws, k) =>
              driveRequests(ws, task.perClient, task.window, (id) => beaconFrame(id, { text: `beacon ${task.clients[k]}/${id}`, lastInputSeconds: id % 600 }), deadline, samples),
            ),
          );
          return { count: done.reduce((n, d) => n + d.answered, 0), ...takeErrors(), startMs, endMs: monoMs(), samples };
        },
        close: closeSockets,
      };
    case "calls":
      return {
        async prepare() {
          for (let i = 0; i < task.clients; i++) sockets.push(await openAndHandshake(task.url, { mode: "cli" }));
        },
        async run() {
          const samples: number[] = [];
          const deadline = performance.now() + task.durationMs;
          const startMs = monoMs();
          const done = await Promise.all(sockets.map((ws) => driveRequests(ws, task.perClient, 1, (id) => requestFrame(id, "system-presence"), deadline, samples)));
          const bytes = done.reduce((n, d) => n + d.bytes * d.answered, 0) / Math.max(1, done.reduce((n, d) => n + d.answered, 0));
          return { count: done.reduce((n, d) => n + d.answered, 0), ...takeErrors(), startMs, endMs: monoMs(), samples, bytes };
        },
        close: closeSockets,
      };
    case "handshakes":
      return {
        async prepare() {},
        async run() {
          const samples: number[] = [];
          const startMs = monoMs();
          let bytes = 0;
          // Warm-up passes make the same connections (load-pool.ts RoundHooks.warmup): the measured
          // pass is then these clients connecting again, each changing its own row, and every
          // hello-ok carries all of their rows (a cold first pass grows the list from the self row).
          const options = (i: number) => ({ instanceId: `hs-${task.first + i}`, mode: "ui" });
          const count = await pool(task.count, task.concurrency, performance.now() + task.durationMs, async (i) => {
            const started = performance.now();
            try {
              const { ws, answerBytes } = await openWithAnswer(task.url, options(i));
              samples.push(performance.now() - started);
              bytes += answerBytes;
              await closeAll([ws]);
            } catch (error) {
              noteError(error);
            }
          });
          const meanBytes = samples.length > 0 ? bytes / samples.length : 0;
          return { count: samples.length, ...takeErrors(), startMs, endMs: monoMs(), samples: count >= 0 ? samples : [], bytes: meanBytes };
        },
        close: closeSockets,
      };
    case "watch": {
      const samples: number[] = [];
      let pushes = 0;
      let bytes = 0;
      let stop: (() => void) | undefined;
      return {
        async prepare() {
          await pool(task.count, 50, performance.now() + 60_000, async () => {
            try {
              const ws = await openAndHandshake(task.url, { mode: "cli", caps: task.caps });
              const seen = new Set<number>();
              ws.on("message", (data: Buffer) => {
                const received = monoMs();
                pushes++;
                bytes += data.length;
                for (const [n, sentMs] of probesIn(data)) {
                  if (seen.has(n)) continue;
                  seen.add(n);
                  samples.push(received - sentMs);
                }
              });
              sockets.push(ws);
            } catch (error) {
              noteError(error);
            }
          });
        },
        async run() {
          const startMs = monoMs();
          pushes = 0;
          bytes = 0;
          await new Promise<void>((resolve) => (stop = resolve));
          return { count: sockets.length, ...takeErrors(), startMs, endMs: monoMs(), samples, pushes, bytes };
        },
        finish: () => stop?.(),
        close: closeSockets,
      };
    }
    case "stall": {
      // Watchers that stop reading right after hello-ok; run() reports how they were closed.
      const closes: number[] = [];
      let stop: (() => void) | undefined;
      return {
        async prepare() {
          await pool(task.count, 50, performance.now() + 60_000, async () => {
            try {
              const ws = await openAndHandshake(task.url, { mode: "cli" });
              ws.on("close", (code) => closes.push(code));
              ws.pause();
              sockets.push(ws);
            } catch (error) {
              noteError(error);
            }
          });
        },
        async run() {
          const startMs = monoMs();
          await new Promise<void>((resolve) => (stop = resolve));
          // Read again: a socket the gateway closed finds the close frame after its data.
          for (const ws of sockets) ws.resume();
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          return { count: sockets.length, ...takeErrors(), startMs, endMs: monoMs(), samples: closes };
        },
        finish: () => stop?.(),
        close: () => closeAll(sockets.splice(0), 1_000),
      };
    }
    case "connect-many":
      return {
        async prepare() {},
        async run() {
          const samples: number[] = [];
          const startMs = monoMs();
          await pool(task.count, task.concurrency, performance.now() + task.durationMs, async (i) => {
            try {
              const ws = await openAndHandshake(task.url, { instanceId: `watcher-${task.first + i}`, mode: "ui" });
              samples.push(monoMs());
              sockets.push(ws);
            } catch (error) {
              noteError(error);
            }
          });
          return { count: samples.length, ...takeErrors(), startMs, endMs: monoMs(), samples };
        },
        close: closeSockets,
      };
  }
}

let current: Running | undefined;
process.on("message", (message: { op: string; task?: LoadTask }) => {
  const reply = (body: object) => process.send!(body);
  const fail = (error: unknown) => reply({ op: "error", message: error instanceof Error ? error.message : String(error) });
  switch (message.op) {
    case "prepare":
      current = createTask(message.task!);
      current.prepare().then(() => reply({ op: "ready", ...takeErrors() }), fail);
      break;
    case "run":
      current!.run().then((result) => reply({ op: "done", result }), fail);
      break;
    case "finish":
      current?.finish?.();
      break;
    case "close":
      (current?.close() ?? Promise.resolve()).then(() => reply({ op: "closed" }), fail);
      current = undefined;
      break;
    case "exit":
      process.exit(0);
  }
});
process.send!({ op: "started" });
