// `npm run interop:openclaw-cli`: OpenClaw's own CLI (2026.9.6 and 2026.1.30) against the reference
// gateway. One gateway, one store, two listeners: an SDK client connects over JSON-RPC to one, and
// `openclaw system presence --json` lists through the other (OpenClaw's native frames); the script
// checks that OpenClaw's CLI shows the SDK's row. Then `openclaw node run` connects through a recording
// proxy for a while, and the script reports what it asked for. Without the peer install (made by
// `../shared/peers/openclaw-peer install VERSION`) it says so and exits 0. No root needed: OpenClaw's
// CLI runs in this process's network namespace and talks only to 127.0.0.1.
//
//   npm run interop:openclaw-cli [-- --versions 2026.9.6,2026.1.30] [--node-run-ms 90000]
// `node run` is stopped 10 s after its node row appears (or after --node-run-ms without one).
import { randomBytes } from "node:crypto";
import { createPresenceClient, type PresenceEntry } from "../../src/index.js";
import { parseRecording } from "../../src/record/recording.js";
import { startRecordingProxy } from "../../src/record/proxy.js";
import { createGateway } from "../../src/server/index.js";
import { findOpenClawInstall, runOpenClawCli, type OpenClawInstall } from "./openclaw-install.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const versions = (flag("--versions") ?? "2026.9.6,2026.1.30").split(",").filter(Boolean);
const nodeRunMs = Number(flag("--node-run-ms") ?? 90_000);
const AFTER_NODE_ROW_MS = 10_000;
const out = (line = "") => process.stdout.write(`${line}\n`);

const installs: OpenClawInstall[] = [];
for (const version of versions) {
  const found = findOpenClawInstall(version);
  if ("missing" in found) out(`openclaw ${version}: skipped: ${found.missing}`);
  else installs.push(found);
}
if (installs.length === 0) process.exit(0);

// A per-run token: printed as <token> below.
const token = randomBytes(12).toString("hex");
const log: string[] = [];
const gw = await createGateway({ token, logger: (l) => log.push(l), listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
const [rpc, oc] = gw.listeners;
const hide = (text: string) => text.split(token).join("<token>").replace(/127\.0\.0\.1:\d+/g, (m) => (m.endsWith(`:${rpc!.port}`) ? "127.0.0.1:<jsonrpc-port>" : m.endsWith(`:${oc!.port}`) ? "127.0.0.1:<openclaw-port>" : m));
out(hide(`reference gateway: ${rpc!.url} (jsonrpc) and ${oc!.url} (openclaw), one store, token required`));

const sdk = createPresenceClient({
  url: rpc!.url,
  token,
  instanceId: "sdk-desk-1",
  client: { id: "sdk-desk", displayName: "SDK desk (JSON-RPC)", version: "1.0.0", platform: "linux", deviceFamily: "Linux", mode: "ui" },
});
await sdk.connect();
await sdk.systemEvent({ instanceId: "sdk-desk-1", ip: "192.168.1.40", lastInputSeconds: 12, text: "typing in the SDK desk", reason: "periodic" });
out(hide(`SDK client connected over JSON-RPC to ${rpc!.url}`) + ` as instanceId sdk-desk-1 (a beacon sent: ip 192.168.1.40, lastInputSeconds 12)`);

let failures = 0;
for (const install of installs) {
  const argv = ["system", "presence", "--url", oc!.url, "--token", token, "--json"];
  out();
  out(`$ openclaw ${hide(argv.join(" "))}    # openclaw ${install.version}`);
  const started = Date.now();
  const run = await runOpenClawCli(install, argv, { timeoutMs: 120_000 });
  const json = run.stdout.slice(run.stdout.indexOf("["));
  let rows: PresenceEntry[] = [];
  try {
    rows = JSON.parse(json) as PresenceEntry[];
  } catch {
    // reported below
  }
  out(hide(json.trimEnd() || run.stdout.trimEnd()));
  const sdkRow = rows.find((r) => r.instanceId === "sdk-desk-1");
  const ok = run.code === 0 && sdkRow?.host === "SDK desk (JSON-RPC)" && rows.some((r) => r.reason === "self");
  out(`-> exit ${run.code} in ${Date.now() - started} ms; ${rows.length} rows; the SDK's JSON-RPC row ${sdkRow ? "listed" : "MISSING"}: ${ok ? "OK" : "FAILED"}`);
  if (!ok) {
    failures++;
    out(hide(run.stderr.trim().split("\n").slice(-10).join("\n")));
  }
}

// `openclaw node run` through a recording proxy: which rows it makes, and what it asks for.
for (const install of installs) {
  out();
  const lines: string[] = [];
  const proxy = await startRecordingProxy({ port: 0, upstream: oc!.url, write: (line) => lines.push(line) });
  const argv = ["node", "run", "--host", "127.0.0.1", "--port", String(proxy.port), "--display-name", `openclaw-node-${install.version}`];
  if (install.version >= "2026.9") argv.push("--no-tls");
  out(`$ OPENCLAW_GATEWAY_TOKEN=<token> openclaw ${argv.join(" ").replace(String(proxy.port), "<proxy-port>")}    # openclaw ${install.version}`);
  const fromLog = log.length;
  const stop = new AbortController();
  const started = Date.now();
  const nodeRun = runOpenClawCli(install, argv, { timeoutMs: nodeRunMs, signal: stop.signal, env: { OPENCLAW_GATEWAY_TOKEN: token } });
  // While it runs: is there a node row? Then give it time to ask for what it wants next.
  let nodeRow: PresenceEntry | undefined;
  let running = true;
  void nodeRun.then(() => (running = false));
  while (!nodeRow && running) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    nodeRow = (await sdk.systemPresence()).find((r) => r.roles?.includes("node") && r.reason !== "disconnect");
  }
  const rowAfterMs = Date.now() - started;
  if (nodeRow) setTimeout(() => stop.abort(), AFTER_NODE_ROW_MS);
  const result = await nodeRun;
  await proxy.close();
  out(hide(`${result.stdout}${result.stderr}`.trim().split("\n").filter((l) => !/^\s*$/.test(l)).slice(-12).join("\n")));
  const recording = parseRecording(lines.join("\n"));
  const sent = recording.filter((l) => l.dir === "send" && (l.frame as { type?: string } | undefined)?.type === "req").map((l) => l.frame as { id: string; method: string });
  const answers = new Map(recording.filter((l) => l.dir === "recv" && (l.frame as { type?: string } | undefined)?.type === "res").map((l) => [(l.frame as { id: string }).id, l.frame as { ok: boolean; error?: { message: string } }]));
  const connect = sent.find((f) => f.method === "connect") as { params?: { role?: string; client?: { id: string; mode: string }; device?: unknown; minProtocol?: number; maxProtocol?: number } } | undefined;
  out(`-> ${result.stopped ? "stopped" : `exited ${result.code}`} after ${Date.now() - started} ms${nodeRow ? ` (its row appeared after ${rowAfterMs} ms)` : ""}`);
  out(`-> node row while it ran: ${nodeRow ? JSON.stringify({ instanceId: nodeRow.instanceId, host: nodeRow.host, mode: nodeRow.mode, roles: nodeRow.roles, reason: nodeRow.reason, version: nodeRow.version }) : "none"}`);
  if (connect?.params) {
    const p = connect.params;
    out(`-> connect: role ${p.role}, client ${p.client?.id}/${p.client?.mode}, protocol ${p.minProtocol}..${p.maxProtocol}, ${p.device ? "signed device" : "no device"}`);
  }
  const summary = new Map<string, string>();
  for (const f of sent) {
    const answer = answers.get(f.id);
    summary.set(f.method, answer === undefined ? "no answer" : answer.ok ? "ok" : `error: ${answer.error?.message}`);
  }
  out(`-> methods it called: ${[...summary].map(([m, a]) => `${m} (${a})`).join("; ") || "none"}`);
  out(`-> gateway log: ${log.slice(fromLog).filter((l) => /^(connect|device|disconnect|reject)/.test(l)).map(hide).join(" | ")}`);
  if (!nodeRow) out("-> (no node row appeared)");
}

await sdk.close();
await gw.close();
out();
out(failures === 0 ? "PASS: OpenClaw's CLI listed the reference gateway's rows, including the SDK's JSON-RPC client" : `FAIL: ${failures} release(s) did not list the SDK's row`);
process.exit(failures === 0 ? 0 : 1);
