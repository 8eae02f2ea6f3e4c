/** Prints the bench's figures, the gateway/echo ratios and the issue's targets. */
import type { BenchResults, Pair } from "../gateway.js";
import type { FanoutFigures } from "./fanout.js";
import { fmt, mb, median, ratioInterval } from "./stats.js";
import type { RateFigures } from "./throughput.js";

export interface TargetCheck {
  name: string;
  value: number;
  /** "ratio" values are gateway/echo; others are absolute. */
  unit: string;
  limit: number;
  atLeast: boolean;
  met: boolean;
  /** Printed after the check (e.g. the raw ratio beside a byte-matched one). */
  note?: string;
  /**
   * Rate and CPU ratios: the 90 % bootstrap interval of the ratio over the rounds (stats.ts
   * ratioInterval); absent with fewer than 3 rounds.
   */
  interval?: [number, number];
}

const med = (runs: RateFigures[], pick: (r: RateFigures) => number) => median(runs.map(pick));

/** The issue's targets, computed from the results (also used by the plot). */
export function targets(r: BenchResults): TargetCheck[] {
  const ratio = (pair: Pair<RateFigures[]>, pick: (f: RateFigures) => number) => med(pair.gateway, pick) / med(pair.echo, pick);
  // Older figure files (before the byte-matched echo) have no matched runs: the plain echo then.
  const matched = (pair: Pair<RateFigures[]>, echo: RateFigures[] | undefined) => ratio({ gateway: pair.gateway, echo: echo?.length ? echo : pair.echo }, (f) => f.perSecond);
  const check = (name: string, value: number, unit: string, limit: number, atLeast: boolean): TargetCheck => ({
    name,
    value,
    unit,
    limit,
    atLeast,
    met: Number.isFinite(value) && (atLeast ? value >= limit : value <= limit),
  });
  const tenths = r.connect.gateway.perTenth;
  // Only meaningful when every connection was made (an aborted run has fewer tenths).
  const linearity = tenths.length === 10 ? tenths[9] / tenths[1] : Number.NaN;
  // The first warm-up pass's ratio (a fresh process, before V8 compiled its code), beside the measured one.
  const coldPair = (pair: Pair<RateFigures[]>, echo?: RateFigures[]): Pair<RateFigures[]> | undefined =>
    pair.gateway[0]?.cold && pair.echo[0]?.cold ? { gateway: pair.gateway, echo: echo?.length ? echo : pair.echo } : undefined;
  const cold = (pair: Pair<RateFigures[]> | undefined, pick: (c: NonNullable<RateFigures["cold"]>) => number): string | undefined =>
    pair && `cold (first warm-up pass): ${fmt(ratio(pair, (f) => (f.cold ? pick(f.cold) : Number.NaN)), 2)}`;
  const notes = (...parts: Array<string | undefined>) => parts.filter(Boolean).join("; ") || undefined;
  // Each round's own ratio (gateway and echo measured back to back in that round): the spread says
  // how far one run's median can be trusted on this machine.
  const rounds = (gateway: RateFigures[], echo: RateFigures[], pick: (f: RateFigures) => number): string | undefined =>
    gateway.length > 1 && echo.length === gateway.length ? `rounds ${gateway.map((g, i) => fmt(pick(g) / pick(echo[i]), 2)).join(" ")}` : undefined;
  const interval = (gateway: RateFigures[], echo: RateFigures[], pick: (f: RateFigures) => number): { interval?: [number, number] } => {
    const [low, high] = ratioInterval(gateway.map(pick), echo.map(pick));
    return Number.isFinite(low) ? { interval: [low, high] } : {};
  };
  const perSecond = (f: RateFigures) => f.perSecond;
  const cpu = (f: RateFigures) => f.cpuUs;
  const echoOf = (pair: Pair<RateFigures[]>, matchedRuns?: RateFigures[]) => (matchedRuns?.length ? matchedRuns : pair.echo);
  return [
    {
      ...check("beacons/s, 5 in flight", ratio(r.beacons5, perSecond), "x echo", 0.9, true),
      ...interval(r.beacons5.gateway, r.beacons5.echo, perSecond),
      note: notes(rounds(r.beacons5.gateway, r.beacons5.echo, perSecond), cold(coldPair(r.beacons5), (c) => c.perSecond)),
    },
    {
      ...check("beacons/s, 8 in flight", ratio(r.beacons8, perSecond), "x echo", 0.9, true),
      ...interval(r.beacons8.gateway, r.beacons8.echo, perSecond),
      note: notes(rounds(r.beacons8.gateway, r.beacons8.echo, perSecond), cold(coldPair(r.beacons8), (c) => c.perSecond)),
    },
    {
      ...check("system-presence calls/s (byte-matched echo)", matched(r.calls, r.callsMatched), "x echo", 0.85, true),
      ...interval(r.calls.gateway, echoOf(r.calls, r.callsMatched), perSecond),
      note: notes(
        rounds(r.calls.gateway, echoOf(r.calls, r.callsMatched), perSecond),
        `raw ratio to the plain echo (53-byte answers): ${fmt(ratio(r.calls, perSecond), 2)}`,
        cold(coldPair(r.calls, r.callsMatched), (c) => c.perSecond),
      ),
    },
    {
      ...check("handshakes/s (byte-matched echo)", matched(r.handshakes, r.handshakesMatched), "x echo", 0.85, true),
      ...interval(r.handshakes.gateway, echoOf(r.handshakes, r.handshakesMatched), perSecond),
      note: notes(
        rounds(r.handshakes.gateway, echoOf(r.handshakes, r.handshakesMatched), perSecond),
        `raw ratio to the plain echo (echoed connect frame): ${fmt(ratio(r.handshakes, (f) => f.perSecond), 2)}`,
        // Against the plain echo: the matched echo's answers are the size of the measured pass's
        // hello-ok (all the rows), the cold pass's are smaller (the list grows from the self row).
        cold(coldPair(r.handshakes), (c) => c.perSecond)?.replace("cold", "cold, raw"),
      ),
    },
    {
      ...check("CPU per beacon, 5 in flight", ratio(r.beacons5, cpu), "x echo", 1.2, false),
      ...interval(r.beacons5.gateway, r.beacons5.echo, cpu),
      note: notes(rounds(r.beacons5.gateway, r.beacons5.echo, cpu), cold(coldPair(r.beacons5), (c) => c.cpuUs)),
    },
    {
      ...check("CPU per beacon, 8 in flight", ratio(r.beacons8, cpu), "x echo", 1.2, false),
      ...interval(r.beacons8.gateway, r.beacons8.echo, cpu),
      note: notes(rounds(r.beacons8.gateway, r.beacons8.echo, cpu), cold(coldPair(r.beacons8), (c) => c.cpuUs)),
    },
    check("idle RSS", median(r.idleRss.gateway) / median(r.idleRss.echo), "x echo", 1.15, false),
    check(`${r.connect.gateway.target} watchers connect`, r.connect.gateway.connected < r.connect.gateway.target ? Number.POSITIVE_INFINITY : r.connect.gateway.seconds, "s", 20, false),
    check("connect cost: last tenth / second tenth", linearity, "", 2, false),
    check("fan-out to 1,000 watchers, p99", r.fanout1000.gateway.p99, "ms", 50, false),
    check(`RSS with ${r.connect.gateway.connected} connections`, r.connect.gateway.rss / 1048576, "MB", 300, false),
  ];
}

/** A byte-matched echo's line: its rate, and the gateway's ratio to it (the one the target checks). */
function matchedLine(name: string, gateway: RateFigures[], matched: RateFigures[] | undefined, withCold = true): void {
  if (!matched?.length) return;
  const g = med(gateway, (f) => f.perSecond);
  const e = med(matched, (f) => f.perSecond);
  console.log(
    `${name.padEnd(28)} byte-matched echo ${fmt(e).padStart(7)} /s (answers of ${fmt(matched[0].paddedTo ?? 0)} B)  ratio ${fmt(g / e, 2)}` +
      `   p50 ${fmt(med(matched, (f) => f.p50), 2)} ms  p99 ${fmt(med(matched, (f) => f.p99), 2)} ms  CPU ${fmt(med(matched, (f) => f.cpuUs), 1)} us`,
  );
  if (withCold) coldLine(gateway, matched, "/s", "matched echo");
}

function rateLine(name: string, pair: Pair<RateFigures[]>, unit: string): void {
  const g = (pick: (f: RateFigures) => number) => med(pair.gateway, pick);
  const e = (pick: (f: RateFigures) => number) => med(pair.echo, pick);
  const errors = pair.gateway.reduce((n, f) => n + f.errors, 0);
  const firstError = pair.gateway.find((f) => f.firstError)?.firstError;
  console.log(
    `${name.padEnd(28)} gateway ${fmt(g((f) => f.perSecond)).padStart(7)} ${unit}  echo ${fmt(e((f) => f.perSecond)).padStart(7)}` +
      `  ratio ${fmt(g((f) => f.perSecond) / e((f) => f.perSecond), 2)}   p50 ${fmt(g((f) => f.p50), 2)}/${fmt(e((f) => f.p50), 2)} ms` +
      `  p99 ${fmt(g((f) => f.p99), 2)}/${fmt(e((f) => f.p99), 2)} ms  CPU ${fmt(g((f) => f.cpuUs), 1)}/${fmt(e((f) => f.cpuUs), 1)} us` +
      `${pair.gateway[0]?.answerBytes ? `  answer ${fmt(med(pair.gateway, (f) => f.answerBytes ?? 0))}/${fmt(med(pair.echo, (f) => f.answerBytes ?? 0))} B` : ""}` +
      `${errors ? `  ${errors} ERRORS (${firstError})` : ""}`,
  );
  coldLine(pair.gateway, pair.echo, unit);
}

/** The first warm-up pass (a fresh process, before V8 compiled its code), when the figures have one. */
function coldLine(gateway: RateFigures[], echo: RateFigures[], unit: string, echoName = "echo"): void {
  if (!gateway[0]?.cold || !echo[0]?.cold) return;
  const g = (pick: (c: NonNullable<RateFigures["cold"]>) => number) => med(gateway, (f) => pick(f.cold!));
  const e = (pick: (c: NonNullable<RateFigures["cold"]>) => number) => med(echo, (f) => pick(f.cold!));
  console.log(
    `${"  (first pass, cold)".padEnd(28)} gateway ${fmt(g((c) => c.perSecond)).padStart(7)} ${unit}  ${echoName} ${fmt(e((c) => c.perSecond)).padStart(7)}` +
      `  ratio ${fmt(g((c) => c.perSecond) / e((c) => c.perSecond), 2)}   CPU ${fmt(g((c) => c.cpuUs), 1)}/${fmt(e((c) => c.cpuUs), 1)} us`,
  );
}

function fanoutLine(name: string, f: FanoutFigures): void {
  console.log(
    `${name.padEnd(34)} p50 ${fmt(f.p50, 1).padStart(6)} ms  p99 ${fmt(f.p99, 1).padStart(6)} ms  ${f.watchers} watchers x ${f.probes} probes,` +
      ` ${f.missed} missed, ${fmt(f.pushBytes)} B per push${f.errors ? `, ${f.errors} ERRORS (${f.firstError})` : ""}`,
  );
}

/** Prints everything; returns how many targets were missed. */
export function report(r: BenchResults): number {
  console.log("\n== figures (medians; gateway/echo where both)");
  rateLine("beacons, 5 in flight", r.beacons5, "/s");
  rateLine("beacons, 8 in flight", r.beacons8, "/s");
  rateLine("system-presence calls", r.calls, "/s");
  matchedLine("", r.calls.gateway, r.callsMatched);
  rateLine("handshakes", r.handshakes, "/s");
  // No cold line: the matched echo answers as large as the measured pass's hello-ok, larger than the cold pass's.
  matchedLine("", r.handshakes.gateway, r.handshakesMatched, false);
  fanoutLine("fan-out to 50, gateway", r.fanout50.gateway);
  fanoutLine("fan-out to 50, echo broadcast", r.fanout50.echo);
  fanoutLine("fan-out to 1,000, gateway", r.fanout1000.gateway);
  fanoutLine("fan-out to 1,000, echo broadcast", r.fanout1000.echo);
  fanoutLine("fan-out to 50, gateway, delta", r.deltaFanout50);
  fanoutLine("fan-out to 1,000, gateway, delta", r.deltaFanout1000);
  for (const kind of ["gateway", "echo"] as const) {
    const c = r.connect[kind];
    console.log(
      `connect ${c.target} (${kind.padEnd(7)}) ${c.connected} in ${fmt(c.seconds, 1)} s, RSS ${mb(c.rss)}; per tenth: ${c.perTenth.map((s) => fmt(s, 2)).join(" ")} s` +
        `${c.errors ? `, ${c.errors} ERRORS (${c.firstError})` : ""}`,
    );
  }
  console.log(`idle RSS: gateway ${mb(median(r.idleRss.gateway))}, echo ${mb(median(r.idleRss.echo))}`);
  console.log("\n== targets");
  let missed = 0;
  for (const t of targets(r)) {
    if (!t.met) missed++;
    console.log(
      `${t.met ? "ok    " : "MISSED"} ${t.name.padEnd(44)} ${fmt(t.value, 2).padStart(8)} ${t.unit.padEnd(6)} (${t.atLeast ? ">=" : "<="} ${t.limit})` +
        `${t.interval ? `  90% ${fmt(t.interval[0], 2)}-${fmt(t.interval[1], 2)}${straddles(t) ? " (the limit is inside: not settled by this run)" : ""}` : ""}` +
        `${t.note ? `  [${t.note}]` : ""}`,
    );
  }
  const busy = busyNote(r.machine);
  if (busy) console.log(`\n${busy}`);
  return missed;
}

/** The target's limit lies inside the ratio's interval: this run alone neither meets nor misses it clearly. */
function straddles(t: TargetCheck): boolean {
  return t.interval !== undefined && t.interval[0] < t.limit && t.limit < t.interval[1];
}

/**
 * A warning when other work shared the machine: a 1-minute load average above the number of cores
 * when the run started. Only the start counts: during the run the benchmark's own load processes
 * and servers keep about 2 to 4 processes busy, so the load at the end (printed, and kept in the
 * JSON) reads above 1 on a quiet machine, and a run started right after another starts at 1 to 1.5.
 * On the project's 2-core machines a busy run's ratios move by 0.1 to 0.3 (docs/performance.md), so
 * a single such run neither meets nor misses a target by itself.
 */
export function busyNote(machine: BenchResults["machine"]): string | undefined {
  const start = machine.loadAverage[0] ?? 0;
  if (start <= machine.cores) return undefined;
  const end = machine.loadAverageEnd?.[0];
  return (
    `NOTE: the machine was busy (1-minute load ${fmt(start, 2)} at the start${end === undefined ? "" : `, ${fmt(end, 2)} at the end`}, ${machine.cores} cores):` +
    " other processes shared the CPU with both servers and the load, so read these ratios as rough and compare runs made on a quiet machine."
  );
}
