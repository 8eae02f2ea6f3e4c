// `npm run doctor:interop`: `gateway-presence doctor` against real OpenClaw gateways, for docs/doctor.md.
// For each release: start it fresh with openclaw-peer (root), make the troubleshooting situations with
// the SDK and run the doctor inside the peer's namespace (doctor-situations.ts), stop the peer.
// Writes reports/interop/<version>/doctor.txt and doctor.json.
//   npm run doctor:interop [-- --versions 2026.9.6,2026.1.30] [--peer PATH]
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const versions = (flag("--versions") ?? "2026.9.6,2026.1.30").split(",").filter(Boolean);
const peer = flag("--peer") ?? process.env.OPENCLAW_PEER ?? "../shared/peers/openclaw-peer";

if (!existsSync(peer)) throw new Error(`no openclaw-peer at ${peer} (pass --peer PATH)`);
if (process.getuid?.() !== 0) throw new Error("needs root: openclaw-peer uses a network namespace (ip netns)");

const run = (cmdArgs: string[], inherit = false) =>
  execFileSync(peer, cmdArgs, { encoding: "utf8", stdio: ["ignore", inherit ? "inherit" : "pipe", "inherit"] })?.trim() ?? "";
const tsx = (script: string, ...rest: string[]) => ["exec", "--", process.execPath, "--import", "tsx", script, ...rest];

for (const version of versions) {
  process.stdout.write(`openclaw ${version}:\n`);
  run(["install", version]);
  const url = run(["start", version]).split("\n").pop()!;
  const token = run(["token"]);
  try {
    run(tsx("scripts/interop/wait-ready.ts", url, token));
    run(tsx("scripts/interop/doctor-situations.ts", url, token, join("reports/interop", version)), true);
  } finally {
    run(["stop", version]);
  }
}
