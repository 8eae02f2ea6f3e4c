/**
 * One client's pipeline does not stall the others (docs/security.md): another client's round trips
 * to a gateway child, with no flooder, then with 1 and with N clients sending 7-byte junk frames as
 * fast as they can (junk-flooder.ts, in a process of its own). The measuring client (127.0.0.3)
 * sends `system-presence` every 10 ms whatever is still unanswered (an open loop: a stalled gateway
 * shows in every request that waits, not in fewer samples) and times each answer. A fresh gateway
 * per phase. Bounded: each phase lasts `seconds`, answers are awaited at most 10 s after it.
 */
import { fork } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { startGatewayProcess } from "../gateway-process.js";
import { connectParams, RawClient } from "../raw-client.js";

const FLOODER = fileURLToPath(new URL("./junk-flooder.ts", import.meta.url));

export interface PipelinePhase {
  flooders: number;
  /** Round trips of the measuring client, ms. */
  samples: number;
  unanswered: number;
  p50: number;
  p99: number;
  max: number;
  /** Junk frames the flooders sent and answers they read during the phase. */
  junkSent: number;
  junkAnswers: number;
  seconds: number;
  /** The machine's 1-minute load average at the phase's end. */
  load: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

interface FlooderChild {
  done: Promise<{ sent: number; answers: number }>;
  stop(): void;
}

/** Forks junk-flooder.ts; resolves once its `count` clients are connected and flooding. */
async function startFlooders(url: string, count: number, ms: number): Promise<FlooderChild> {
  const child = fork(FLOODER, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const flooding = new Promise<void>((resolve, reject) => {
    child.on("message", (m: { type: string }) => m.type === "flooding" && resolve());
    void exited.then(() => reject(new Error("junk flooder exited before flooding")));
  });
  const done = new Promise<{ sent: number; answers: number }>((resolve) => {
    child.on("message", (m: { type: string; sent: number; answers: number }) => m.type === "done" && resolve(m));
    void exited.then(() => resolve({ sent: 0, answers: 0 }));
  });
  child.send({ url, count, ms });
  await flooding;
  return { done, stop: () => child.exitCode === null && child.kill("SIGKILL") };
}

async function phase(flooders: number, ms: number): Promise<PipelinePhase> {
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0 });
  let flood: FlooderChild | undefined;
  let client: RawClient | undefined;
  try {
    client = await RawClient.open(gw.url, { localAddress: "127.0.0.3" });
    const hello = await client.call("connect", connectParams({ id: "measured", mode: "cli" }));
    if (!hello.result) throw new Error(`measuring client refused: ${JSON.stringify(hello.error)}`);
    // Warm the path (the first answers include V8 compiling it).
    for (let i = 0; i < 50; i++) await client.call("system-presence");
    if (flooders > 0) flood = await startFlooders(gw.url, flooders, ms + 500);
    const rtts: number[] = [];
    const pending: Array<Promise<void>> = [];
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      const sent = performance.now();
      pending.push(client.call("system-presence").then((a) => void (a.result && rtts.push(performance.now() - sent))));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    const junk = flood ? await flood.done : { sent: 0, answers: 0 };
    const sorted = rtts.sort((a, b) => a - b);
    return {
      flooders,
      samples: pending.length,
      unanswered: pending.length - rtts.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1) ?? NaN,
      junkSent: junk.sent,
      junkAnswers: junk.answers,
      seconds: ms / 1000,
      load: loadavg()[0]!,
    };
  } finally {
    flood?.stop();
    client?.terminate();
    await gw.close();
  }
}

/** Phases with 0, 1 and `flooders` junk flooders, `seconds` each. */
export async function pipeline(o: { seconds?: number; flooders?: number } = {}): Promise<PipelinePhase[]> {
  const ms = (o.seconds ?? 5) * 1000;
  const out: PipelinePhase[] = [];
  for (const n of [...new Set([0, 1, o.flooders ?? 4])]) out.push(await phase(n, ms));
  return out;
}

export function printPipeline(phases: PipelinePhase[]): void {
  console.log("one client's pipeline does not stall the others (gateway child; another client at 127.0.0.3 sends system-presence every 10 ms):");
  for (const p of phases) {
    const who = p.flooders === 0 ? "no flooder" : `${p.flooders} junk-frame flooder${p.flooders > 1 ? "s" : ""} (127.0.0.2)`;
    const junk = p.flooders === 0 ? "" : `; junk frames ${(p.junkSent / p.seconds).toFixed(0)}/s sent, ${(p.junkAnswers / p.seconds).toFixed(0)}/s answered (PARSE_ERROR)`;
    console.log(`  ${who}: round trip p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, max ${p.max.toFixed(1)} ms (${p.samples} requests in ${p.seconds} s, ${p.unanswered} unanswered)${junk}; load ${p.load.toFixed(1)}`);
  }
}

/** Only what must hold however loaded the machine: every request of the other client answered. */
export function pipelineFailures(phases: PipelinePhase[]): string[] {
  return phases.filter((p) => p.unanswered > 0).map((p) => `pipeline: ${p.unanswered} of the other client's ${p.samples} requests unanswered with ${p.flooders} flooders`);
}
