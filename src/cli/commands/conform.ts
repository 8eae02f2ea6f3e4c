/**
 * `gateway-presence conform`: runs the conformance scenarios against a gateway (or, without --url,
 * against the embedded reference gateway in test mode) and reports rule by rule.
 * Exit 0 when no MUST fails after the baseline, 1 when a behaviour rule does (or the baseline is
 * stale, or the probe finds an advertised/working mismatch or a push before hello-ok), 3 when only the wire format fails (a W1
 * finding, or W2 with --strict), 2 when the run cannot start (bad option or fixture, gateway
 * unreachable, refusing the probe, or still not ready after --wait-ready).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import { ALL_CAPABILITIES } from "../../conformance/run/capabilities.js";
import { failuresOf, formatBaseline, parseBaseline } from "../../conformance/report/baseline.js";
import { loadScenarios, type LoadedScenario } from "../../conformance/scenario/fixtures.js";
import { formatReport, formatSummary, progressPrinter, REPORTERS, type ReporterName } from "../../conformance/report/formats.js";
import { modeSelectionProblem, runConformance, selectScenarios } from "../../conformance/run/runner.js";
import type { Capability } from "../../conformance/scenario/scenario.js";
import { createGateway, type Gateway } from "../../server/index.js";
import { BINDING_HELP, bindingName, collect, gatewayUrl, milliseconds, mustBeOneOf } from "../arguments.js";
import { checkWritable, writeOutputFile } from "../output-file.js";
import { exitCodes } from "../usage.js";
import type { OptionWords } from "../../conformance/run/option-words.js";
import { addTokenOptions, commandToken, GIVE_TOKEN, tokenSource, type TokenFlags } from "../token.js";

interface ConformFlags extends TokenFlags {
  /** One gateway, or the gateways of one cluster. */
  url: string[];
  binding?: "jsonrpc" | "openclaw";
  only?: string[];
  skip?: string[];
  list?: boolean;
  strict?: boolean;
  reporter: ReporterName;
  out?: string;
  expectedFailures?: string;
  writeBaseline?: string;
  fixtures: string[];
  slow?: boolean;
  timeout?: number;
  stepTimeout?: number;
  handshakeTimeout?: number;
  /** `--handshake-timeout-ms`, serve's name for the same setting: read as --handshake-timeout. */
  handshakeTimeoutMs?: number;
  with?: string[];
  without?: string[];
  color: boolean;
  realTime?: boolean;
  ttl?: number;
  /** `--ttl-ms`, serve's and doctor's name for the same setting: read as --ttl. */
  ttlMs?: number;
  waitReady: number;
}

/**
 * Settings of the embedded gateway: timeouts short enough that every scenario runs within the 10 s
 * budget, and no overload shedding: the gateway shares its process, and so its event loop, with the
 * harness, and on a loaded machine (load 12 to 26 on 2 cores) the event-loop delay passed shedding's
 * 50 ms and the gateway answered the harness's connects 503 in the middle of a run: the machine's
 * load reported as the reference gateway's failures. Shedding has its own tests.
 */
export const EMBEDDED = { handshakeTimeoutMs: 1000, tickIntervalMs: 1000, limits: { overload: { enabled: false } } } as const;
/** The embedded gateway's TTL in a real-time run: the run then takes about 15 s, not 6 minutes. */
const EMBEDDED_REAL_TIME_TTL_MS = 10_000;

const list = (value: string): string[] => value.split(",").map((s) => s.trim()).filter(Boolean);
/** A comma-separated option that may also be repeated: `--only a --only b,c` is a, b and c (commander keeps only the last value otherwise). */
const addList = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...list(value)];

function capabilities(value: string, previous: string[] | undefined): string[] {
  const names = list(value);
  const unknown = names.filter((n) => !ALL_CAPABILITIES.includes(n as Capability));
  if (unknown.length) throw new InvalidArgumentError(`unknown capability ${unknown.join(", ")}: each ${mustBeOneOf(ALL_CAPABILITIES)}`);
  return [...(previous ?? []), ...names];
}

function readOption(option: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${option} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** `--list`: the scenarios a run would choose from, one line each: id, rules, level, title. */
function listScenarios(selected: LoadedScenario[]): string {
  const rows = selected.map(({ scenario: s }) => [s.id, s.rules.join(","), s.level, s.title]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ")).join("\n") + "\n";
}

/** The harness's messages name conform's flags (how to give a token, the readiness wait), not runConformance's options. */
function cliWords(flags: ConformFlags): OptionWords {
  return { giveToken: GIVE_TOKEN, tokenGiven: tokenSource(flags) ?? "--token", waitReady: (ms) => `--wait-ready ${ms}`, stepTimeout: "--step-timeout", timeout: "--timeout", testMode: "`serve --test-clock`" };
}

/**
 * The gateway's TTL and handshake timeout are `--ttl-ms` and `--handshake-timeout-ms` to serve (and
 * the TTL to doctor): conform takes those names too, so a value copied from a serve command line
 * works; both spellings of one at once is an error.
 */
function readServeNames(flags: ConformFlags): void {
  for (const [ours, theirs, key, alias] of [["--ttl", "--ttl-ms", "ttl", "ttlMs"], ["--handshake-timeout", "--handshake-timeout-ms", "handshakeTimeout", "handshakeTimeoutMs"]] as const) {
    if (flags[alias] === undefined) continue;
    if (flags[key] !== undefined) throw new Error(`give ${ours} or ${theirs}, not both (the same setting)`);
    flags[key] = flags[alias];
  }
}

/**
 * The scenarios of --fixtures; a file that cannot be read or is no scenario is named with the flag
 * (`--fixtures x/a.json: not JSON: ...`; the path alone did not say which option gave it).
 */
function fixtureScenarios(paths: string[]): LoadedScenario[] {
  try {
    return loadScenarios(paths);
  } catch (error) {
    throw new Error(`--fixtures ${(error as Error).message}`);
  }
}

/** `givenToken`: the token of the flags (commandToken), if any. */
async function conform(flags: ConformFlags, givenToken: string | undefined): Promise<number> {
  readServeNames(flags);
  // The default run's TTL scenarios advance a test clock past SPEC's 5 minutes: a --ttl there would
  // either be ignored (--url) or give the embedded gateway a TTL its scenarios do not expect.
  if (flags.ttl !== undefined && !flags.realTime) throw new Error("--ttl is for --real-time runs (a default run checks SPEC's 5-minute TTL with the test clock)");
  // Before the run (minutes long), not after it: where the report and the baseline go.
  if (flags.out !== undefined) checkWritable("--out", flags.out);
  if (flags.writeBaseline !== undefined) checkWritable("--write-baseline", flags.writeBaseline);
  const color = flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const scenarios = flags.fixtures.length ? fixtureScenarios(flags.fixtures) : loadScenarios();
  // Before any gateway starts: a selection that matches nothing (a typo) is a usage error.
  let selected: LoadedScenario[];
  try {
    selected = selectScenarios(scenarios, flags.only, flags.skip);
  } catch (error) {
    const fixtures = flags.fixtures.map((f) => ` --fixtures ${/[\s"'$]/.test(f) ? JSON.stringify(f) : f}`).join("");
    throw new Error(`${(error as Error).message}; the scenario ids and their rules: gateway-presence conform --list${fixtures}`);
  }
  if (flags.list) {
    process.stdout.write(listScenarios(selected));
    return 0;
  }
  // Also before anything starts: a selection this mode would leave out entirely (as runConformance decides).
  const cluster = new Set(flags.url).size > 1 || (flags.with ?? []).includes("cluster");
  const outsideMode = modeSelectionProblem(selected, flags.only, flags.realTime === true, cluster);
  if (outsideMode) throw new Error(outsideMode);
  const expectedFailures = flags.expectedFailures ? parseBaseline(readOption("--expected-failures", flags.expectedFailures)) : [];
  const overrides: Partial<Record<Capability, boolean>> = {};
  for (const c of flags.with ?? []) overrides[c as Capability] = true;
  for (const c of flags.without ?? []) overrides[c as Capability] = false;

  // The report goes to --out, or to stdout; progress and the summary go wherever the report does not.
  const reportToStdout = flags.out === undefined && flags.reporter !== "pretty";
  const human = reportToStdout ? process.stderr : process.stdout;
  const binding = flags.binding ?? "jsonrpc";
  let gateway: Gateway | undefined;
  let url = flags.url[0];
  const urls = flags.url.length > 1 ? flags.url : undefined;
  let token = givenToken;
  let handshakeTimeoutMs = flags.handshakeTimeout;
  let ttlMs = flags.ttl;
  if (url === undefined) {
    token ??= randomBytes(12).toString("hex");
    ttlMs ??= flags.realTime ? EMBEDDED_REAL_TIME_TTL_MS : undefined;
    gateway = await createGateway({ host: "127.0.0.1", port: 0, binding, testClock: true, token, ...EMBEDDED, ...(ttlMs ? { ttlMs } : {}) });
    url = gateway.url;
    handshakeTimeoutMs = EMBEDDED.handshakeTimeoutMs;
    human.write(`Embedded reference gateway (test mode, ${binding}${ttlMs ? `, TTL ${ttlMs} ms` : ""}) on ${url}\n`);
  }

  try {
    const result = await runConformance({
      url,
      urls,
      binding,
      token,
      only: flags.only,
      skip: flags.skip,
      strict: flags.strict === true,
      expectedFailures,
      scenarios,
      slow: flags.slow === true,
      timeoutMs: flags.timeout,
      stepTimeoutMs: flags.stepTimeout,
      handshakeTimeoutMs,
      capabilities: overrides,
      realTime: flags.realTime === true,
      ttlMs,
      waitReadyMs: flags.waitReady,
      optionWords: cliWords(flags),
      onProgress: progressPrinter((text) => human.write(text), { color }),
    });
    // progressPrinter wrote the run error (`Cannot run the N scenarios: ...`) to this stream already: said once.
    human.write(formatSummary(result, { color, runErrorShown: true }));
    if (flags.reporter !== "pretty" || flags.out !== undefined) {
      const report = formatReport(result, flags.reporter);
      if (flags.out) {
        writeOutputFile(flags.out, report);
        human.write(`${flags.reporter} report written to ${flags.out}\n`);
      } else process.stdout.write(report);
    }
    if (flags.writeBaseline) {
      // The probe's failed checks too (`probe:advertises-...`): a run failed by them alone wrote an empty baseline that gated nothing.
      const entries = failuresOf(result.probe.result ? [result.probe.result, ...result.scenarios] : result.scenarios);
      writeOutputFile(flags.writeBaseline, formatBaseline(entries));
      human.write(`${entries.length} failing checks written to ${flags.writeBaseline}\n`);
    }
    return result.error ? 2 : !result.behaviourOk ? 1 : !result.wireFormatOk ? 3 : 0;
  } finally {
    await gateway?.close();
  }
}

export function register(program: Command): void {
  const command = program
    .command("conform")
    .description("check a gateway against the presence contract (SPEC.md), rule by rule; without --url, checks the embedded reference gateway");
  exitCodes(command, {
    0: "no MUST rule fails (after --expected-failures)",
    1: "a behaviour rule fails, the baseline is stale, or the probe finds that the advertised and the working methods differ or that events come before hello-ok",
    2: "the run could not start: a bad fixture, a gateway unreachable, refusing the probe or still not ready after --wait-ready, or several --url that do not share one list",
    3: "only the wire format fails (a W1 finding, or W2 with --strict)",
  });
  command
    .option(
      "--url <url>",
      "ws:// URL of the gateway under test (default: start the reference gateway in test mode); repeat it for the gateways of one cluster: actors are spread over them and the cross-gateway scenarios run",
      (value: string, previous: string[]) => collect(gatewayUrl(value), previous),
      [],
    )
    .option("--binding <binding>", BINDING_HELP, bindingName);
  addTokenOptions(command, "gateway token")
    .option("--only <ids>", "scenario ids or rule ids (K1,...) to run, comma-separated (repeatable)", addList)
    .option("--skip <ids>", "scenario ids or rule ids to leave out, comma-separated (repeatable)", addList)
    .option("--list", "list the scenarios (id, rules, level, title; after --only/--skip/--fixtures) and exit, without running or starting anything")
    .option("--strict", "SHOULD failures fail the run (default: warnings)")
    .addOption(new Option("--reporter <name>", "report format").choices([...REPORTERS]).default("pretty"))
    .option("--out <file>", "write the report to this file (progress and summary still go to stdout)")
    .option("--expected-failures <file>", "baseline of known failures: `scenario` or `scenario:check` per line")
    .option("--write-baseline <file>", "write this run's failing checks as a baseline file")
    .option("--fixtures <path>", "scenario files or directories to run instead of the built-in ones (repeatable)", collect, [])
    .option("--slow", "also run scenarios that wait long (a 10 s handshake timeout, slow ticks)")
    .option("--real-time", "run the scenarios that wait on the wall clock instead (TTL without a test clock, slow ticks, the handshake timeout), concurrently: about the TTL plus a minute")
    .option("--ttl <ms>", "the gateway's presence TTL for --real-time (default: hello-ok.policy.presenceTtlMs if sent, else SPEC's 300000; also: --ttl-ms, as serve and doctor name it)", milliseconds(1))
    .addOption(new Option("--ttl-ms <ms>").argParser(milliseconds(1)).hideHelp())
    .option("--wait-ready <ms>", "wait this long for a gateway that refuses connections or says it is starting", milliseconds(0), 30000)
    .option("--timeout <ms>", "deadline per scenario (default 10000)", milliseconds(1))
    .option("--step-timeout <ms>", "how long the probe and each step wait for the gateway to open a connection or answer a request, the probe's connect included (default 3000)", milliseconds(1))
    .option("--handshake-timeout <ms>", "the gateway's handshake timeout, if not the default 10000 (also: --handshake-timeout-ms, as serve names it)", milliseconds(1))
    .addOption(new Option("--handshake-timeout-ms <ms>").argParser(milliseconds(1)).hideHelp())
    .option("--with <capabilities>", "treat these capabilities as available, comma-separated (repeatable)", capabilities)
    .option("--without <capabilities>", "treat these capabilities as missing (e.g. nodeRole), comma-separated (repeatable)", capabilities)
    .option("--no-color", "plain output")
    .action(async (flags: ConformFlags) => {
      // Before the try below: a bad token option is a usage error that commander prints itself.
      const token = commandToken(command, flags);
      try {
        process.exitCode = await conform(flags, token);
      } catch (error) {
        process.stderr.write(`gateway-presence conform: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      }
    });
}
