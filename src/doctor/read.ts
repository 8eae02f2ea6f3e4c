/**
 * Reads a gateway for the doctor through the client SDK, over either binding: the handshake,
 * one `system-presence` listing and, with `watchMs`, the `presence` pushes and `tick`s for that long
 * and a final listing. The doctor connects as a `cli` client with read scope only, so looking adds
 * no row (SPEC P3) and changes nothing.
 */
import { createPresenceClient } from "../client/client.js";
import { helloFeature } from "../client/handshake.js";
import type { ClientInfo } from "../protocol/connect.js";
import type { BindingName, ClientBinding } from "../transport/binding.js";
import type { WebSocketConstructor } from "../client/connection.js";
import { redactUrl, redactUrlsIn } from "../transport/redact.js";
import { HEALTH_WAIT_MS, readHealth } from "./health.js";
import type { Observation } from "./types.js";

export interface ReadOptions {
  url: string;
  /** A binding object (e.g. createNodeOpenClawBinding()) or a registered name. Default `jsonrpc`. */
  binding?: ClientBinding | BindingName;
  token?: string;
  /** Watch pushes and ticks this long after the listing, then list again (ms). Default 0: no watch. */
  watchMs?: number;
  /**
   * With watchMs > 0: called once the handshake and the first listing are done, before the watch;
   * the watch's `watchMs` runs from when what it returns settles. A change made here is one the
   * gateway must push to the doctor (SPEC E1), e.g. to see the doctor catch a gateway that does not.
   */
  onWatch?: () => void | Promise<void>;
  /** Deadline of the handshake and of each listing (ms). Default 10000. */
  timeoutMs?: number;
  /** This machine's clock (ms since epoch). Default Date.now. */
  now?: () => number;
  /** How the doctor introduces itself. Default: id "cli", mode "cli" (never listed). */
  client?: Omit<ClientInfo, "instanceId">;
  WebSocket?: WebSocketConstructor;
}

/** Wait after the final listing for a push that trails its answer (SPEC E2 coalescing). */
const TRAILING_PUSH_MS = 250;

/** The gateway could not be read: `stage` says how far it got; `cause` is the SDK's error. */
export class DoctorReadError extends Error {
  constructor(
    readonly stage: "connect" | "list",
    override readonly cause: unknown,
  ) {
    super(`${stage} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "DoctorReadError";
  }
}

export async function readGateway(options: ReadOptions): Promise<Observation> {
  const now = options.now ?? Date.now;
  const watchMs = options.watchMs ?? 0;
  const client = createPresenceClient({
    url: options.url,
    token: options.token,
    binding: options.binding,
    client: options.client ?? { id: "cli", displayName: "gateway-presence doctor", version: "doctor", platform: "node", mode: "cli" },
    scopes: ["operator.read"],
    // Whole-list `presence` pushes (SPEC E1) as the gateway sends them, not the SDK's mirror fed by deltas.
    presenceDelta: false,
    reconnect: false,
    requestTimeoutMs: options.timeoutMs ?? 10_000,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
  });
  const pushes: Observation["pushes"] = [];
  const ticks: Observation["ticks"] = [];
  if (watchMs > 0) {
    client.on("presence", (p) => pushes.push({ receivedAt: now(), stateVersion: p.stateVersion?.presence, presence: p.presence }));
    client.on("tick", (t) => ticks.push({ receivedAt: now(), ts: t.ts }));
  }
  // Beside the handshake, so it costs no time on a gateway that answers it; at most HEALTH_WAIT_MS after the listing otherwise.
  const health = readHealth(options.url, options.timeoutMs ?? 10_000);
  try {
    const helloSent = now();
    const hello = await client.connect().catch((error: unknown) => {
      throw new DoctorReadError("connect", error);
    });
    const helloReceived = now();
    const list = await listing(client, now);
    const observation: Observation = {
      url: displayUrl(options.url),
      binding: client.binding.name,
      hello: {
        protocol: hello.protocol,
        // A gateway that leaves server or features out of hello-ok (SPEC H4) is still read (the client is).
        serverVersion: typeof hello.server?.version === "string" ? hello.server.version : "(no server.version)",
        methods: [...(helloFeature(hello, "methods") ?? [])],
        tickIntervalMs: hello.policy?.tickIntervalMs,
        presence: hello.snapshot.presence,
        sentAt: helloSent,
        receivedAt: helloReceived,
      },
      list,
      watchMs,
      pushes,
      ticks,
    };
    const answered = await health.within(HEALTH_WAIT_MS);
    if (answered) observation.health = answered;
    if (watchMs > 0) {
      await options.onWatch?.();
      const closed = await watch(client, watchMs);
      if (closed) observation.watchError = redactUrlsIn(closed, [options.url]);
      else {
        try {
          const final = await listing(client, now);
          observation.final = { ...final, pushesBefore: pushes.length };
          await delay(TRAILING_PUSH_MS);
        } catch (error) {
          observation.watchError = redactUrlsIn(`the final listing failed: ${(error as DoctorReadError).cause instanceof Error ? ((error as DoctorReadError).cause as Error).message : String(error)}`, [options.url]);
        }
      }
    }
    return observation;
  } finally {
    health.abort();
    await client.close();
  }
}

/**
 * The URL as the doctor's report shows it: as redactUrl does for conformance reports, its
 * `user:password@` and query values (a `?token=`) replaced by `<REDACTED>`, host, port and path kept.
 */
export function displayUrl(url: string): string {
  return redactUrl(url);
}

async function listing(client: ReturnType<typeof createPresenceClient>, now: () => number) {
  const sentAt = now();
  const entries = await client.systemPresence({}).catch((error: unknown) => {
    throw new DoctorReadError("list", error);
  });
  return { entries, sentAt, receivedAt: now() };
}

/** Waits `ms`; resolves early with the reason when the connection closes. */
function watch(client: ReturnType<typeof createPresenceClient>, ms: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(undefined);
    }, ms);
    const off = client.on("state", (change) => {
      if (change.state !== "closed" && change.state !== "reconnecting") return;
      clearTimeout(timer);
      off();
      resolve(`the connection closed while watching: ${change.reason ?? change.state}`);
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
