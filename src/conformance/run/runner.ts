/** runConformance: probe the gateway, run the selected scenarios one after the other, apply the baseline. */
import type { ClientBinding } from "../../transport/binding.js";
import { jsonRpcBinding } from "../../transport/jsonrpc.js";
import { openClawBinding } from "../../transport/openclaw.js";
import { declareActor, buildConnectParams, handshake, openActor } from "./actors.js";
import { applyBaseline } from "../report/baseline.js";
import { detectCapabilities, type Capabilities } from "./capabilities.js";
import { ScenarioContext, type RunConfig } from "./context.js";
import { loadScenarios, type LoadedScenario } from "../scenario/fixtures.js";
import { redactValue } from "../report/redact.js";
import type { ProgressEvent, RunResult, ScenarioResult } from "../report/results.js";
import type { Capability, Scenario } from "../scenario/scenario.js";
import { DEFAULT_SCENARIO_TIMEOUT_MS, runScenario, skippedResult } from "./scenario-runner.js";
import { summarize } from "../report/summary.js";

export interface ConformanceOptions {
  /** ws:// or wss:// URL of the gateway under test. */
  url: string;
  /** Default `jsonrpc`. */
  binding?: ClientBinding | "jsonrpc" | "openclaw";
  /** The gateway's token, sent by every actor (enables the `token` scenarios). */
  token?: string;
  /** Scenario ids or rule ids (`K1`) to run; default all. */
  only?: string[];
  /** Scenario ids or rule ids to leave out. */
  skip?: string[];
  /** Deadline per scenario (default 10000 ms; a fixture's own timeoutMs wins). */
  timeoutMs?: number;
  /** Wait per answer (default 3000 ms). */
  stepTimeoutMs?: number;
  /** SHOULD failures fail the run instead of being warnings. */
  strict?: boolean;
  /** Baseline entries: `scenario` or `scenario:check`. */
  expectedFailures?: Iterable<string>;
  onProgress?: (event: ProgressEvent) => void;
  /** Scenarios to run instead of the built-in fixtures. */
  scenarios?: (Scenario | LoadedScenario)[];
  /** Turn capabilities on or off regardless of detection (e.g. `{ nodeRole: false }`). */
  capabilities?: Partial<Record<Capability, boolean>>;
  /** Allow long waits (handshake timeout, slow ticks). */
  slow?: boolean;
  /** The gateway's handshake timeout, when known (default 10000, SPEC H1). */
  handshakeTimeoutMs?: number;
}

export interface PreparedRun {
  config: RunConfig;
  capabilities: Capabilities;
  /** Set when the probe could not connect. */
  error?: string;
  run(scenario: Scenario | LoadedScenario): Promise<ScenarioResult>;
}

function resolveRunBinding(binding: ConformanceOptions["binding"]): ClientBinding {
  if (binding === undefined || binding === "jsonrpc") return jsonRpcBinding;
  if (binding === "openclaw") return openClawBinding;
  if (typeof binding === "string") throw new Error(`unknown binding "${String(binding)}" (jsonrpc, openclaw)`);
  return binding;
}

/**
 * Results leave the runner without secrets: `auth.token` (and other secret-named fields) in the frames,
 * and the run's token wherever it appears, become <REDACTED>, so no reporter can print them.
 */
function redactResult<T>(value: T, token: string | undefined): T {
  return redactValue(value, { literals: token ? [token] : [] }) as T;
}

const asLoaded = (s: Scenario | LoadedScenario): LoadedScenario => ("scenario" in s ? s : { scenario: s, source: "" });

/** Connects once (as an unrecorded `cli` client) to learn the gateway's methods, events and policy. */
async function probe(config: RunConfig): Promise<{ hello?: unknown; error?: string }> {
  const scenario: Scenario = { id: "probe", title: "probe", rules: ["H4"], level: "MUST", actors: { probe: { client: { id: "conformance-probe", mode: "cli" }, extra: { caps: ["presence.delta"] } } }, steps: [{ step: "connect", actor: "probe" }] };
  const ctx = new ScenarioContext(scenario, config);
  try {
    declareActor(ctx, "probe", buildConnectParams(ctx, scenario.actors.probe));
    const conn = await openActor(ctx, "probe", config.stepTimeoutMs);
    const { answer } = await handshake(ctx, "probe", conn, config.stepTimeoutMs);
    if (answer.frame.kind === "error") return { error: `probe connect refused: ${answer.frame.error.name}: ${answer.frame.error.message}` };
    return { hello: answer.frame.kind === "result" ? answer.frame.result : undefined };
  } catch (error) {
    return { error: `probe connect failed: ${(error as Error).message}` };
  } finally {
    await ctx.closeAll();
  }
}

export async function prepareRun(options: ConformanceOptions): Promise<PreparedRun> {
  const binding = resolveRunBinding(options.binding);
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const config: RunConfig = {
    url: options.url,
    binding,
    token: options.token,
    stepTimeoutMs: options.stepTimeoutMs ?? 3000,
    capabilities: new Set(),
    runId: globalThis.crypto.randomUUID().slice(0, 8),
    handshakeTimeoutMs,
  };
  const probed = await probe(config);
  if (probed.error) probed.error = redactResult(probed.error, options.token);
  const capabilities = detectCapabilities({
    hello: probed.hello,
    url: options.url,
    bindingName: binding.name,
    token: options.token,
    slow: options.slow ?? false,
    handshakeTimeoutMs,
    overrides: options.capabilities,
    knownLimits: binding.knownLimits,
  });
  config.capabilities = capabilities.available;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS;
  return {
    config,
    capabilities,
    ...(probed.error ? { error: probed.error } : {}),
    run: (s) => {
      const { scenario, source } = asLoaded(s);
      if (probed.error) return Promise.resolve(skippedResult(scenario, `not run: ${probed.error}`, source));
      return runScenario(scenario, config, { strict: options.strict ?? false, timeoutMs, source: source || undefined }).then((r) => redactResult(r, options.token));
    },
  };
}

const RULE_ID = /^[A-Z]\d+$/;

/** The scenarios `only`/`skip` select; an entry that selects nothing is an error (a typo). */
export function selectScenarios(all: LoadedScenario[], only?: string[], skip?: string[]): LoadedScenario[] {
  const hits = (entry: string, s: Scenario) => (RULE_ID.test(entry) ? (s.rules as string[]).includes(entry) : s.id === entry);
  for (const entry of [...(only ?? []), ...(skip ?? [])]) {
    if (!all.some(({ scenario }) => hits(entry, scenario))) throw new Error(`--only/--skip: "${entry}" matches no scenario id or rule`);
  }
  return all.filter(({ scenario }) => (!only?.length || only.some((e) => hits(e, scenario))) && !skip?.some((e) => hits(e, scenario)));
}

export async function runConformance(options: ConformanceOptions): Promise<RunResult> {
  const started = Date.now();
  const all = (options.scenarios ?? loadScenarios()).map(asLoaded);
  const selected = selectScenarios(all, options.only, options.skip);
  const prepared = await prepareRun(options);
  const emit = options.onProgress ?? (() => {});
  const available = [...prepared.capabilities.available];
  emit({ type: "start", total: selected.length, capabilities: available, missingCapabilities: prepared.capabilities.missing, ...(prepared.error ? { error: prepared.error } : {}) });

  const results: ScenarioResult[] = [];
  for (const [index, loaded] of selected.entries()) {
    emit({ type: "scenario-start", index, total: selected.length, id: loaded.scenario.id, title: loaded.scenario.title });
    const result = await prepared.run(loaded);
    results.push(result);
    emit({ type: "scenario-end", index, total: selected.length, result });
  }

  const stale = applyBaseline(results, options.expectedFailures ?? [], new Set(all.map((s) => s.scenario.id)));
  const { summary, byRule } = summarize(results, stale);
  const result: RunResult = {
    url: options.url,
    binding: prepared.config.binding.name,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    strict: options.strict ?? false,
    capabilities: available,
    missingCapabilities: prepared.capabilities.missing,
    ...(prepared.error ? { error: prepared.error } : {}),
    scenarios: results,
    summary,
    byRule,
    ok: !prepared.error && summary.failed === 0 && stale.length === 0,
  };
  emit({ type: "end", result });
  return result;
}
