/**
 * `npm run bench:gateway`: the reference gateway against a plain `ws` echo server in the same run,
 * load driven from several processes (load-child.ts) so the clients are not the ceiling.
 *
 *   beacons/s           50 clients x 400 system-event beacons, 5 and 8 in flight per client
 *   system-presence/s   2,000 calls on a 50-row list, one sequential caller per load process
 *   handshakes/s        200 handshakes, 20 at a time, each its own instanceId
 *                       (both also against a byte-matched echo: answers as large as the gateway's)
 *   fan-out p50/p99     a change to 50 and to 1,000 watchers (and with the delta stream)
 *   10,000 watchers     time to connect them (each its own instanceId) and RSS with them open
 *   idle RSS, CPU per beacon
 *
 * Every server runs in its own process, fresh for each run; the throughput figures are taken after
 * --warmup N unmeasured passes of the same load on it (default 3; the first pass's cold figures are
 * printed beside); figures are medians over --rounds alternating rounds (--short-rounds for the
 * `system-presence` calls and the handshakes, whose measured passes last about 0.1 s). Options: see USAGE
 * (`npm run bench:gateway -- --help`). Bounded: each run stops after its time limit, the whole bench
 * after 15 min.
 */
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_ROUNDS, DEFAULT_SHORT_ROUNDS, DEFAULT_WARMUP, KINDS, startBench } from "./lib/context.js";
import { connectMany, fanout, type ConnectFigures, type FanoutFigures } from "./lib/fanout.js";
import { report } from "./lib/report.js";
import type { ServerKind } from "./lib/servers.js";
import { beacons, calls, handshakes, type RateFigures } from "./lib/throughput.js";

const USAGE = `usage: npm run bench:gateway -- [--procs N] [--rounds N] [--short-rounds N] [--warmup N] [--quick] [--json FILE] [--check]
  --procs N     load processes (default 3)
  --rounds N    alternating gateway/echo rounds of the beacons; medians are printed (default ${DEFAULT_ROUNDS})
  --short-rounds N
                rounds for the system-presence calls and the handshakes (default ${DEFAULT_SHORT_ROUNDS}): their
                measured passes last about 0.1 s, so one round says little on a shared machine
  --warmup N    unmeasured passes of the same load before each measured throughput pass (default ${DEFAULT_WARMUP}; 0: measure a cold process)
  --quick       a tenth of the load (1,000 watchers instead of 10,000), for a smoke run
  --json FILE   also write the figures to FILE (docs/performance/bench.json; npm run bench:plot draws them)
  --check       exit 1 when a target is missed`;

/** The options; a mistyped one is refused (exit 2) rather than starting a 15-minute run without it. */
function options(): { procs: number; rounds: number; shortRounds: number; warmup: number; quick: boolean; jsonOut: string; check: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        procs: { type: "string" },
        rounds: { type: "string" },
        "short-rounds": { type: "string" },
        warmup: { type: "string" },
        quick: { type: "boolean" },
        json: { type: "string" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const count = (name: "procs" | "rounds" | "short-rounds" | "warmup", fallback: number, min: number) => {
      const n = Number(values[name] ?? String(fallback));
      const what = min === 1 ? "a positive integer" : "an integer >= 0";
      if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be ${what}, got ${JSON.stringify(values[name])}`);
      return n;
    };
    return {
      procs: count("procs", 3, 1),
      rounds: count("rounds", DEFAULT_ROUNDS, 1),
      shortRounds: count("short-rounds", DEFAULT_SHORT_ROUNDS, 1),
      warmup: count("warmup", DEFAULT_WARMUP, 0),
      quick: values.quick === true,
      jsonOut: values.json ?? "",
      check: values.check === true,
    };
  } catch (error) {
    console.error(`bench:gateway: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { procs, rounds, shortRounds, warmup, quick, jsonOut, check } = options();
const WATCHERS = quick ? 1000 : 10_000;

const guard = setTimeout(() => {
  console.error("bench:gateway: stopped after 15 minutes");
  process.exit(2);
}, 15 * 60_000);
guard.unref();

export type Pair<T> = Record<ServerKind, T>;

export interface BenchResults {
  date: string;
  /** loadAverage: os.loadavg() at the start (1, 5, 15 minutes); loadAverageEnd: the same when the figures were taken (older files have none). */
  machine: { cpu: string; cores: number; memoryGb: number; node: string; loadAverage: number[]; loadAverageEnd?: number[] };
  procs: number;
  rounds: number;
  /** Rounds of the `system-presence` calls and the handshakes (older files: `rounds`). */
  shortRounds?: number;
  /** Unmeasured passes before each measured throughput pass. */
  warmup?: number;
  quick: boolean;
  beacons5: Pair<RateFigures[]>;
  beacons8: Pair<RateFigures[]>;
  calls: Pair<RateFigures[]>;
  handshakes: Pair<RateFigures[]>;
  /**
   * The echo answering with frames as large as the gateway's answers (the 50-row list; hello-ok
   * with its snapshot), so both sides write the same bytes: what the targets are checked against.
   */
  callsMatched: RateFigures[];
  handshakesMatched: RateFigures[];
  fanout50: Pair<FanoutFigures>;
  fanout1000: Pair<FanoutFigures>;
  deltaFanout50: FanoutFigures;
  deltaFanout1000: FanoutFigures;
  connect: Pair<ConnectFigures>;
  idleRss: Pair<number[]>;
}

async function alternating(run: (kind: ServerKind) => Promise<RateFigures>): Promise<Pair<RateFigures[]>> {
  const out: Pair<RateFigures[]> = { gateway: [], echo: [] };
  for (let r = 0; r < rounds; r++) {
    for (const kind of r % 2 ? [...KINDS].reverse() : KINDS) out[kind].push(await run(kind));
  }
  return out;
}

/**
 * `count` rounds of `alternating`, plus a byte-matched echo each round: it answers with frames of the gateway's mean
 * answer size, as measured in the first gateway run (the gateway runs first in round 0).
 */
async function alternatingMatched(count: number, run: (kind: ServerKind, padTo?: number) => Promise<RateFigures>): Promise<Pair<RateFigures[]> & { matched: RateFigures[] }> {
  const out = { gateway: [] as RateFigures[], echo: [] as RateFigures[], matched: [] as RateFigures[] };
  const order = ["gateway", "echo", "matched"] as const;
  for (let r = 0; r < count; r++) {
    for (const kind of r % 2 ? [...order].reverse() : order) {
      if (kind === "matched") out.matched.push(await run("echo", Math.round(out.gateway[0]?.answerBytes ?? 0) || undefined));
      else out[kind].push(await run(kind));
    }
  }
  return out;
}

async function main(): Promise<void> {
  const ctx = await startBench(procs, { scale: quick ? 0.1 : 1, warmup });
  const { pool } = ctx;
  const date = new Date().toISOString();
  const machine = { cpu: cpus()[0]?.model ?? "?", cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: loadavg() };
  console.log(`bench:gateway ${date}: ${machine.cores} x ${machine.cpu}, ${machine.memoryGb} GB, node ${machine.node}, load ${machine.loadAverage.map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`${procs} load processes, ${rounds} rounds (${shortRounds} for calls and handshakes), ${warmup} warm-up passes before each measured throughput pass${quick ? ", QUICK (a tenth of the load)" : ""}`);
  try {
    const step = (name: string) => console.log(`.. ${name}`);
    step("beacons, 5 in flight");
    const beacons5 = await alternating((kind) => beacons(ctx, kind, 5));
    step("beacons, 8 in flight");
    const beacons8 = await alternating((kind) => beacons(ctx, kind, 8));
    step("system-presence calls (and a byte-matched echo)");
    const callFigures = await alternatingMatched(shortRounds, (kind, padTo) => calls(ctx, kind, padTo));
    step("handshakes (and a byte-matched echo)");
    const handshakeFigures = await alternatingMatched(shortRounds, (kind, padTo) => handshakes(ctx, kind, padTo));
    step("fan-out to 50 and 1,000 watchers");
    const fanout50g = await fanout(ctx, "gateway", 50);
    const fanout50e = await fanout(ctx, "echo", 50, { padTo: fanout50g.pushBytes });
    const fanout1000g = await fanout(ctx, "gateway", 1000);
    const fanout1000e = await fanout(ctx, "echo", 1000, { padTo: fanout1000g.pushBytes });
    const deltaFanout50 = await fanout(ctx, "gateway", 50, { caps: ["presence.delta"] });
    const deltaFanout1000 = await fanout(ctx, "gateway", 1000, { caps: ["presence.delta"] });
    step(`connecting ${WATCHERS} watchers`);
    const connectEcho = await connectMany(ctx, "echo", WATCHERS, 120_000);
    const connectGateway = await connectMany(ctx, "gateway", WATCHERS, 120_000);
    const results: BenchResults = {
      date,
      machine: { ...machine, loadAverageEnd: loadavg() },
      procs,
      rounds,
      shortRounds,
      warmup,
      quick,
      beacons5,
      beacons8,
      calls: { gateway: callFigures.gateway, echo: callFigures.echo },
      handshakes: { gateway: handshakeFigures.gateway, echo: handshakeFigures.echo },
      callsMatched: callFigures.matched,
      handshakesMatched: handshakeFigures.matched,
      fanout50: { gateway: fanout50g, echo: fanout50e },
      fanout1000: { gateway: fanout1000g, echo: fanout1000e },
      deltaFanout50,
      deltaFanout1000,
      connect: { gateway: connectGateway, echo: connectEcho },
      idleRss: ctx.idleRss,
    };
    const missed = report(results);
    if (jsonOut) {
      writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
      console.log(`figures written to ${jsonOut}`);
    }
    if (missed > 0 && check) process.exitCode = 1;
  } finally {
    await pool.stop();
  }
}

await main();
