// Records real SDK traffic (binding "openclaw") with the OpenClaw peers through the recording proxy,
// then converts each recording into a fixture under fixtures/recorded/.
// Run inside the peers' namespace (both peers started):
//   openclaw-peer exec -- npx tsx scripts/interop/record-peers.ts [2026.9.6|2026.1.30 ...]
import { mkdirSync, writeFileSync } from "node:fs";
import { createPresenceClient, type PresenceClient, type PresenceClientOptions } from "../../src/index.js";
import { startRecordingProxy } from "../../src/record/proxy.js";
import { convertJob, RECORDED_DIR } from "./convert.js";

const PEERS: Record<string, string> = { "2026.9.6": "ws://127.0.0.1:18789", "2026.1.30": "ws://127.0.0.1:18790" };
const token = process.env.OPENCLAW_PEER_TOKEN ?? "peer-token-0123456789abcdef";
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Session = (open: (name: string, o: Partial<PresenceClientOptions>) => Promise<PresenceClient>) => Promise<void>;

const SESSIONS: Record<string, Session> = {
  // An observer watches an app connect, leave, and come back with its instanceId in other letter case.
  "sdk-app-lifecycle": async (open) => {
    const observer = await open("observer", { client: { id: "webchat-ui", displayName: "SDK Observer", version: "1.0.0", platform: "linux", mode: "webchat" }, instanceId: "sdk-observer" });
    const app = await open("app", { client: { id: "openclaw-macos", displayName: "SDK App", version: "2.0.0", platform: "macos 15", deviceFamily: "Mac", mode: "ui" }, instanceId: "SDK-APP-1" });
    await pause(300);
    await observer.request("system-presence", {});
    await app.close();
    await pause(300);
    const again = await open("app-again", { client: { id: "openclaw-macos", displayName: "SDK App", version: "2.0.1", platform: "macos 15", deviceFamily: "Mac", mode: "ui" }, instanceId: "sdk-app-1" });
    await pause(300);
    await observer.request("system-presence", {});
    await again.close();
    await pause(300);
    await observer.close();
  },
  // Beacons from an admin cli client (2026.x needs operator.admin and a text), case variants, bad params.
  "sdk-beacons": async (open) => {
    const admin = await open("admin", { client: { id: "cli", version: "1.0.0", platform: "linux", mode: "cli" }, scopes: ["operator.read", "operator.write", "operator.admin"] });
    const reader = await open("reader", { client: { id: "gateway-client", version: "1.0.0", platform: "linux", mode: "backend" }, instanceId: "sdk-reader", scopes: ["operator.read"] });
    await admin.request("system-event", { instanceId: "SDK-BEACON-1", text: "Node: beacon-host · mode ui · reason periodic", host: "beacon-host", ip: "10.20.30.40", mode: "ui", reason: "periodic", lastInputSeconds: 3 });
    await admin.request("system-event", { instanceId: "sdk-beacon-1", text: "Node: beacon-host · reason periodic", lastInputSeconds: 9 });
    await admin.request("system-presence", {});
    for (const params of [{ instanceId: "sdk-beacon-2" }, { text: "x", bogus: 1 }, { text: "x", lastInputSeconds: "soon" }]) {
      await admin.request("system-event", params as never).catch(() => undefined);
    }
    await reader.request("system-event", { instanceId: "sdk-reader", text: "from a reader" }).catch(() => undefined);
    await admin.request("no-such-method" as never, {} as never).catch(() => undefined);
    await pause(300);
    await reader.close();
    await admin.close();
  },
};

const versions = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(PEERS);
mkdirSync(RECORDED_DIR, { recursive: true });
for (const version of versions) {
  for (const [name, session] of Object.entries(SESSIONS)) {
    const lines: string[] = [];
    const proxy = await startRecordingProxy({ port: 0, upstream: PEERS[version]!, write: (l) => lines.push(l) });
    const clients: PresenceClient[] = [];
    await session(async (_actor, o) => {
      const client = createPresenceClient({ url: proxy.url, binding: "openclaw", token, reconnect: false, requestTimeoutMs: 5000, ...o } as PresenceClientOptions);
      clients.push(client);
      await client.connect();
      return client;
    });
    await Promise.all(clients.map((c) => c.close()));
    await pause(200);
    await proxy.close();
    const base = `openclaw-${version}-${name}`;
    const recording = `${RECORDED_DIR}/${base}.jsonl`;
    writeFileSync(recording, lines.join(""));
    const scenario = convertJob({ file: recording, name: base, label: base, source: `${base}.jsonl` });
    console.log(`${recording}: ${lines.length} lines -> ${scenario.steps.length} steps`);
  }
}
