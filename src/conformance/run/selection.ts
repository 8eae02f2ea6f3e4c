/**
 * Which scenarios a run takes: `--only`/`--skip` (scenario or rule ids), then the run's mode (a default
 * or a real-time run, one gateway or a cluster: `gatewayUrls`). A selection that selects nothing, or
 * only scenarios the mode leaves out, is refused before anything starts.
 */
import type { LoadedScenario } from "../scenario/fixtures.js";
import type { Scenario } from "../scenario/scenario.js";
import { belongsToRealTimeRun } from "./real-time.js";

const RULE_ID = /^[A-Z]\d+$/;

/** Whether an `--only`/`--skip` entry (a scenario id, or a rule id such as `K1`) selects the scenario. */
const hits = (entry: string, s: Scenario) => (RULE_ID.test(entry) ? (s.rules as string[]).includes(entry) : s.id === entry);

/**
 * The scenarios `only`/`skip` select; an entry that selects nothing is an error (a typo), and so is a
 * `skip` that leaves nothing of what `only` (or the whole set) holds: a run of no scenario would pass.
 * The scenarios marked `runLast` come after the others.
 */
export function selectScenarios(all: LoadedScenario[], only?: string[], skip?: string[]): LoadedScenario[] {
  for (const [option, entries] of [["--only", only], ["--skip", skip]] as const) {
    for (const entry of entries ?? []) {
      if (all.some(({ scenario }) => hits(entry, scenario))) continue;
      const upper = entry.toUpperCase();
      const rule = RULE_ID.test(upper) && all.some(({ scenario }) => hits(upper, scenario)) ? ` (rule ids are upper case: ${upper})` : "";
      throw new Error(`${option} "${entry}" matches no scenario id or rule${rule}`);
    }
  }
  const chosen = all.filter(({ scenario }) => !only?.length || only.some((e) => hits(e, scenario)));
  const kept = chosen.filter(({ scenario }) => !skip?.some((e) => hits(e, scenario)));
  if (kept.length === 0 && chosen.length > 0) {
    const skipped = `--skip "${skip!.join(",")}"`;
    const n = chosen.length === 1 ? `the 1 scenario` : `all ${chosen.length} scenarios`;
    throw new Error(only?.length ? `${skipped} leaves out ${n} --only "${only.join(",")}" selects, so no scenario would run` : `${skipped} leaves out ${n}, so no scenario would run`);
  }
  // Scenarios that leave a heavy trace (runLast) go after the others, each group in file order.
  return [...kept.filter(({ scenario }) => !scenario.runLast), ...kept.filter(({ scenario }) => scenario.runLast)];
}

/**
 * A default run leaves out the real-time scenarios (they wait minutes, and are not "skipped": they
 * belong to the other run); a real-time run takes only the scenarios that wait on the wall clock.
 * A run against one gateway leaves out the cross-gateway scenarios the same way (they belong to a
 * run against a cluster, `--url A --url B`); `cluster` says the run has two or more gateways.
 */
export function scenariosForMode(selected: LoadedScenario[], realTime: boolean, cluster = false): { run: LoadedScenario[]; leftOut: LeftOutScenario[]; notSelected?: string } {
  const left = selected.map(({ scenario }) => leftOutBy(scenario, realTime, cluster));
  const note = (reason: LeftOut, one: string, many: string, rest: string) => {
    const n = left.filter((r) => r === reason).length;
    return n && `${n} ${n === 1 ? one : many} ${rest}`;
  };
  const run = selected.filter((_, i) => left[i] === undefined);
  const notes = realTime
    ? realTimeNotes(selected, run, cluster)
    : [
        note("real-time", "real-time scenario is", "real-time scenarios are", "left to a --real-time run"),
        note("cluster", "cross-gateway scenario is", "cross-gateway scenarios are", "left to a run against a cluster (--url A --url B)"),
      ].filter(Boolean);
  const leftOut = selected.flatMap((loaded, i) => {
    const kind = left[i];
    return kind === undefined ? [] : [{ ...loaded, kind, reason: `left out of this run: ${describeLeftOut([kind])}` }];
  });
  return { run, leftOut, ...(notes.length ? { notSelected: notes.join("; ") } : {}) };
}

/** Why a mode leaves a scenario out: it belongs to the real-time run, the default run, or a run against a cluster. */
export type LeftOut = "real-time" | "default" | "cluster";

/** A selected scenario the run's mode leaves out, and why (which option would run it, in conform's words). */
export interface LeftOutScenario extends LoadedScenario {
  kind: LeftOut;
  reason: string;
}

/**
 * What a real-time run leaves to the other runs, counted as those runs count them: the default run
 * (which also has the slow scenarios this one runs, e.g. e3-tick) and, with one gateway, a run
 * against a cluster.
 */
function realTimeNotes(selected: LoadedScenario[], run: LoadedScenario[], cluster: boolean): string[] {
  const other = scenariosForMode(selected, false, cluster);
  const both = other.run.filter((s) => run.includes(s));
  const onlyThere = other.run.length - both.length;
  const clusterRun = other.leftOut.filter((s) => s.kind === "cluster").length;
  const ids = both.map(({ scenario }) => scenario.id);
  const named = ids.length > 1 ? `${ids.slice(0, -1).join(", ")} and ${ids.at(-1)}` : ids.join("");
  const also = both.length ? `, which counts ${other.run.length}: ${named} ${both.length === 1 ? "runs" : "run"} in both` : "";
  return [
    onlyThere && `${onlyThere} ${onlyThere === 1 ? "scenario that needs no long wait is" : "scenarios that need no long wait are"} left to the default run${also}`,
    clusterRun && `${clusterRun} cross-gateway scenario${clusterRun === 1 ? " is" : "s are"} left to a run against a cluster (--url A --url B)`,
  ].filter((n): n is string => Boolean(n));
}

/** Why the mode leaves a scenario out of the run, if it does. */
function leftOutBy(scenario: Scenario, realTime: boolean, cluster: boolean): LeftOut | undefined {
  if (realTime && !belongsToRealTimeRun(scenario)) return "default";
  if (!realTime && scenario.requires?.includes("realTime")) return "real-time";
  if (!cluster && scenario.requires?.includes("cluster")) return "cluster";
  return undefined;
}

const WHAT: Record<LeftOut, string> = {
  "real-time": "real-time scenarios: add --real-time",
  default: "scenarios of the default run (no long wait): leave out --real-time",
  cluster: "cluster scenarios (x*, across gateways): give two --url (the gateways of one cluster: --url A --url B)",
};

/** What the mode leaves out and the option that would run it, in conform's words. */
const describeLeftOut = (left: (LeftOut | undefined)[]) => [...new Set(left)].map((r) => WHAT[r!]).join("; or ");

/**
 * Why a selection cannot run in this mode, or undefined: an `--only` entry whose scenarios the mode
 * all leaves out (`--only x1-...` against one gateway, a real-time scenario without `--real-time`), or
 * a selection (`--fixtures`, `--skip`) left empty by the mode. Names the option that would run them.
 * `selected` is what selectScenarios returned.
 */
export function modeSelectionProblem(selected: LoadedScenario[], only: string[] | undefined, realTime: boolean, cluster: boolean): string | undefined {
  const reasons = (scenarios: LoadedScenario[]) => scenarios.map(({ scenario }) => leftOutBy(scenario, realTime, cluster));
  for (const entry of only ?? []) {
    const left = reasons(selected.filter(({ scenario }) => hits(entry, scenario)));
    if (left.length > 0 && left.every((r) => r !== undefined)) return `--only "${entry}" matches only ${describeLeftOut(left)}`;
  }
  const left = reasons(selected);
  if (left.length > 0 && left.every((r) => r !== undefined)) return `the ${left.length} selected scenario${left.length === 1 ? " is" : "s are"} all left out of this run: ${describeLeftOut(left)}`;
  return undefined;
}

/**
 * The distinct gateways of a run: `url` first, then the other `urls`, each gateway once. Two URLs are
 * the same gateway when they are equal once parsed (WHATWG URL: scheme and host lowercased, default
 * port and empty path dropped: `ws://A:80` = `ws://a/`); the first spelling is kept. Two or more
 * make the run a cluster run. `url` undefined: only `urls` (a suite whose url is not known yet).
 */
export function gatewayUrls(url: string | undefined, urls: readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  return [...(url === undefined ? [] : [url]), ...(urls ?? [])].filter((u) => {
    const key = sameGatewayKey(u);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sameGatewayKey(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url; // not a URL: compared as written (the probe reports it)
  }
}
