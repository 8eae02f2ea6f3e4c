// `npm run test:interop`: the conformance suite and the recorded fixtures against real OpenClaw
// gateways. For each release: start it fresh with openclaw-peer (root, ~1 GB on first install), run
// `gateway-presence conform --binding openclaw` inside the peer's network namespace, and write
// redacted JSON + HTML reports and a summary to reports/interop/<version>/. Succeeds when every run
// completes; OpenClaw's rule failures are findings, not errors of this script.
//
//   npm run test:interop [-- --versions 2026.9.6,2026.1.30] [--real-time] [--peer PATH]
// --real-time adds --slow (ticks, the 10 s handshake timeout); TTL scenarios still need a test clock.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResult } from "../src/conformance/report/results.js";
import { OPENCLAW_KNOWN_LIMITS } from "../src/transport/openclaw.js";
import { CLIENT_ID_FOR_MODE } from "../src/transport/openclaw-client-ids.js";
import { writeIndex } from "./interop/index-readme.js";
import { htmlReport, markdownSummary, sanitizeRun } from "./interop/report.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const versions = (flag("--versions") ?? "2026.9.6,2026.1.30").split(",").filter(Boolean);
const realTime = args.includes("--real-time");
const peer = flag("--peer") ?? process.env.OPENCLAW_PEER ?? "../shared/peers/openclaw-peer";
const REPORTS = "reports/interop";

function fail(message: string): never {
  process.stderr.write(`test:interop: ${message}\n`);
  process.exit(2);
}

if (!existsSync(peer)) fail(`no openclaw-peer at ${peer} (pass --peer PATH)`);
if (process.getuid?.() !== 0) fail("needs root: openclaw-peer uses a network namespace (ip netns)");

const run = (cmd: string, cmdArgs: string[]) => execFileSync(cmd, cmdArgs, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();

/** One conform run inside the namespace; exit 0 (all MUST pass) and 1 (failures) both complete. */
function conform(url: string, token: string, out: string, extra: string[]): RunResult {
  const cli = ["exec", "--", process.execPath, "--import", "tsx", "src/cli/main.ts", "conform", "--binding", "openclaw", "--url", url, "--token", token];
  const started = Date.now();
  const result = spawnSync(peer, [...cli, "--reporter", "json", "--out", out, "--no-color", ...(realTime ? ["--slow"] : []), ...extra], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  process.stdout.write(result.stdout.split("\n").filter((l) => /^(Scenarios|FAIL|PASS|json report)/.test(l)).map((l) => `    ${l}\n`).join(""));
  if (result.status !== 0 && result.status !== 1) fail(`conform exited ${result.status} after ${Date.now() - started} ms:\n${result.stderr}${result.stdout.slice(-2000)}`);
  return JSON.parse(readFileSync(out, "utf8")) as RunResult;
}

for (const version of versions) {
  process.stdout.write(`openclaw ${version}:\n`);
  run(peer, ["install", version]);
  const url = run(peer, ["start", version]).split("\n").pop()!;
  const token = run(peer, ["token"]);
  run(peer, ["exec", "--", process.execPath, "--import", "tsx", "scripts/interop/wait-ready.ts", url, token]);
  const dir = join(REPORTS, version);
  mkdirSync(dir, { recursive: true });
  try {
    const runs: Array<[string, string[]]> = [
      // The suite as the harness runs it on OpenClaw: what the binding's knownLimits say OpenClaw
      // cannot support is skipped, with the reason.
      ["conformance", []],
      // The same without those skips: how beacon and node scenarios actually fare (evidence for docs).
      ["unrestricted", ["--with", Object.keys(OPENCLAW_KNOWN_LIMITS).join(",")]],
      // Traffic recorded from both releases, replayed here.
      ["recorded", ["--fixtures", "fixtures/recorded"]],
    ];
    for (const [name, extra] of runs) {
      process.stdout.write(`  ${name}:\n`);
      const raw = conform(url, token, join(dir, `${name}.json`), [...extra]);
      const clean = sanitizeRun(raw, OPENCLAW_KNOWN_LIMITS, [token]);
      writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(clean)}\n`); // one line: the reports are large
      writeFileSync(join(dir, `${name}.html`), htmlReport(clean));
      const notes = [
        `gateway: openclaw ${version} (${url}, fresh state), binding openclaw, ${realTime ? "real time (--slow)" : "no --slow"}`,
        `client ids sent: an actor id outside OpenClaw's enum becomes the id for its mode (${Object.entries(CLIENT_ID_FOR_MODE).map(([m, id]) => `${m}->${id}`).join(", ")}; unknown modes -> gateway-client), the actor's id kept as displayName; webchat clients send an Origin header`,
        "device identity: signed automatically (in-memory Ed25519, v3) when the challenge advertises capabilities (2026.9.x); 2026.1.x connects unsigned",
        "frames: secrets redacted; OpenClaw payloads unrelated to presence (health, hello-ok extras) abbreviated",
      ];
      writeFileSync(join(dir, `${name}.md`), markdownSummary(`openclaw ${version}: ${name}`, clean, notes));
    }
  } finally {
    run(peer, ["stop", version]);
  }
}
writeIndex(REPORTS); // from every release's JSON reports, including releases not run this time
process.stdout.write(`reports written to ${REPORTS}/\n`);
