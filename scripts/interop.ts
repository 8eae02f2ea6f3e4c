// `npm run test:interop`: the conformance suite against the reference gateway and real OpenClaw
// gateways, and one matrix of rules × gateways. For each OpenClaw release: start it fresh with
// openclaw-peer (root, ~1 GB on first install) and, inside the peer's network namespace, run
// `gateway-presence conform --binding openclaw` (the harness itself waits while the peer says
// "gateway starting"), then `conform --real-time` (about 6 minutes: SPEC's 5-minute TTL on the wall
// clock), then the recorded fixtures. Redacted JSON + HTML reports and a Markdown summary go to
// reports/interop/<gateway>/, and the index with the matrix to reports/interop/README.md and matrix.html.
// Succeeds when every run completes; rule failures are findings, not errors of this script.
//
//   npm run test:interop [-- --versions reference,2026.9.6,2026.1.30] [--skip-real-time] [--peer PATH]
// On a shared machine, hold the peer's lock around it (see docs/interop.md).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResult } from "../src/conformance/report/results.js";
import { CLIENT_ID_FOR_MODE } from "../src/transport/openclaw-client-ids.js";
import { writeIndex } from "./interop/index-readme.js";
import { htmlReport, markdownSummary, sanitizeRun } from "./interop/report.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const versions = (flag("--versions") ?? "reference,2026.9.6,2026.1.30").split(",").filter(Boolean);
const realTime = !args.includes("--skip-real-time");
const peer = flag("--peer") ?? process.env.OPENCLAW_PEER ?? "../shared/peers/openclaw-peer";
const REPORTS = "reports/interop";

function fail(message: string): never {
  process.stderr.write(`test:interop: ${message}\n`);
  process.exit(2);
}

const releases = versions.filter((v) => v !== "reference");
if (releases.length && !existsSync(peer)) fail(`no openclaw-peer at ${peer} (pass --peer PATH)`);
if (releases.length && process.getuid?.() !== 0) fail("needs root: openclaw-peer uses a network namespace (ip netns)");

/**
 * Each release's handshake timeout (SPEC H1 says "default 10 s"): 2026.1.x DEFAULT_HANDSHAKE_TIMEOUT_MS
 * is 10000, 2026.9.x DEFAULT_PREAUTH_HANDSHAKE_TIMEOUT_MS is 15000 (read from their dist). The harness is
 * told, so h1-handshake-timeout checks the mechanism (error, then close 1008) at the gateway's own timeout.
 */
const HANDSHAKE_TIMEOUT_MS: Record<string, number> = { "2026.1.30": 10_000, "2026.9.6": 15_000 };

const run = (cmd: string, cmdArgs: string[]) => execFileSync(cmd, cmdArgs, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

/** One conform run; exit 0 (pass), 1 (behaviour fails) and 3 (wire format fails) all complete. */
function conform(prefix: string[], conformArgs: string[], out: string): RunResult {
  const [cmd, ...cmdArgs] = [...prefix, process.execPath, "--import", "tsx", "src/cli/main.ts", "conform", ...conformArgs, "--reporter", "json", "--out", out, "--no-color"];
  const started = Date.now();
  const result = spawnSync(cmd!, cmdArgs, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60 * 1000 });
  process.stdout.write(result.stdout.split("\n").filter((l) => /^(Gateway ready|Scenarios|Wire format:|FAIL|PASS|json report)/.test(l)).map((l) => `    ${l}\n`).join(""));
  if (![0, 1, 3].includes(result.status ?? -1)) fail(`conform exited ${result.status} after ${Date.now() - started} ms:\n${result.stderr}${result.stdout.slice(-2000)}`);
  return JSON.parse(readFileSync(out, "utf8")) as RunResult;
}

function write(dir: string, name: string, title: string, raw: RunResult, secrets: string[], notes: string[]): void {
  const clean = sanitizeRun(raw, secrets);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(clean)}\n`); // one line: the reports are large
  writeFileSync(join(dir, `${name}.html`), htmlReport(clean));
  writeFileSync(join(dir, `${name}.md`), markdownSummary(title, clean, notes));
}

for (const version of versions) {
  const dir = join(REPORTS, version);
  mkdirSync(dir, { recursive: true });
  if (version === "reference") {
    process.stdout.write("reference gateway (embedded, test mode):\n");
    const runs: Array<[string, string[]]> = [["conformance", []], ...(realTime ? [["real-time", ["--real-time"]] as [string, string[]]] : [])];
    for (const [name, extra] of runs) {
      process.stdout.write(`  ${name}:\n`);
      const raw = conform([], extra, join(dir, `${name}.json`));
      write(dir, name, `reference gateway: ${name}`, raw, [], [`gateway: this project's reference gateway, embedded by \`conform\` (test mode, 1 s handshake timeout and tick${name === "real-time" ? ", TTL 10 s" : ""}), binding jsonrpc`]);
    }
    continue;
  }
  process.stdout.write(`openclaw ${version}:\n`);
  run(peer, ["install", version]);
  const url = run(peer, ["start", version]).split("\n").pop()!;
  const token = run(peer, ["token"]);
  try {
    const runs: Array<[string, string[]]> = [
      // The suite as a user runs it: the probe waits while the peer is starting, learns what
      // system-event needs, and the steps are adapted (and the adaptations listed).
      ["conformance", []],
      // The TTL scenarios on the wall clock (SPEC's 5 minutes), concurrently.
      ...(realTime ? [["real-time", ["--real-time"]] as [string, string[]]] : []),
      // Traffic recorded from both releases, replayed here.
      ["recorded", ["--fixtures", "fixtures/recorded"]],
    ];
    for (const [name, extra] of runs) {
      process.stdout.write(`  ${name}:\n`);
      const handshake = HANDSHAKE_TIMEOUT_MS[version] ? ["--handshake-timeout", String(HANDSHAKE_TIMEOUT_MS[version])] : [];
      const raw = conform([peer, "exec", "--"], ["--binding", "openclaw", "--url", url, "--token", token, ...handshake, ...extra], join(dir, `${name}.json`));
      write(dir, name, `openclaw ${version}: ${name}`, raw, [token], [
        `gateway: openclaw ${version} (${url}, started fresh before the first run), binding openclaw${name === "real-time" ? ", real time (TTL 5 minutes, SPEC S1)" : ""}${handshake.length ? `, handshake timeout ${handshake[1]} ms (the release's own)` : ""}`,
        `client ids sent: an actor id outside OpenClaw's enum becomes the id for its mode (${Object.entries(CLIENT_ID_FOR_MODE).map(([m, id]) => `${m}->${id}`).join(", ")}; unknown modes -> gateway-client), the actor's id kept as displayName; webchat clients send an Origin header`,
        "device identity: signed automatically (in-memory Ed25519, v3) when the challenge advertises capabilities (2026.9.x); 2026.1.x connects unsigned",
        "frames: secrets redacted; OpenClaw payloads unrelated to presence (health, hello-ok extras) abbreviated",
      ]);
    }
  } finally {
    run(peer, ["stop", version]);
  }
}
writeIndex(REPORTS); // from every gateway's JSON reports, including those not run this time
process.stdout.write(`reports written to ${REPORTS}/\n`);
