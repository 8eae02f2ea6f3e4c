/**
 * Before a run against several gateways (`conform --url A --url B`): do they share one presence list?
 * A row made on the first gateway must be listed by each of the others (docs/cluster.md: one list for
 * the cluster). Gateways that each keep their own list are not one cluster, and a run over them would
 * fail nearly every scenario whose actors land on two of them, each failure naming a rule (B1, D3,
 * E1, ...) that every gateway may well keep on its own. So the run stops before any scenario and says
 * what was seen instead (a run error: conform exits 2), and the reader checks each gateway alone or
 * the cluster's shared store.
 */
import type { ScenarioResult } from "../report/results.js";
import type { Scenario } from "../scenario/scenario.js";
import type { Step } from "../scenario/steps.js";
import type { RunConfig } from "./context.js";
import { runScenario } from "./scenario-runner.js";

const ROW = "${run}-shared-list";

/** The check as a scenario: a planter on gateway 0, a cli watcher on each other gateway that lists until the row shows. */
function sharedListScenario(gateways: number, waitMs: number): Scenario {
  const watchers = Array.from({ length: gateways - 1 }, (_, i) => i + 1);
  const steps: Step[] = [{ step: "connect", actor: "planter" }];
  for (const g of watchers) {
    steps.push({ step: "connect", actor: `watcher${g}` });
    steps.push({ step: "list", actor: `watcher${g}`, eventuallyMs: waitMs, contains: [{ instanceId: ROW }], title: `gateway ${g + 1} lists the row made on gateway 1` });
  }
  return {
    id: "shared-list",
    title: "the gateways given share one presence list",
    rules: ["M1"],
    level: "MUST",
    actors: {
      planter: { client: { instanceId: ROW }, gateway: 0 },
      ...Object.fromEntries(watchers.map((g) => [`watcher${g}`, { client: { mode: "cli" }, gateway: g }])),
    },
    steps,
  };
}

/** The step a check belongs to: check ids start with the step's 1-based position (`3-list`). */
const stepOf = (checkId: string): number => Number.parseInt(checkId, 10);

/**
 * Undefined when every gateway after the first lists a row made on the first within `stepTimeoutMs`;
 * otherwise why the run cannot treat them as one cluster, naming the gateways that did not list it.
 */
export async function sharedListProblem(config: RunConfig, timeoutMs: number): Promise<string | undefined> {
  const { urls } = config;
  if (urls.length < 2) return undefined;
  const waitMs = config.stepTimeoutMs;
  const scenario = sharedListScenario(urls.length, waitMs);
  // Each watcher's connect and list wait at most a step timeout; the planter's connect one more.
  const result: ScenarioResult = await runScenario(scenario, config, { strict: true, timeoutMs: Math.max(timeoutMs, waitMs * (2 * urls.length + 1)) });
  if (result.status === "passed") return undefined;
  const failed = result.checks.filter((c) => c.status === "failed");
  const listSteps = new Map(scenario.steps.flatMap((s, i) => (s.step === "list" ? [[i + 1, Number(s.actor.slice("watcher".length))] as const] : [])));
  const notListed = failed.filter((c) => listSteps.has(stepOf(c.id))).map((c) => urls[listSteps.get(stepOf(c.id))!]!);
  const other = failed.filter((c) => !listSteps.has(stepOf(c.id)));
  const row = `instanceId "${config.runId}-shared-list"`;
  const stop = "so they are not the gateways of one cluster and no scenario was run (give the --url of one cluster's gateways, or check each gateway in a run of its own)";
  if (other.length === 0 && notListed.length > 0) {
    return (
      `the gateways do not share one presence list: a row made on ${urls[0]} (${row}) was not listed by ${notListed.join(", ")} ` +
      `within ${waitMs} ms (${config.words.stepTimeout}), ${stop}`
    );
  }
  // No failed check: the check itself was not run (a gateway stopped accepting connections, or refused them).
  const why = other.length ? other.map((c) => `${c.title}: ${c.message}`).join("; ") : (result.reason ?? result.status).replace(/^not run: /, "");
  return `could not check that the gateways share one presence list (a row made on ${urls[0]}, listed on the others): ${why}`;
}
