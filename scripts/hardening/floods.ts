/**
 * Floods against a reference gateway in its own process (gateway-process.ts), each returning its
 * figures: `npm run floods` prints them (docs/security.md keeps a run), test/server/hardening/floods.test.ts
 * runs the same code and asserts on the figures. Clients bind their own loopback source address
 * (127.0.0.2, 127.0.0.3, ...: the whole 127/8 is local on Linux), so per-address limits can be seen
 * hitting one address and sparing the others. Every loop is bounded in count and time.
 */
import type { PresenceEntry } from "../../src/protocol/index.js";
import type { GatewayLimitsOptions } from "../../src/server/limits/options.js";
import { validate } from "../../src/validation/index.js";
import { numberOptions, runIfMain, verdict } from "./cli.js";
import { mb, startGatewayProcess, type GatewayMemory } from "./gateway-process.js";
import { connectParams, pool, RawClient, type Answer } from "./raw-client.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects a client from `localAddress`; the hello-ok answer or the error. */
async function connectFrom(url: string, localAddress: string, o: Parameters<typeof connectParams>[0] = {}): Promise<{ client: RawClient; answer: Answer; ms: number }> {
  const started = performance.now();
  const client = await RawClient.open(url, { localAddress });
  let answer = await client.call("connect", connectParams(o));
  // A socket refused by a per-address limit is told so at once (id null) and closed 1013, unread.
  if (answer.error?.code === 0) answer = client.unmatched.shift() ?? answer;
  return { client, answer, ms: performance.now() - started };
}

// ---- 10,000 distinct instanceIds from 100 connections -------------------------------------------

export interface BeaconFloodFigures {
  connections: number;
  distinctIds: number;
  accepted: number;
  rateLimited: number;
  retryAfterMs: { min: number; max: number };
  seconds: number;
  listLength: number;
  invalidRows: number;
  selfRow: boolean;
  before: GatewayMemory;
  after: GatewayMemory;
}

/**
 * `connections` clients each send `perConnection` beacons with distinct instanceIds back to back;
 * RATE_LIMITED ones are sent again after their `retryAfterMs` until all are in (bounded by `timeoutMs`).
 */
export async function beaconFlood(o: { connections?: number; perConnection?: number; timeoutMs?: number; limits?: GatewayLimitsOptions } = {}): Promise<BeaconFloodFigures> {
  const connections = o.connections ?? 100;
  const perConnection = o.perConnection ?? 100;
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0, limits: o.limits ?? {} });
  try {
    const clients: RawClient[] = [];
    await pool(connections, 16, async (c) => {
      const { client, answer } = await connectFrom(gw.url, "127.0.0.1", { mode: "cli", id: `flood-${c}` });
      if (!answer.result) throw new Error(`flood client ${c} could not connect: ${JSON.stringify(answer.error)}`);
      clients.push(client);
    });
    const before = await gw.memory();
    const started = performance.now();
    let accepted = 0;
    let rateLimited = 0;
    const retry = { min: Infinity, max: 0 };
    await Promise.all(
      clients.map(async (client, c) => {
        let todo = Array.from({ length: perConnection }, (_, i) => `flood-${c}-${i}`);
        while (todo.length > 0 && Date.now() < deadline) {
          const answers = await Promise.all(todo.map((instanceId) => client.call("system-event", { instanceId, text: "flood", reason: "periodic" })));
          const again: string[] = [];
          let wait = 0;
          answers.forEach((a, i) => {
            if (a.result) return void accepted++;
            const after = a.error?.data?.retryAfterMs;
            if (a.error?.data?.code !== "RATE_LIMITED" || typeof after !== "number") throw new Error(`unexpected answer ${JSON.stringify(a)}`);
            rateLimited++;
            retry.min = Math.min(retry.min, after);
            retry.max = Math.max(retry.max, after);
            wait = Math.max(wait, after);
            again.push(todo[i]!);
          });
          todo = again;
          if (todo.length > 0) await sleep(wait);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const { client: reader } = await connectFrom(gw.url, "127.0.0.1", { mode: "cli", id: "flood-reader" });
    const rows = ((await reader.call("system-presence")).result ?? []) as PresenceEntry[];
    const after = await gw.memory();
    for (const client of [...clients, reader]) client.terminate();
    return {
      connections,
      distinctIds: connections * perConnection,
      accepted,
      rateLimited,
      retryAfterMs: { min: retry.min === Infinity ? 0 : retry.min, max: retry.max },
      seconds,
      listLength: rows.length,
      invalidRows: rows.filter((row) => !validate("PresenceEntry", row).ok).length,
      selfRow: rows.some((row) => row.reason === "self" && row.mode === "gateway"),
      before,
      after,
    };
  } finally {
    await gw.close();
  }
}

// ---- a handshake flood from one address -----------------------------------------------------------

export interface HandshakeFloodFigures {
  limits: GatewayLimitsOptions;
  /** Sockets from 127.0.0.2 that never send connect: admitted vs refused (HANDSHAKE_LIMIT). */
  silent: { opened: number; admitted: number; refused: number };
  /** connect-and-close cycles from 127.0.0.4: done vs refused (HANDSHAKE_RATE), in how long. */
  cycles: { tried: number; done: number; refused: number; seconds: number };
  /** Connections from 127.0.0.5 kept open: admitted vs refused (CONNECTION_LIMIT). */
  held: { tried: number; admitted: number; refused: number };
  /** Refusal reasons seen in the answers (message prefixes) and their close codes. */
  closeCodes: number[];
  /** 127.0.0.3 during all that: connect round trips, ms. */
  other: { connects: number; maxMs: number; refused: number };
  after: GatewayMemory;
}

export async function handshakeFlood(o: { limits?: GatewayLimitsOptions; silent?: number; cycles?: number; held?: number } = {}): Promise<HandshakeFloodFigures> {
  const limits = o.limits ?? {};
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0, limits, handshakeTimeoutMs: 60_000 });
  const sockets: RawClient[] = [];
  const closeCodes = new Set<number>();
  const refusedAtOpen = async (client: RawClient): Promise<boolean> => {
    const early = await client.nextUnmatched(50);
    if (early?.error?.data?.code !== "RATE_LIMITED") return false;
    closeCodes.add((await client.closed).code);
    return true;
  };
  const other = { connects: 0, maxMs: 0, refused: 0 };
  let flooding = true;
  const bystander = (async () => {
    while (flooding) {
      const { client, answer, ms } = await connectFrom(gw.url, "127.0.0.3", { mode: "cli", id: "bystander" });
      other.connects++;
      other.maxMs = Math.max(other.maxMs, ms);
      if (!answer.result) other.refused++;
      await client.close();
      await sleep(50);
    }
  })();
  try {
    // Sockets that open and never handshake (each would otherwise be held for handshakeTimeoutMs).
    const silent = { opened: o.silent ?? 200, admitted: 0, refused: 0 };
    for (let i = 0; i < silent.opened; i++) {
      const client = await RawClient.open(gw.url, { localAddress: "127.0.0.2" });
      sockets.push(client);
      if (await refusedAtOpen(client)) silent.refused++;
      else silent.admitted++;
    }
    // Connect-and-close as fast as it goes.
    const cycles = { tried: o.cycles ?? 1_000, done: 0, refused: 0, seconds: 0 };
    const t0 = performance.now();
    await pool(cycles.tried, 16, async (i) => {
      const { client, answer } = await connectFrom(gw.url, "127.0.0.4", { mode: "cli", id: `cycle-${i}` });
      if (answer.result) cycles.done++;
      else if (answer.error?.data?.code === "RATE_LIMITED") cycles.refused++;
      closeCodes.add((await client.close()).code);
    });
    cycles.seconds = (performance.now() - t0) / 1000;
    // Connections that complete the handshake and stay.
    const held = { tried: o.held ?? 600, admitted: 0, refused: 0 };
    await pool(held.tried, 8, async (i) => {
      for (;;) {
        const { client, answer } = await connectFrom(gw.url, "127.0.0.5", { mode: "cli", id: `held-${i}` });
        sockets.push(client);
        if (answer.result) return void held.admitted++;
        const reason = answer.error?.message ?? "";
        // Opening too fast is not what this part measures: wait as told and try again.
        if (reason.includes("too many new connections")) {
          await sleep(Number(answer.error?.data?.retryAfterMs ?? 100));
          continue;
        }
        held.refused++;
        closeCodes.add((await client.closed).code);
        return;
      }
    });
    flooding = false;
    await bystander;
    return { limits, silent, cycles, held, closeCodes: [...closeCodes].sort(), other, after: await gw.memory() };
  } finally {
    flooding = false;
    for (const s of sockets) s.terminate();
    await gw.close();
  }
}

// ---- wrong tokens from one address ----------------------------------------------------------------

export interface AuthFloodFigures {
  attempts: number;
  unauthorized: number;
  /** Answer times of the UNAUTHORIZED ones, in the order the gateway took them (ms). */
  unauthorizedMs: number[];
  lockedOut: number;
  lockoutRetryAfterMs: { min: number; max: number };
  refusedAtOpen: number;
  seconds: number;
  /** 127.0.0.2 with the right token, during the lockout. */
  rightTokenFromFlooder: string;
  /** 127.0.0.3: the right token (ms to hello-ok), a wrong one (answer, ms). */
  other: { rightMs: number; right: string; wrong: string; wrongMs: number };
  after: GatewayMemory;
}

export async function authFlood(o: { attempts?: number; concurrency?: number; limits?: GatewayLimitsOptions } = {}): Promise<AuthFloodFigures> {
  const token = "flood-right-token-0123456789";
  const attempts = o.attempts ?? 1_000;
  const gw = await startGatewayProcess({ host: "127.0.0.1", port: 0, token, limits: o.limits ?? {} });
  try {
    const figures = { unauthorized: 0, unauthorizedMs: [] as number[], lockedOut: 0, refusedAtOpen: 0 };
    const retry = { min: Infinity, max: 0 };
    const t0 = performance.now();
    await pool(attempts, o.concurrency ?? 25, async (i) => {
      const { client, answer, ms } = await connectFrom(gw.url, "127.0.0.2", { token: `wrong-${i}`, mode: "cli" });
      const code = answer.error?.data?.code;
      if (code === "UNAUTHORIZED") {
        figures.unauthorized++;
        figures.unauthorizedMs.push(Math.round(ms));
      } else if (code === "RATE_LIMITED" && answer.error?.data?.method === "connect") {
        figures.lockedOut++;
        const after = Number(answer.error.data.retryAfterMs);
        retry.min = Math.min(retry.min, after);
        retry.max = Math.max(retry.max, after);
      } else if (code === "RATE_LIMITED") figures.refusedAtOpen++;
      else throw new Error(`unexpected answer to a wrong token: ${JSON.stringify(answer)}`);
      client.terminate();
    });
    const seconds = (performance.now() - t0) / 1000;
    const flooder = await connectFrom(gw.url, "127.0.0.2", { token, mode: "cli" });
    const right = await connectFrom(gw.url, "127.0.0.3", { token, mode: "cli" });
    const wrong = await connectFrom(gw.url, "127.0.0.3", { token: "nope", mode: "cli" });
    for (const c of [flooder, right, wrong]) c.client.terminate();
    const describe = (a: Answer) => (a.result ? "hello-ok" : String(a.error?.data?.code));
    return {
      attempts,
      ...figures,
      unauthorizedMs: figures.unauthorizedMs.sort((a, b) => a - b),
      lockoutRetryAfterMs: { min: retry.min === Infinity ? 0 : retry.min, max: retry.max },
      seconds,
      rightTokenFromFlooder: describe(flooder.answer),
      other: { rightMs: Math.round(right.ms), right: describe(right.answer), wrong: describe(wrong.answer), wrongMs: Math.round(wrong.ms) },
      after: await gw.memory(),
    };
  } finally {
    await gw.close();
  }
}

// ---- npm run floods ---------------------------------------------------------------------------------

/** What must hold after the three floods whatever the machine's speed (the test asserts more); empty = pass. */
export function floodFailures(b: BeaconFloodFigures, h: HandshakeFloodFigures, a: AuthFloodFigures): string[] {
  const out: string[] = [];
  const want = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  want(b.accepted === b.distinctIds && b.rateLimited > 0, `beacons: ${b.accepted} of ${b.distinctIds} accepted, ${b.rateLimited} RATE_LIMITED`);
  want(b.listLength <= 200 && b.selfRow && b.invalidRows === 0, `beacons: list ${b.listLength} rows, self ${b.selfRow ? "kept" : "missing"}, ${b.invalidRows} invalid`);
  want(h.silent.refused > 0 && h.cycles.refused > 0 && h.held.refused > 0, "handshakes: a per-address limit was never met");
  want(h.other.refused === 0, `handshakes: the other address was refused ${h.other.refused} times`);
  want(a.lockedOut + a.refusedAtOpen > 0 && a.rightTokenFromFlooder === "RATE_LIMITED", "auth: the flooding address was not locked out");
  want(a.other.right === "hello-ok" && a.other.wrong === "UNAUTHORIZED", `auth: the other address got ${a.other.right} / ${a.other.wrong}`);
  return out;
}

async function main(): Promise<void> {
  numberOptions("floods", {}); // no options: --help, and a clear error for any other
  const beacons = await beaconFlood();
  console.log(`beacons: ${beacons.distinctIds} distinct instanceIds from ${beacons.connections} connections in ${beacons.seconds.toFixed(1)} s`);
  console.log(`  accepted ${beacons.accepted}, RATE_LIMITED answers ${beacons.rateLimited} (retryAfterMs ${beacons.retryAfterMs.min}..${beacons.retryAfterMs.max})`);
  console.log(`  list ${beacons.listLength} rows (self ${beacons.selfRow ? "kept" : "MISSING"}), ${beacons.invalidRows} invalid`);
  console.log(`  gateway RSS ${mb(beacons.before.rss)} -> ${mb(beacons.after.rss)}, heap after GC ${mb(beacons.before.heapUsed)} -> ${mb(beacons.after.heapUsed)}`);
  const hs = await handshakeFlood();
  console.log(`handshakes (default limits): ${hs.silent.opened} silent sockets from 127.0.0.2: ${hs.silent.admitted} admitted, ${hs.silent.refused} refused`);
  console.log(`  ${hs.cycles.tried} connect/close cycles from 127.0.0.4 in ${hs.cycles.seconds.toFixed(1)} s: ${hs.cycles.done} done, ${hs.cycles.refused} refused`);
  console.log(`  ${hs.held.tried} held connections from 127.0.0.5: ${hs.held.admitted} admitted, ${hs.held.refused} refused; close codes ${hs.closeCodes.join(", ")}`);
  console.log(`  127.0.0.3 meanwhile: ${hs.other.connects} connects, slowest ${hs.other.maxMs.toFixed(0)} ms, ${hs.other.refused} refused`);
  console.log(`  gateway after: RSS ${mb(hs.after.rss)}, heap after GC ${mb(hs.after.heapUsed)}, ${hs.after.metrics.limitRefusals} limit refusals, ${hs.after.logLines} log lines`);
  const auth = await authFlood();
  console.log(`auth: ${auth.attempts} wrong tokens from 127.0.0.2 in ${auth.seconds.toFixed(1)} s: ${auth.unauthorized} UNAUTHORIZED (answered after ${auth.unauthorizedMs.join(", ")} ms)`);
  console.log(`  then ${auth.lockedOut} locked out (RATE_LIMITED, retryAfterMs ${auth.lockoutRetryAfterMs.min}..${auth.lockoutRetryAfterMs.max}), ${auth.refusedAtOpen} refused at open`);
  console.log(`  the right token from 127.0.0.2 during the lockout: ${auth.rightTokenFromFlooder}`);
  console.log(`  127.0.0.3: right token ${auth.other.right} in ${auth.other.rightMs} ms; wrong token ${auth.other.wrong} in ${auth.other.wrongMs} ms`);
  console.log(`  gateway after: RSS ${mb(auth.after.rss)}, heap after GC ${mb(auth.after.heapUsed)}, ${auth.after.logLines} log lines`);
  verdict(floodFailures(beacons, hs, auth), "the list held, each flood met its limit, other addresses were not touched");
}

runIfMain(import.meta.url, main);
