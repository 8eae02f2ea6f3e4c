/**
 * runConformance: probe the gateway (waiting until it is ready, learning what it needs), run the
 * selected scenarios (one after the other; in a real-time run the long-waiting ones concurrently),
 * collect the wire-format findings once per kind, apply the baseline.
 */
import type { ClientBinding } from "../../transport/binding.js";
import { jsonRpcBinding } from "../../transport/jsonrpc.js";
import { openClawBinding } from "../../transport/openclaw.js";
import { EarlyPushes } from "../checks/handshake-order.js";
import { WireFindings } from "../checks/wire-format.js";
import { applyBaseline } from "../report/baseline.js";
import { redactUrl, redactValue } from "../../transport/redact.js";
import type { CheckResult, ProgressEvent, RunResult, ScenarioResult } from "../report/results.js";
import { gradeScenario, summarize, whyStopped } from "../report/summary.js";
import { loadScenarios, type LoadedScenario } from "../scenario/fixtures.js";
import type { Capability, Scenario } from "../scenario/scenario.js";
import { NO_NEEDS } from "./adapt.js";
import { detectCapabilities, FAST_WAIT_LIMIT_MS, slowSkips, type Capabilities } from "./capabilities.js";
import type { RunConfig } from "./context.js";
import { SDK_OPTION_WORDS, type OptionWords } from "./option-words.js";
import { DEFAULT_WAIT_READY_MS, probeGateway, type ProbeOutcome } from "./probe.js";
import { runConcurrently, WaitProgress, WAIT_PROGRESS_MS } from "./real-time.js";
import { DEFAULT_SCENARIO_TIMEOUT_MS, runScenario, skippedResult } from "./scenario-runner.js";
import { gatewayUrls, modeSelectionProblem, scenariosForMode, selectScenarios } from "./selection.js";
import { sharedListProblem } from "./shared-list.js";

export { gatewayUrls, modeSelectionProblem, scenariosForMode, selectScenarios } from "./selection.js";

/** SPEC S1: rows older than 5 minutes are removed. */
export const SPEC_TTL_MS = 5 * 60_000;

export interface ConformanceOptions {
  /** ws:// or wss:// URL of the gateway under test (of a cluster: the first of `urls`). */
  url: string;
  /**
   * Several gateways of one cluster (sharing one presence list): `url` and the others. Actors are
   * spread over them, and the cross-gateway scenarios (capability `cluster`) run. Default `[url]`.
   * Each gateway counts once, however written (`gatewayUrls`: `ws://h:1` = `ws://h:1/`).
   */
  urls?: string[];
  /** Default `jsonrpc`. */
  binding?: ClientBinding | "jsonrpc" | "openclaw";
  /** The gateway's token, sent by every actor (enables the `token` scenarios). */
  token?: string;
  /** Scenario ids or rule ids (`K1`) to run; default all. */
  only?: string[];
  /** Scenario ids or rule ids to leave out. */
  skip?: string[];
  /** Deadline per scenario (default 10000 ms; a fixture's own timeoutMs wins; `wait` steps extend it). */
  timeoutMs?: number;
  /**
   * How long the probe and each step wait for the gateway to open a connection or answer a request,
   * the probe's `connect` included (default 3000 ms; conform's `--step-timeout`). A step's own
   * `timeoutMs` wins; the scenario's deadline (`timeoutMs`) still ends a scenario that waits longer.
   */
  stepTimeoutMs?: number;
  /** SHOULD failures (and W2 findings) fail the run instead of being warnings. */
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
  /**
   * A real-time run: only the scenarios that wait on the wall clock (TTL without a test clock, slow
   * ticks, the handshake timeout), concurrently. Implies `slow`. Takes about the TTL plus a minute.
   */
  realTime?: boolean;
  /** The TTL real-time scenarios wait for; default the gateway's `hello-ok.policy.presenceTtlMs`, else SPEC's 5 minutes. */
  ttlMs?: number;
  /** The gateway's handshake timeout, when known (default 10000, SPEC H1). */
  handshakeTimeoutMs?: number;
  /** How long the probe waits for a gateway that refuses connections or says it is starting (default 30000 ms). */
  waitReadyMs?: number;
  /** How often a real-time run reports its waits (default 30000 ms). */
  progressIntervalMs?: number;
  /**
   * How messages name the options to change (give a token, wait for the gateway): default these
   * options' names (`the token option`, `waitReadyMs: 0`); `gateway-presence conform` passes its flags.
   */
  optionWords?: OptionWords;
}

export interface PreparedRun {
  config: RunConfig;
  capabilities: Capabilities;
  probe: ProbeOutcome;
  /** Set when the probe could not connect. */
  error?: string;
  run(scenario: Scenario | LoadedScenario): Promise<ScenarioResult>;
  /** The wire-format findings of everything run so far. */
  wireFindings: WireFindings;
  /**
   * The run's check of the scenarios' connections so far (SPEC E1, H4: nothing pushed before
   * hello-ok), redacted, when one of them got a push early (EarlyPushes); undefined when none did.
   */
  earlyPushCheck(): CheckResult | undefined;
}

function resolveRunBinding(binding: ConformanceOptions["binding"]): ClientBinding {
  if (binding === undefined || binding === "jsonrpc") return jsonRpcBinding;
  if (binding === "openclaw") return openClawBinding;
  if (typeof binding === "string") throw new Error(`unknown binding "${String(binding)}" (jsonrpc, openclaw)`);
  return binding;
}

/**
 * Results leave the runner without secrets: `auth.token` (and other secret-named fields) in the frames,
 * and the run's token wherever it appears, become <REDACTED>, and the gateway URLs wherever a message
 * or a wire log quotes them (`could not open <url>`) read as in the report's header (redactUrl: no
 * `user:password@`, no query values), so no reporter can print them.
 */
function redactResult<T>(value: T, token: string | undefined, urls: readonly string[]): T {
  return redactValue(value, { literals: token ? [token] : [], urls }) as T;
}

const asLoaded = (s: Scenario | LoadedScenario): LoadedScenario => ("scenario" in s ? s : { scenario: s, source: "" });

/** `hello-ok.policy.presenceTtlMs`, when a gateway says (the contract does not ask it to). */
function advertisedTtl(hello: unknown): number | undefined {
  const ttl = (hello as { policy?: { presenceTtlMs?: unknown } } | undefined)?.policy?.presenceTtlMs;
  return typeof ttl === "number" && Number.isSafeInteger(ttl) && ttl > 0 ? ttl : undefined;
}

export async function prepareRun(options: ConformanceOptions, waits?: WaitProgress): Promise<PreparedRun> {
  const binding = resolveRunBinding(options.binding);
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const urls = gatewayUrls(options.url, options.urls);
  const config: RunConfig = {
    url: options.url,
    urls,
    binding,
    token: options.token,
    stepTimeoutMs: options.stepTimeoutMs ?? 3000,
    capabilities: new Set(),
    runId: globalThis.crypto.randomUUID().slice(0, 8),
    handshakeTimeoutMs,
    needs: NO_NEEDS,
    ttlMs: options.ttlMs ?? SPEC_TTL_MS,
    ...(waits ? { onWait: waits.waiting } : {}),
    words: options.optionWords ?? SDK_OPTION_WORDS,
  };
  const wireFindings = new WireFindings(options.strict ?? false);
  const earlyPushes = new EarlyPushes();
  const probe = await probeGateway(config, { waitReadyMs: options.waitReadyMs ?? DEFAULT_WAIT_READY_MS, onProgress: options.onProgress, wireFindings });
  // The other gateways of a cluster must be up too; what they can do is taken from the first.
  for (const url of urls.slice(1)) {
    if (probe.error) break;
    const other = await probeGateway({ ...config, url, urls: [url] }, { waitReadyMs: options.waitReadyMs ?? DEFAULT_WAIT_READY_MS, onProgress: options.onProgress });
    if (other.error) probe.error = `gateway ${url}: ${other.error}`;
  }
  if (probe.error) probe.error = redactResult(probe.error, options.token, urls);
  if (probe.report.result) probe.report.result = redactResult(probe.report.result, options.token, urls);
  config.needs = probe.needs;
  config.ttlMs = options.ttlMs ?? advertisedTtl(probe.hello) ?? SPEC_TTL_MS;
  const realTime = options.realTime ?? false;
  const capabilities = detectCapabilities({
    hello: probe.hello,
    url: options.url,
    urls,
    bindingName: binding.name,
    token: options.token,
    slow: (options.slow ?? false) || realTime,
    realTime,
    handshakeTimeoutMs,
    overrides: options.capabilities,
    methods: probe.methods,
    giveToken: config.words.giveToken,
    testMode: config.words.testMode,
  });
  config.capabilities = capabilities.available;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS;
  // Several gateways: one cluster only if they share one list (else every scenario would fail for that).
  if (!probe.error && urls.length > 1) {
    const split = await sharedListProblem(config, timeoutMs);
    if (split) probe.error = redactResult(split, options.token, urls);
  }
  return {
    config,
    capabilities,
    probe,
    wireFindings,
    earlyPushCheck: () => {
      const check = earlyPushes.check();
      return check && redactResult({ ...check, status: "failed" as const }, options.token, urls);
    },
    ...(probe.error ? { error: probe.error } : {}),
    run: (s) => {
      const { scenario, source } = asLoaded(s);
      if (probe.error) return Promise.resolve(skippedResult(scenario, `not run: ${probe.error}`, source));
      return runScenario(scenario, config, { strict: options.strict ?? false, timeoutMs, source: source || undefined, wireFindings, earlyPushes }).then((r) => redactResult(r, options.token, urls));
    },
  };
}

export async function runConformance(options: ConformanceOptions): Promise<RunResult> {
  const started = Date.now();
  const all = (options.scenarios ?? loadScenarios()).map(asLoaded);
  const realTime = options.realTime ?? false;
  const cluster = gatewayUrls(options.url, options.urls).length > 1 || options.capabilities?.cluster === true;
  const chosen = selectScenarios(all, options.only, options.skip);
  const outsideMode = modeSelectionProblem(chosen, options.only, realTime, cluster);
  if (outsideMode) throw new Error(outsideMode);
  const { run: selected, notSelected } = scenariosForMode(chosen, realTime, cluster);
  const emit = options.onProgress ?? (() => {});
  const waits = realTime ? new WaitProgress(emit, options.progressIntervalMs ?? WAIT_PROGRESS_MS) : undefined;
  let results: ScenarioResult[];
  let prepared: PreparedRun;
  try {
    prepared = await prepareRun(options, waits);
    const available = [...prepared.capabilities.available];
    const onlyWithSlow = Object.keys(prepared.capabilities.onlyWithSlow) as Capability[];
    emit({
      type: "start",
      total: selected.length,
      capabilities: available,
      missingCapabilities: prepared.capabilities.missing,
      ...(onlyWithSlow.length ? { onlyWithSlow } : {}),
      ...(prepared.error ? { error: prepared.error } : {}),
      probe: prepared.probe.report,
      mode: realTime ? "real-time" : "default",
      ...(notSelected ? { notSelected } : {}),
    });
    if (realTime && !prepared.error) {
      results = await runConcurrently(selected, prepared.run, emit);
    } else {
      results = [];
      for (const [index, loaded] of selected.entries()) {
        // After a refusal the gateway wants fewer connections, not more: the rest are not run.
        const refusedBy = results.find((r) => r.refused);
        if (refusedBy) {
          const why = whyStopped([refusedBy]) === "refused new connections" ? `the gateway refused ${refusedBy.id}'s connection` : `the gateway stopped accepting connections (at ${refusedBy.id})`;
          results.push(skippedResult(loaded.scenario, `not run: the run ended when ${why}`, loaded.source || undefined));
          continue;
        }
        emit({ type: "scenario-start", index, total: selected.length, id: loaded.scenario.id, title: loaded.scenario.title });
        const result = await prepared.run(loaded);
        results.push(result);
        emit({ type: "scenario-end", index, total: selected.length, result });
      }
    }
  } finally {
    waits?.stop();
  }

  const refused = results.find((r) => r.refused);
  const runError = prepared.error ?? refused?.reason?.replace(/^not run: /, "");
  const probeResult = prepared.probe.report.result;
  const early = prepared.earlyPushCheck();
  // The run's own check, on the probe's result: the scenario in which it happened is not failed for
  // it (its own rules were not what broke).
  if (probeResult && early) {
    probeResult.checks.push(early);
    gradeScenario(probeResult);
  }
  const stale = applyBaseline(probeResult ? [probeResult, ...results] : results, options.expectedFailures ?? [], new Set([...all.map((s) => s.scenario.id), "probe"]));
  const wireFindings = prepared.error ? [] : redactResult(prepared.wireFindings.findings(), options.token, prepared.config.urls);
  // No frame was checked when the run could not start: W1/W2 are then not counted (not a pass).
  const { summary, byRule } = summarize(results, stale, { probe: probeResult, ...(prepared.error ? {} : { wireFindings }) });
  for (const r of results) {
    for (const [status, n] of Object.entries(r.refusalsWaitedOut ?? {})) (summary.refusalsWaitedOut ??= {})[status] = (summary.refusalsWaitedOut[status] ?? 0) + n;
  }
  const behaviourOk = !runError && summary.failed === 0 && summary.probeFailures === 0 && stale.length === 0;
  const wireFormatOk = summary.wireFailures === 0;
  const slow = runError ? [] : slowSkips(selected.map((l) => l.scenario), prepared.capabilities);
  const literals = options.token ? [options.token] : [];
  const result: RunResult = {
    // A URL's credentials and query values (a token may be there) never reach a report.
    url: redactUrl(options.url, literals),
    ...(prepared.config.urls.length > 1 ? { urls: prepared.config.urls.map((u) => redactUrl(u, literals)) } : {}),
    binding: prepared.config.binding.name,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    strict: options.strict ?? false,
    capabilities: [...prepared.capabilities.available],
    missingCapabilities: prepared.capabilities.missing,
    ...(slow.length ? { needsSlow: { waitLimitMs: FAST_WAIT_LIMIT_MS, scenarios: slow } } : {}),
    ...(Object.keys(prepared.capabilities.onlyWithSlow).length ? { onlyWithSlow: Object.keys(prepared.capabilities.onlyWithSlow) as Capability[] } : {}),
    ...(runError ? { error: runError } : {}),
    mode: realTime ? "real-time" : "default",
    ttlMs: prepared.config.ttlMs,
    probe: prepared.probe.report,
    scenarios: results,
    wireFindings,
    summary,
    byRule,
    behaviourOk,
    wireFormatOk,
    ok: behaviourOk && wireFormatOk,
  };
  emit({ type: "end", result });
  return result;
}
