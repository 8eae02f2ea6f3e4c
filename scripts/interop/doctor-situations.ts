// The situations of the design note's troubleshooting tips, made with the SDK against a real
// OpenClaw gateway, then `gateway-presence doctor` run on it (terminal form and --json). Runs inside
// the peer's network namespace (scripts/interop/doctor-peers.ts starts it there):
//   npx tsx scripts/interop/doctor-situations.ts URL TOKEN OUT_DIR
// Writes OUT_DIR/doctor.txt and OUT_DIR/doctor.json (the token replaced by <TOKEN>).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPresenceClient, type PresenceClient } from "../../src/index.js";
import { createOpenClawBinding } from "../../src/transport/openclaw.js";

const [url, token, out] = process.argv.slice(2);
if (!url || !token || !out) throw new Error("usage: doctor-situations.ts URL TOKEN OUT_DIR");

// One binding object: its in-memory device identities are one per signed client, so an app that
// comes back with the same instanceId signs as the same device (as a real app would).
const binding = createOpenClawBinding();
const clients: PresenceClient[] = [];
// OpenClaw's system-event needs operator.admin (SPEC H7 says operator.write).
const SCOPES = ["operator.read", "operator.write", "operator.admin"];

async function app(displayName: string, instanceId: string, mode = "ui", extra: { platform?: string; version?: string; deviceFamily?: string } = {}) {
  const client = createPresenceClient({
    url,
    token,
    binding,
    instanceId,
    scopes: SCOPES,
    reconnect: false,
    client: { id: "openclaw-macos", displayName, version: extra.version ?? "2026.9.1", platform: extra.platform ?? "macos 15.4", deviceFamily: extra.deviceFamily ?? "Mac", mode },
  });
  await client.connect();
  clients.push(client);
  return client;
}

const step = (text: string) => process.stderr.write(`  ${text}\n`);

// 1. A Mac app that reconnects with the same instanceId (a network blip).
step("Anna's MacBook connects, drops, reconnects with the same instanceId");
const first = await app("Anna's MacBook", "anna-mac-7f3a");
await first.close();
await new Promise((r) => setTimeout(r, 300));
const anna = await app("Anna's MacBook", "anna-mac-7f3a");
// 2. Its periodic beacon without an instanceId.
step("Anna's MacBook sends a beacon without instanceId");
await anna.systemEvent({ text: "Node: annas-macbook · mode ui · reason periodic", lastInputSeconds: 12, reason: "periodic" });
// 3. Two builds of one app that spell the instanceId differently.
step("Carla's Mac as Carla-Mac and carla-mac (case-differing instanceIds)");
await app("Carla's Mac", "Carla-Mac", "ui", { version: "2026.9.0" });
await app("Carla's Mac", "carla-mac", "ui", { version: "2026.9.0" });
// 4. An app that makes a new instanceId at every launch.
step("Bob's iMac launches twice with a fresh instanceId each time");
await app("Bob's iMac", "launch-0c41", "ui", { version: "2026.8.0" });
await app("Bob's iMac", "launch-91be", "ui", { version: "2026.8.0" });
// 5. A beacon that reports the host name as its ip.
step("Bob's iMac reports its host name as ip");
await clients.at(-1)!.systemEvent({ instanceId: "launch-91be", ip: "bobs-imac.local", text: "Node: bobs-imac · mode ui" });

// The doctor, as an operator runs it, with its own persisted device identity (fresh config dir).
const config = mkdtempSync(join(tmpdir(), "doctor-config-"));
function doctor(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "doctor", "--url", url, "--binding", "openclaw", ...args], {
    env: { ...process.env, GATEWAY_PRESENCE_TOKEN: token, XDG_CONFIG_HOME: config, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
const redact = (text: string) => text.split(token).join("<TOKEN>");

try {
  step("doctor --watch-ms 35000 (a tick every 30 s), Bob's iMac beacons meanwhile");
  const watching = doctor(["--watch-ms", "35000"]);
  await new Promise((r) => setTimeout(r, 3000));
  await clients.at(-1)!.systemEvent({ instanceId: "launch-91be", lastInputSeconds: 3, text: "Node: bobs-imac · mode ui" });
  const text = await watching;
  step("doctor --json");
  const json = await doctor(["--json"]);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "doctor.txt"), redact(`$ gateway-presence doctor --url ${url} --binding openclaw --watch-ms 35000\n${text.stdout}${text.stderr}(exit ${text.code})\n`));
  writeFileSync(join(out, "doctor.json"), redact(json.stdout));
  step(`terminal form: exit ${text.code}; --json: exit ${json.code}${json.stderr ? ` (${json.stderr.trim()})` : ""}`);
} finally {
  await Promise.all(clients.map((c) => c.close()));
  rmSync(config, { recursive: true, force: true });
}
