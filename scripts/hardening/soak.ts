/**
 * `npm run soak [-- --minutes 10 --clients 1000 --seed N]`: clients connect, beacon, disconnect
 * (cleanly or by dropping the socket) and reconnect at random, with and without instanceIds, against a
 * gateway in its own process; a model follows every write the gateway acknowledged. At the end the
 * gateway's list must equal the model (rows, reasons and fields; expiry after the TTL included, rows
 * within a few seconds of their expiry counted apart), and the gateway's heap after a full GC, sampled
 * every 30 s, must be flat once the population is steady. The cap is set above the population (the
 * model is then exact); fuzz and floods check the cap.
 *
 * Source addresses: the clients are spread over 127.0.0.1-200 (1,000 clients: 5 per address), so the
 * gateway runs with its default per-address limits, as a deployment reached from many addresses does.
 * From 16 addresses (~62 clients each) the soak's own start, all connecting within 5 s, went past the
 * default of 32 unfinished handshakes per address and was refused (RATE_LIMITED) ~40 times; raising
 * the limits instead would have soaked a gateway configured unlike anyone's.
 *
 * Heap: sampled after a full GC at regular intervals (up to 60 a run, every 1 to 30 s) and
 * judged over the steady part of the run (its second half: by then rows expire as fast as they are
 * made, since the TTL of a short run is scaled with it): the median of the last third of those
 * samples against the median of the first third (single samples spike while a push round is in
 * flight), with the least-squares slope printed beside. Each sample also reads RSS, the heap before
 * its GC, external and arrayBuffers (soak-memory.ts); `--settle S` watches the idle gateway after the
 * run and `--pace F` keeps a short run's rates over a longer one (docs/security.md, "RSS of the
 * one-minute run").
 */
import type { PresenceEntry } from "../../src/protocol/index.js";
import { validate } from "../../src/validation/index.js";
import { numberOptions, runIfMain, verdict } from "./cli.js";
import { mb, startGatewayProcess } from "./gateway-process.js";
import { heapClimbs, heapTrend, idleSamples, memoryLine, runSample, type HeapTrend, type SoakSample } from "./soak-memory.js";
import { connectParams, RawClient } from "./raw-client.js";

export { heapClimbs, heapTrend, type HeapTrend, type SoakSample } from "./soak-memory.js";

export interface SoakOptions {
  seconds: number;
  clients: number;
  seed: number;
  /**
   * The run's time scale against the 10-minute run: sessions, beacon gaps, time offline and the TTL
   * are this fraction of that run's. Default seconds / 600, at most 1 (a 1-minute run: 0.1, ten
   * times the connect rate). A 3-minute run at pace 0.1 keeps the 1-minute run's rates three times as long.
   */
  pace?: number;
  /** Row lifetime of the gateway; default 300 s (SPEC S1) times the pace. */
  ttlMs?: number;
  /** Memory sample period, ms. Default: the run's length / 60, within 1000..30000 (a sample waits for its GC). */
  sampleMs?: number;
  /** After the run, the clients closed: how long to leave the gateway idle, sampling its memory, s. Default 0. */
  settleSeconds?: number;
  log?: (line: string) => void;
}

/** What the model expects of one row: the fields written last, and when. */
interface ModelRow {
  fields: Record<string, unknown>;
  open: boolean;
  /** ms (Date.now) of the last acknowledged write. */
  lastWrite: number;
  /**
   * Fields the gateway's row may have lost: the client reconnected after being closed for about a
   * TTL or more, so the row may have expired and the connect made a new one without them. Not
   * compared until a beacon writes them again.
   */
  unsure?: string[];
}

/** The fields only a beacon writes (a connect does not): what a row that expired while closed loses. */
const BEACON_ONLY_FIELDS = ["lastInputSeconds", "text"];

/** How close to its expiry a closed row is neither surely listed nor surely gone, ms. */
function edgeMs(ttlMs: number): number {
  return Math.min(3_000, Math.max(500, ttlMs / 5));
}

export interface SoakReport {
  options: SoakOptions;
  /** The gateway's row lifetime in this run, ms. */
  ttlMs: number;
  connects: number;
  beacons: number;
  cleanCloses: number;
  drops: number;
  refusedOrFailed: number;
  /** Why connects or beacons failed (error name, or "closed"), counted. */
  failReasons: Record<string, number>;
  modelRows: number;
  listRows: number;
  /** Rows within a few seconds (at most TTL/5) of their expiry when listed: present or not, both are right. */
  atTheEdge: number;
  /**
   * Reconnects after the client's row had been closed for about a TTL or more (the pause between
   * sessions is far shorter, but a busy machine can stretch a client's timers): the row may have
   * expired, so its beacon-only fields are not compared until the next beacon.
   */
  reconnectsAfterExpiry: number;
  /** Longest time between a client closing and the gateway marking its row `disconnect` (its ts), ms. */
  maxDisconnectLagMs: number;
  missing: string[];
  extra: string[];
  mismatched: string[];
  invalidRows: number;
  samples: SoakSample[];
  /** Lists the gateway serialized (metrics.snapshots: one per list version read) and the final list's size, bytes. */
  snapshots: number;
  listBytes: number;
  /** After the run, its clients gone: the gateway left idle for `settleSeconds`, sampled without forcing a GC. */
  settle: SoakSample[];
  /** The heap after GC over the steady part of the run (its second half); see heapTrend. */
  heap: HeapTrend;
  gatewayErrors: string[];
  seconds: number;
  failures: string[];
}

/** 127.0.0.1-200: 5 clients per address at 1,000 clients, well within the default per-address limits. */
const ADDRESSES = Array.from({ length: 200 }, (_, i) => `127.0.0.${i + 1}`);
/** The final reader, apart from the clients. */
const READER_ADDRESS = "127.0.0.250";

/** The source address of client `i`. */
export const clientAddress = (i: number): string => ADDRESSES[i % ADDRESSES.length]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32): the same seed gives the same run of choices. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  // A short run keeps a 10-minute run's shape: its TTL is scaled like its sessions (1 minute: 30 s),
  // so rows expire, and the population is steady, in its second half too.
  const scale = options.pace ?? Math.min(1, options.seconds / 600);
  const ttlMs = options.ttlMs ?? Math.round(300_000 * scale);
  const report: SoakReport = {
    options, ttlMs, connects: 0, beacons: 0, cleanCloses: 0, drops: 0, refusedOrFailed: 0, failReasons: {}, modelRows: 0, listRows: 0, atTheEdge: 0, reconnectsAfterExpiry: 0,
    maxDisconnectLagMs: 0, missing: [], extra: [], mismatched: [], invalidRows: 0, samples: [], snapshots: 0, listBytes: 0, settle: [], heap: heapTrend([], 0),
    gatewayErrors: [], seconds: 0, failures: [],
  };
  const random = mulberry32(options.seed);
  const started = Date.now();
  const deadline = started + options.seconds * 1000;
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0, ttlMs, maxEntries: 10_000, webRoot: false });
  options.log?.(`gateway process ${gw.pid}`);
  const model = new Map<string, ModelRow>();
  /** Clients connected at the end of the run (closed before the settle phase). */
  const stayed: RawClient[] = [];
  const failed = (reason: string) => {
    report.refusedOrFailed++;
    report.failReasons[reason] = (report.failReasons[reason] ?? 0) + 1;
  };
  const write = (key: string, fields: Record<string, unknown>, open: boolean, at = Date.now()) => {
    const row = model.get(key) ?? { fields: {}, open, lastWrite: 0 };
    row.fields = { ...row.fields, ...fields };
    if (row.unsure) row.unsure = row.unsure.filter((field) => !(field in fields));
    row.open = open;
    row.lastWrite = at;
    model.set(key, row);
  };

  async function client(i: number): Promise<void> {
    const instanceId = i % 10 < 7 ? `soak-${i}` : undefined;
    const localAddress = clientAddress(i);
    await sleep(random() * 5_000 * scale);
    for (let session = 0; Date.now() < deadline; session++) {
      const displayName = instanceId ? `soak ${i}` : `soak ${i} #${session}`;
      let socket: RawClient;
      try {
        socket = await RawClient.open(gw.url, { localAddress });
      } catch (error) {
        failed(`open: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        await sleep(1_000);
        continue;
      }
      const hello = await socket.call("connect", connectParams({ instanceId, displayName, mode: "ui", id: "soak", extra: { caps: ["presence.delta"] } }));
      const early = socket.unmatched.shift();
      if (!hello.result) {
        failed(`connect: ${String(early?.error?.data?.code ?? hello.error?.data?.code ?? hello.error?.message)}`);
        socket.terminate();
        await sleep(Number(early?.error?.data?.retryAfterMs ?? hello.error?.data?.retryAfterMs ?? 1_000));
        continue;
      }
      report.connects++;
      const key = instanceId ?? `conn:${(hello.result as { server: { connId: string } }).server.connId}`;
      const prior = model.get(key);
      if (prior && !prior.open && Date.now() - prior.lastWrite >= ttlMs - edgeMs(ttlMs)) {
        prior.unsure = BEACON_ONLY_FIELDS;
        report.reconnectsAfterExpiry++;
      }
      write(key, { host: displayName, version: "1.0.0", platform: "linux", mode: "ui", reason: "connect", ...(instanceId ? { instanceId } : {}) }, true);
      const sessionEnd = Math.min(deadline, Date.now() + (5_000 + random() * 85_000) * scale);
      while (Date.now() < sessionEnd && socket.isOpen) {
        await sleep(Math.min(sessionEnd - Date.now(), (5_000 + random() * 25_000) * scale));
        if (Date.now() >= sessionEnd || !socket.isOpen) break;
        const beacon = { ...(instanceId ? { instanceId } : {}), reason: "periodic", lastInputSeconds: Math.floor(random() * 600), text: `beat ${session}` };
        const answer = await socket.call("system-event", beacon);
        if (answer.result) {
          report.beacons++;
          const { instanceId: _id, ...fields } = beacon;
          write(key, fields, true);
        } else failed(`beacon: ${String(answer.error?.data?.code ?? answer.error?.message)}`);
      }
      if (Date.now() >= deadline) {
        socket.ws.removeAllListeners("message"); // stays connected to the end
        stayed.push(socket);
        return;
      }
      const closing = Date.now();
      if (random() < 0.3) {
        socket.terminate();
        report.drops++;
      } else {
        await socket.close();
        report.cleanCloses++;
      }
      // The gateway marks the row (SPEC P6) between the close and a moment later.
      await sleep(300);
      write(key, { reason: "disconnect" }, false, closing);
      await sleep((1_000 + random() * 29_000) * scale);
    }
  }

  const sampler = (async () => {
    const every = options.sampleMs ?? Math.min(30_000, Math.max(1_000, (options.seconds * 1000) / 60));
    // On a fixed cadence from the start; a sample that took longer (the GC of a busy gateway) skips ticks.
    for (let next = started + every; next <= deadline; next += every * Math.max(1, Math.ceil((Date.now() - next) / every))) {
      await sleep(Math.max(0, next - Date.now()));
      const sample = await runSample(gw, started);
      report.samples.push(sample);
      options.log?.(`${sample.atS} s: ${sample.connections} connections, ${memoryLine(sample)}, ${report.connects} connects, ${report.beacons} beacons`);
    }
  })();

  try {
    await Promise.all([...Array.from({ length: options.clients }, (_, i) => client(i)), sampler]);
    await sleep(1_000);
    const reader = await RawClient.open(gw.url, { localAddress: READER_ADDRESS });
    await reader.call("connect", connectParams({ mode: "cli", id: "soak-reader" }));
    const rows = ((await reader.call("system-presence")).result ?? []) as PresenceEntry[];
    reader.terminate();
    const memory = await gw.memory();
    report.gatewayErrors = memory.errorLines;
    report.snapshots = memory.metrics.snapshots;
    report.listBytes = Buffer.byteLength(JSON.stringify(rows));
    compare(report, model, rows, ttlMs);
    // Flat: the heap's trend over the second half of the run (the population is steady by then).
    report.heap = heapTrend(report.samples, options.seconds / 2);
    report.seconds = (Date.now() - started) / 1000;
    report.failures = failuresOf(report);
    if ((options.settleSeconds ?? 0) > 0) {
      for (const socket of stayed) socket.terminate();
      report.settle = await idleSamples(gw, options.settleSeconds!, options.log);
    }
    return report;
  } finally {
    await gw.close();
  }
}

/** The list against the model: every expected row present with its fields, nothing else. */
export function compare(report: SoakReport, model: Map<string, ModelRow>, rows: PresenceEntry[], ttlMs: number): void {
  // Model times are the client's (after the gateway's answer, or at the close): within a second of the gateway's.
  const EDGE_MS = edgeMs(ttlMs);
  const self = rows.find((row) => row.reason === "self" && row.mode === "gateway");
  const now = self?.ts ?? Date.now();
  const peers = rows.filter((row) => row !== self);
  report.listRows = peers.length;
  report.invalidRows = rows.filter((row) => !validate("PresenceEntry", row).ok).length;
  // A keyless row is found by its host, which names the client and its session.
  const byKey = new Map(peers.map((row) => [row.instanceId !== undefined ? row.instanceId : `host:${row.host}`, row]));
  const seen = new Set<string>();
  for (const [key, expected] of model) {
    const lookup = key.startsWith("conn:") ? `host:${String(expected.fields.host)}` : key;
    const row = byKey.get(lookup);
    // A closed row is marked when the gateway handles the close, which under load comes later than
    // the client's close: its ts says when (it cannot precede the close; a minute later would be a bug).
    if (row && !expected.open && row.reason === "disconnect" && row.ts >= expected.lastWrite - 50 && row.ts - expected.lastWrite < 60_000) {
      report.maxDisconnectLagMs = Math.max(report.maxDisconnectLagMs, row.ts - expected.lastWrite);
      expected.lastWrite = Math.max(expected.lastWrite, row.ts);
    }
    const age = now - expected.lastWrite;
    const alive = expected.open || age < ttlMs - EDGE_MS;
    const edge = !expected.open && Math.abs(age - ttlMs) <= EDGE_MS;
    if (edge) {
      report.atTheEdge++;
      if (row) seen.add(lookup);
      continue;
    }
    if (!alive) {
      if (row) {
        seen.add(lookup);
        report.extra.push(`${lookup} (expired ${Math.round(age - ttlMs)} ms ago)`);
      }
      continue;
    }
    report.modelRows++;
    if (!row) {
      report.missing.push(`${lookup} (${expected.open ? "open" : `closed ${Math.round(age)} ms ago`})`);
      continue;
    }
    seen.add(lookup);
    for (const [field, value] of Object.entries(expected.fields)) {
      if (expected.unsure?.includes(field)) continue;
      if ((row as unknown as Record<string, unknown>)[field] !== value) report.mismatched.push(`${lookup}.${field}: expected ${JSON.stringify(value)}, got ${JSON.stringify((row as unknown as Record<string, unknown>)[field])}`);
    }
  }
  for (const lookup of byKey.keys()) if (!seen.has(lookup)) report.extra.push(`${lookup} (not in the model)`);
}

function failuresOf(report: SoakReport): string[] {
  const out: string[] = [];
  if (report.missing.length > 0) out.push(`${report.missing.length} rows missing, e.g. ${report.missing.slice(0, 3).join("; ")}`);
  if (report.extra.length > 0) out.push(`${report.extra.length} rows that should not be there, e.g. ${report.extra.slice(0, 3).join("; ")}`);
  if (report.mismatched.length > 0) out.push(`${report.mismatched.length} fields differ, e.g. ${report.mismatched.slice(0, 3).join("; ")}`);
  if (report.invalidRows > 0) out.push(`${report.invalidRows} rows fail PresenceEntry`);
  if (report.gatewayErrors.length > 0) out.push(`the gateway logged errors: ${report.gatewayErrors.slice(0, 3).join(" | ")}`);
  // The run is meant to churn within the default limits (clients spread over 200 addresses): a
  // connect refused by a per-address limit means the soak fought the limits instead.
  const limited = Object.entries(report.failReasons).filter(([reason]) => reason.startsWith("connect: RATE_LIMITED"));
  if (limited.length > 0) out.push(`connects refused by a per-address limit: ${limited.map(([k, n]) => `${k} ${n}`).join(", ")}`);
  // A leak shows as a climbing baseline (single samples spike while a push round is in flight).
  const climbs = heapClimbs(report.heap);
  if (climbs !== undefined) out.push(climbs);
  return out;
}


async function main(): Promise<void> {
  const args = numberOptions("soak", {
    minutes: { fallback: 10, describe: "how long the clients churn (fractions allowed)" },
    clients: { fallback: 1_000, describe: "clients churning at once" },
    seed: { fallback: Date.now() % 1_000_000, describe: "seed of the clients' random choices", shown: "a new one per run" },
    pace: { fallback: 0, describe: "time scale against the 10-minute run (sessions, beacons, TTL)", shown: "minutes / 10, at most 1" },
    settle: { fallback: 0, describe: "then, clients gone, watch the idle gateway's memory this many seconds" },
  });
  const options: SoakOptions = {
    seconds: Math.round(args.minutes * 60), clients: args.clients, seed: args.seed, pace: args.pace || undefined, settleSeconds: args.settle, log: (line) => console.log(line),
  };
  console.log(`soak: ${options.clients} clients from ${Math.min(options.clients, ADDRESSES.length)} addresses for ${options.seconds} s, seed ${options.seed}${options.pace ? `, pace ${options.pace}` : ""}`);
  const r = await runSoak(options);
  console.log(`\nTTL ${r.ttlMs / 1000} s; ${r.samples.length} heap samples`);
  console.log(`${r.connects} connects, ${r.beacons} beacons, ${r.cleanCloses} clean closes, ${r.drops} dropped sockets, ${r.refusedOrFailed} refused or failed${r.refusedOrFailed > 0 ? ` (${Object.entries(r.failReasons).map(([k, n]) => `${k} ${n}`).join(", ")})` : ""}, in ${r.seconds.toFixed(0)} s`);
  console.log(`disconnects marked up to ${r.maxDisconnectLagMs} ms after the client closed`);
  console.log(`list: ${r.listRows} rows; model: ${r.modelRows} rows (+${r.atTheEdge} at the expiry edge; ${r.reconnectsAfterExpiry} reconnects after about a TTL closed); missing ${r.missing.length}, extra ${r.extra.length}, fields differing ${r.mismatched.length}, invalid ${r.invalidRows}`);
  console.log(`${r.snapshots} lists serialized (a new one for each version read: every handshake's hello-ok), the last ${(r.listBytes / 1024).toFixed(0)} KB`);
  console.log(`heap after GC: ${r.samples.map((s) => `${s.atS}s ${mb(s.heapUsed)}`).join(", ")}`);
  const range = (pick: (s: SoakSample) => number) => `${mb(Math.min(...r.samples.map(pick)))} to ${mb(Math.max(...r.samples.map(pick)))} (last ${mb(pick(r.samples.at(-1)!))})`;
  console.log(`RSS: ${range((s) => s.rss)}; anonymous ${range((s) => s.anonymous)}`);
  console.log(`heap total: ${range((s) => s.heapTotal)}; external: ${range((s) => s.external)}; arrayBuffers: ${range((s) => s.arrayBuffers)}`);
  console.log(`before each GC: heap used ${range((s) => s.heapBeforeGc ?? 0)}; arrayBuffers ${range((s) => s.arrayBuffersBeforeGc ?? 0)}`);
  if (r.settle.length > 0) {
    const idle = r.settle.map((s, i) => `${s.atS}s ${mb(s.rss)}/${mb(s.heapTotal)}${i === r.settle.length - 1 ? " (after a full GC)" : ""}`);
    console.log(`idle after the run, clients gone (RSS/V8 heap total, no GC forced): ${idle.join(", ")}`);
  }
  const h = r.heap;
  console.log(
    `heap over the steady part (from ${h.fromS} s, ${h.samples} samples): median ${mb(h.firstThird)} (first third) -> ${mb(h.lastThird)} (last third), least-squares slope ${h.slopeMbPerMin.toFixed(3)} MB/min`,
  );
  verdict(r.failures, "the list equals the model, the heap is flat, no gateway error");
}

runIfMain(import.meta.url, main);
