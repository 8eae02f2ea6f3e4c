/** The load processes (load-child.ts) and the prepare / run / close rounds the scenarios use. */
import { fork, type ChildProcess } from "node:child_process";
import type { LoadResult, LoadTask } from "./load-child.js";

interface Reply {
  op: string;
  result?: LoadResult;
  message?: string;
  errors?: number;
  firstError?: string;
}

class LoadProcess {
  constructor(private readonly child: ChildProcess) {}

  /** Sends `op` and waits for the reply `expect` (an "error" reply rejects). */
  call(op: object, expect: string, timeoutMs = 180_000): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`load process: no "${expect}" within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (reply: Reply) => {
        if (reply.op === expect) done(undefined, reply);
        else if (reply.op === "error") done(new Error(`load process: ${reply.message}`));
      };
      const onExit = (code: number | null) => done(new Error(`load process exited with ${code}`));
      const done = (error?: Error, reply?: Reply) => {
        clearTimeout(timer);
        this.child.off("message", onMessage);
        this.child.off("exit", onExit);
        if (error) reject(error);
        else resolve(reply!);
      };
      this.child.on("message", onMessage);
      this.child.once("exit", onExit);
      this.child.send(op);
    });
  }

  send(op: object): void {
    this.child.send(op);
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.send({ op: "exit" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    return exited.finally(() => clearTimeout(timer));
  }
}

export interface Round {
  results: LoadResult[];
  /** The first warm-up pass's results (RoundHooks.warmup: a cold process), else undefined. */
  warmup?: LoadResult[];
  /** Errors met while preparing (opening and handshaking), summed. */
  prepareErrors: number;
  firstError?: string;
}

export interface RoundHooks {
  /**
   * Run the tasks this many times first, unmeasured, on the same sockets: the measured pass then
   * meets a server whose code V8 has compiled, as in a long-running process, instead of timing the
   * JIT of a process started a moment ago (the gateway has far more code of its own to compile than
   * the echo). Beacons and calls leave the server as they found it; handshakes leave their rows.
   */
  warmup?: number;
  /** Before the first warm-up pass, and after it (e.g. read the server's CPU time for the cold figures). */
  beforeWarmup?: () => Promise<void>;
  afterColdPass?: () => Promise<void>;
  /** After every process prepared, before the load starts (e.g. read the server's CPU time). */
  beforeRun?: () => Promise<void>;
  /** While the tasks run; watch tasks stop when it returns. */
  during?: () => Promise<void>;
  /** After the load, before the sockets close (e.g. read the server's RSS with them open). */
  afterRun?: () => Promise<void>;
}

export class LoadPool {
  private constructor(readonly processes: LoadProcess[]) {}

  static async start(script: string, size: number): Promise<LoadPool> {
    const processes = await Promise.all(
      Array.from({ length: size }, async () => {
        const child = fork(script, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
        const process = new LoadProcess(child);
        await new Promise<void>((resolve, reject) => {
          child.once("message", () => resolve());
          child.once("exit", (code) => reject(new Error(`load process exited with ${code}`)));
        });
        return process;
      }),
    );
    return new LoadPool(processes);
  }

  get size(): number {
    return this.processes.length;
  }

  /**
   * One task per process (fewer tasks than processes leaves the rest idle): all prepare, then all run
   * at once; `during` runs while they do (watch tasks run until it returns); then all close.
   */
  async round(tasks: LoadTask[], hooks: RoundHooks = {}): Promise<Round> {
    const used = this.processes.slice(0, tasks.length);
    const ready = await Promise.all(used.map((p, i) => p.call({ op: "prepare", task: tasks[i] }, "ready")));
    let warmup: LoadResult[] | undefined;
    for (let pass = 0; pass < (hooks.warmup ?? 0); pass++) {
      if (pass === 0) await hooks.beforeWarmup?.();
      const results = (await Promise.all(used.map((p) => p.call({ op: "run" }, "done")))).map((r) => r.result!);
      if (pass === 0) {
        warmup = results;
        await hooks.afterColdPass?.();
      }
    }
    await hooks.beforeRun?.();
    const running = used.map((p) => p.call({ op: "run" }, "done"));
    if (hooks.during) {
      await hooks.during();
      for (const p of used) p.send({ op: "finish" });
    }
    const results = (await Promise.all(running)).map((r) => r.result!);
    await hooks.afterRun?.();
    await Promise.all(used.map((p) => p.call({ op: "close" }, "closed")));
    const prepareErrors = ready.reduce((n, r) => n + (r.errors ?? 0), 0);
    const firstError = ready.find((r) => r.firstError)?.firstError ?? results.find((r) => r.firstError)?.firstError;
    return { results, warmup, prepareErrors, firstError };
  }

  stop(): Promise<void> {
    return Promise.all(this.processes.map((p) => p.stop())).then(() => undefined);
  }
}

/** Splits `total` into `parts` near-equal shares. */
export function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** Merged figures of a round: count, errors, span from the first start to the last end. */
export function merge(round: Round): { count: number; errors: number; seconds: number; samples: number[]; firstError?: string } {
  const { results } = round;
  const start = Math.min(...results.map((r) => r.startMs));
  const end = Math.max(...results.map((r) => r.endMs));
  return {
    count: results.reduce((n, r) => n + r.count, 0),
    errors: results.reduce((n, r) => n + r.errors, 0) + round.prepareErrors,
    seconds: (end - start) / 1000,
    samples: results.flatMap((r) => r.samples),
    firstError: round.firstError,
  };
}
