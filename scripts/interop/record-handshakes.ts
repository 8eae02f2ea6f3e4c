// Records signed handshakes with the real OpenClaw peers through the recording proxy, keeping the
// device signatures (one-time, nonce-bound) so tests can replay their verification.
// Run inside the peers' namespace: openclaw-peer exec -- npx tsx scripts/interop/record-handshakes.ts
import { writeFileSync } from "node:fs";
import { startRecordingProxy } from "../../src/record/proxy.js";
import { generateNodeDeviceIdentity, nodeDeviceIdentity } from "../../src/transport/device-identity-node.js";
import type { DeviceAuthVersion } from "../../src/transport/device-identity.js";
import { createOpenClawBinding } from "../../src/transport/openclaw.js";
import { openRawSession } from "./raw-session.js";

const token = process.env.OPENCLAW_PEER_TOKEN ?? "peer-token-0123456789abcdef";
const runs: Array<{ release: string; url: string; version: DeviceAuthVersion; mode: string }> = [
  { release: "2026.1.30", url: "ws://127.0.0.1:18790", version: "v2", mode: "webchat" },
  { release: "2026.9.6", url: "ws://127.0.0.1:18789", version: "v2", mode: "backend" },
  { release: "2026.9.6", url: "ws://127.0.0.1:18789", version: "v3", mode: "webchat" },
];

for (const run of runs) {
  const lines: string[] = [];
  const proxy = await startRecordingProxy({ port: 0, upstream: run.url, write: (l) => lines.push(l), redact: { keepSignatures: true } });
  const identity = await nodeDeviceIdentity(await generateNodeDeviceIdentity());
  const binding = createOpenClawBinding({ device: identity, signatureVersion: run.version });
  const params = {
    minProtocol: 3,
    maxProtocol: 4,
    client: { id: "handshake-recorder", version: "1.0.0", platform: "Linux", deviceFamily: "Desktop", mode: run.mode, instanceId: `hs-${run.version}` },
    scopes: ["operator.read", "operator.write"],
    auth: { token },
  };
  const session = await openRawSession(proxy.url, binding, params);
  const answer = await session.connect(params);
  await session.close();
  await new Promise((r) => setTimeout(r, 200));
  await proxy.close();
  const file = `test/interop/handshakes/${run.release}-${run.version}-${run.mode}.jsonl`;
  writeFileSync(file, lines.join(""));
  console.log(`${file}: ${answer.kind}${answer.kind === "error" ? ` ${answer.error.name}: ${answer.error.message}` : ""}`);
}
