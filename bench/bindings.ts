/**
 * `npm run bench:bindings`: the reference gateway's two wire bindings side by side in one run, and a
 * plain `ws` echo server as the floor. Each server is its own process (bench/lib/server-child.ts,
 * bundled), fresh per run; the clients are raw `ws` sockets in this process.
 *
 *   beacons/s      20 clients x 500 system-event beacons, 8 in flight per client (echo: the same frames echoed)
 *   handshakes/s   300 handshakes, 20 at a time: jsonrpc, openclaw unsigned, openclaw with a v3-signed device
 *
 * Prints the figures and the ratios openclaw/jsonrpc and gateway/echo. Bounded: every run stops after
 * 60 s, the whole bench after 5 minutes. Options: --rounds N (default 3, medians reported).
 */
import WebSocket from "ws";
import { bundleChildren } from "./lib/bundle.js";
import { startServer, type BenchServer } from "./lib/servers.js";
import { fmt, median, monoMs } from "./lib/stats.js";
import { generateNodeDeviceIdentity, nodeDeviceIdentity } from "../src/transport/device-identity-node.js";
import { signDeviceAuth, type DeviceIdentity } from "../src/transport/device-identity.js";

const args = process.argv.slice(2);
const roundsAt = args.indexOf("--rounds");
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) || 3 : 3;
const CLIENTS = 20;
const BEACONS = 500;
const WINDOW = 8;
const HANDSHAKES = 300;
const PARALLEL = 20;
const RUN_LIMIT_MS = 60_000;

const guard = setTimeout(() => {
  console.error("bench:bindings: stopped after 5 minutes");
  process.exit(2);
}, 5 * 60_000);
guard.unref();

type Wire = "jsonrpc" | "openclaw" | "echo";

interface Codec {
  /** Completes the handshake on an open socket (answers the challenge first for openclaw). */
  handshake(ws: WebSocket, instanceId: string, device?: DeviceIdentity): Promise<void>;
  beacon(id: number, instanceId: string): string;
  /** The request id a frame answers, or undefined (a push, a tick). Reads only the frame's first bytes. */
  answerId(data: Buffer): number | undefined;
}

const beaconParams = (instanceId: string) => ({ instanceId, text: "bench beacon", host: `bench-${instanceId}`, ip: "10.0.0.9", mode: "backend", lastInputSeconds: 1 });
const client = (instanceId: string) => ({ id: "bench", version: "1.0.0", platform: "linux", mode: "backend", instanceId });

function leadingNumber(data: Buffer, from: number): number | undefined {
  let id = 0;
  let digits = 0;
  for (let i = from; i < data.length && data[i]! >= 48 && data[i]! <= 57; i++, digits++) id = id * 10 + (data[i]! - 48);
  return digits > 0 ? id : undefined;
}

/** Frames of a socket in the handshake, kept from the moment it opens (OpenClaw's challenge comes at once). */
interface Inbox {
  frames: Buffer[];
  waiter?: (data: Buffer) => void;
  listener: (data: Buffer) => void;
}
const inboxes = new WeakMap<WebSocket, Inbox>();

function nextMessage(ws: WebSocket): Promise<Buffer> {
  const inbox = inboxes.get(ws)!;
  if (inbox.frames.length > 0) return Promise.resolve(inbox.frames.shift()!);
  if (ws.readyState !== ws.OPEN) return Promise.reject(new Error("closed during the handshake"));
  return new Promise((resolve, reject) => {
    const closed = () => reject(new Error("closed during the handshake"));
    ws.once("close", closed);
    inbox.waiter = (data) => {
      ws.off("close", closed);
      resolve(data);
    };
  });
}

/** The handshake is over: frames go to the caller's own listener from now on. */
function endHandshake(ws: WebSocket): void {
  const inbox = inboxes.get(ws);
  if (inbox) ws.off("message", inbox.listener);
  inboxes.delete(ws);
}

const RPC_ANSWER = Buffer.from('{"jsonrpc":"2.0","id":');
const OC_ANSWER = Buffer.from('{"type":"res","id":"');

const codecs: Record<Wire, Codec> = {
  jsonrpc: {
    async handshake(ws, instanceId) {
      const answer = nextMessage(ws);
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "connect", params: { minProtocol: 1, maxProtocol: 1, client: client(instanceId) } }));
      if (!(await answer).includes('"hello-ok"')) throw new Error("jsonrpc connect refused");
    },
    beacon: (id, instanceId) => JSON.stringify({ jsonrpc: "2.0", id, method: "system-event", params: beaconParams(instanceId) }),
    answerId: (data) => (data.subarray(0, RPC_ANSWER.length).equals(RPC_ANSWER) ? leadingNumber(data, RPC_ANSWER.length) : undefined),
  },
  openclaw: {
    async handshake(ws, instanceId, device) {
      const challenge = JSON.parse((await nextMessage(ws)).toString()) as { event?: string; payload: { nonce: string } };
      if (challenge.event !== "connect.challenge") throw new Error(`no challenge: ${JSON.stringify(challenge).slice(0, 200)}`);
      const params: Record<string, unknown> = { minProtocol: 3, maxProtocol: 4, client: client(instanceId), role: "operator", scopes: ["operator.read", "operator.write"] };
      if (device) {
        params.device = await signDeviceAuth(device, "v3", {
          clientId: "bench",
          clientMode: "backend",
          role: "operator",
          scopes: ["operator.read", "operator.write"],
          signedAtMs: Date.now(),
          nonce: challenge.payload.nonce,
          platform: "linux",
        });
      }
      const answer = nextMessage(ws);
      ws.send(JSON.stringify({ type: "req", id: "0", method: "connect", params }));
      if (!(await answer).includes('"hello-ok"')) throw new Error("openclaw connect refused");
    },
    beacon: (id, instanceId) => JSON.stringify({ type: "req", id: String(id), method: "system-event", params: beaconParams(instanceId) }),
    answerId: (data) => (data.subarray(0, OC_ANSWER.length).equals(OC_ANSWER) ? leadingNumber(data, OC_ANSWER.length) : undefined),
  },
  echo: {
    handshake: async () => {},
    beacon: (id, instanceId) => codecs.jsonrpc.beacon(id, instanceId),
    answerId: (data) => codecs.jsonrpc.answerId(data),
  },
};

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const inbox: Inbox = {
      frames: [],
      listener: (data) => {
        const waiter = inbox.waiter;
        inbox.waiter = undefined;
        if (waiter) waiter(data);
        else inbox.frames.push(data);
      },
    };
    inboxes.set(ws, inbox);
    ws.on("message", inbox.listener);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** One client: BEACONS beacons, WINDOW in flight; resolves when all are answered. */
async function beaconClient(url: string, wire: Wire, instanceId: string): Promise<void> {
  const codec = codecs[wire];
  const ws = await open(url);
  await codec.handshake(ws, instanceId);
  endHandshake(ws);
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let answered = 0;
    const sendNext = () => ws.send(codec.beacon(++sent, instanceId));
    ws.on("message", (data: Buffer) => {
      if (codec.answerId(data) === undefined) return;
      if (++answered === BEACONS) return resolve();
      if (sent < BEACONS) sendNext();
    });
    ws.once("close", () => reject(new Error(`${wire}: closed after ${answered} answers`)));
    for (let i = 0; i < WINDOW; i++) sendNext();
  });
  ws.terminate();
}

async function beaconsPerSecond(url: string, wire: Wire): Promise<number> {
  const started = monoMs();
  await withLimit(Promise.all(Array.from({ length: CLIENTS }, (_, i) => beaconClient(url, wire, `bench-${wire}-${i}`))));
  return (CLIENTS * BEACONS) / ((monoMs() - started) / 1000);
}

async function handshakesPerSecond(url: string, wire: Wire, device?: DeviceIdentity): Promise<number> {
  const started = monoMs();
  let next = 0;
  const worker = async () => {
    while (next < HANDSHAKES) {
      const i = next++;
      const ws = await open(url);
      await codecs[wire].handshake(ws, `hs-${i}`, device);
      ws.terminate();
    }
  };
  await withLimit(Promise.all(Array.from({ length: PARALLEL }, worker)));
  return HANDSHAKES / ((monoMs() - started) / 1000);
}

function withLimit<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`run over ${RUN_LIMIT_MS} ms`)), RUN_LIMIT_MS)));
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

async function withServer<T>(script: string, wire: Wire, body: (server: BenchServer) => Promise<T>): Promise<T> {
  // The per-address limits would refuse a bench's handshakes from one address: measured here is the binding.
  const options = {
    binding: wire === "echo" ? undefined : wire,
    rateLimit: { burst: 1e9, perSecond: 1e9 },
    maxEntries: 1000,
    limits: { handshakeRate: { burst: 1e6, perSecond: 1e6 }, pendingHandshakesPerAddress: 10_000, connectionsPerAddress: 10_000, overload: { enabled: false } },
  };
  const server = await startServer(script, wire === "echo" ? "echo" : "gateway", wire === "echo" ? {} : options);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

const { server: script } = await bundleChildren();
const device = await nodeDeviceIdentity(await generateNodeDeviceIdentity());
const figures = { beacons: { jsonrpc: [] as number[], openclaw: [] as number[], echo: [] as number[] }, hs: { jsonrpc: [] as number[], openclaw: [] as number[], signed: [] as number[] } };
// A warm-up run (not counted), then rounds whose order rotates, so no kind always runs first.
await withServer(script, "jsonrpc", (s) => handshakesPerSecond(s.url, "jsonrpc"));
const runs: Array<() => Promise<void>> = [
  async () => void figures.beacons.jsonrpc.push(await withServer(script, "jsonrpc", (s) => beaconsPerSecond(s.url, "jsonrpc"))),
  async () => void figures.beacons.openclaw.push(await withServer(script, "openclaw", (s) => beaconsPerSecond(s.url, "openclaw"))),
  async () => void figures.beacons.echo.push(await withServer(script, "echo", (s) => beaconsPerSecond(s.url, "echo"))),
  async () => void figures.hs.jsonrpc.push(await withServer(script, "jsonrpc", (s) => handshakesPerSecond(s.url, "jsonrpc"))),
  async () => void figures.hs.openclaw.push(await withServer(script, "openclaw", (s) => handshakesPerSecond(s.url, "openclaw"))),
  async () => void figures.hs.signed.push(await withServer(script, "openclaw", (s) => handshakesPerSecond(s.url, "openclaw", device))),
];
for (let round = 1; round <= rounds; round++) {
  for (let i = 0; i < runs.length; i++) await runs[(i + round) % runs.length]!();
  process.stdout.write(`round ${round}/${rounds} done\n`);
}

const b = { jsonrpc: median(figures.beacons.jsonrpc), openclaw: median(figures.beacons.openclaw), echo: median(figures.beacons.echo) };
const h = { jsonrpc: median(figures.hs.jsonrpc), openclaw: median(figures.hs.openclaw), signed: median(figures.hs.signed) };
console.log(`beacons/s (${CLIENTS} clients x ${BEACONS}, ${WINDOW} in flight; medians of ${rounds} rounds)`);
console.log(`  jsonrpc   ${fmt(b.jsonrpc)}   gateway/echo ${fmt(b.jsonrpc / b.echo, 2)}`);
console.log(`  openclaw  ${fmt(b.openclaw)}   gateway/echo ${fmt(b.openclaw / b.echo, 2)}`);
console.log(`  echo      ${fmt(b.echo)}`);
console.log(`  ratio openclaw/jsonrpc ${fmt(b.openclaw / b.jsonrpc, 2)}`);
console.log(`handshakes/s (${HANDSHAKES}, ${PARALLEL} at a time)`);
console.log(`  jsonrpc            ${fmt(h.jsonrpc)}`);
console.log(`  openclaw unsigned  ${fmt(h.openclaw)}   ratio to jsonrpc ${fmt(h.openclaw / h.jsonrpc, 2)}`);
console.log(`  openclaw signed v3 ${fmt(h.signed)}   ratio to unsigned ${fmt(h.signed / h.openclaw, 2)}`);
process.exit(0);
