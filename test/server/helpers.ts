/** Real `ws` clients against a real gateway on 127.0.0.1:0, speaking raw JSON-RPC. */
import { afterEach } from "vitest";
import WebSocket from "ws";
import type { ConnectParams, HelloOk, PresenceEntry } from "../../src/protocol/index.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/server/index.js";
import { eventually as waitFor } from "../support/eventually.js";
import { connectParams as baseConnectParams, type ConnectOptions } from "../../scripts/hardening/raw-client.js";
import { FrameLog } from "../support/frame-log.js";
import { withoutShedding } from "../support/timing.js";

export interface RpcError {
  code: number;
  message: string;
  data?: Record<string, unknown> & { code?: string };
}

export interface RpcResponse {
  jsonrpc: "2.0";
  id: string | number | null;
  result?: unknown;
  error?: RpcError;
}

export interface Notification {
  jsonrpc: "2.0";
  method: string;
  params: unknown;
}

const WAIT_MS = 5_000;
const open = new Set<Gateway>();
const clients = new Set<WireClient>();

afterEach(async () => {
  for (const client of clients) client.terminate();
  clients.clear();
  await Promise.all([...open].map((gw) => gw.close()));
  open.clear();
});

/** A gateway on a free loopback port, closed after the test. */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const gw = await createGateway(withoutShedding({ host: "127.0.0.1", port: 0, ...options }));
  open.add(gw);
  return gw;
}

export class WireClient {
  private readonly log = new FrameLog<unknown>();
  /** Every parsed frame received, in order. */
  readonly frames: unknown[] = this.log.frames;
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    clients.add(this);
    ws.on("message", (data) => this.log.add(JSON.parse(data.toString())));
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("error", () => {});
  }

  static async open(url: string, wsOptions?: WebSocket.ClientOptions): Promise<WireClient> {
    const ws = new WebSocket(url, wsOptions);
    const client = new WireClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return client;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and resolves with its response (result or error). */
  async call(method: string, params?: unknown): Promise<RpcResponse> {
    const id = this.nextId++;
    this.sendRaw(JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params }));
    return this.waitFor((frame) => isResponse(frame) && frame.id === id) as Promise<RpcResponse>;
  }

  /** The result of a call that must succeed. */
  async result<T = unknown>(method: string, params?: unknown): Promise<T> {
    const response = await this.call(method, params);
    if (response.error) throw new Error(`${method} failed: ${JSON.stringify(response.error)}`);
    return response.result as T;
  }

  /** The first frame (already received or still to come) matching `match`. */
  waitFor(match: (frame: unknown) => boolean, timeoutMs = WAIT_MS): Promise<unknown> {
    return this.log.waitFor(match, timeoutMs);
  }

  /** The next frame (from now on) matching `match`. */
  async next(match: (frame: unknown) => boolean, timeoutMs = WAIT_MS): Promise<unknown> {
    const from = this.frames.length;
    return this.waitFor((frame) => this.frames.indexOf(frame, from) >= from && match(frame), timeoutMs);
  }

  notifications(method: string): Notification[] {
    return this.frames.filter((f): f is Notification => isNotification(f) && f.method === method);
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export function isResponse(frame: unknown): frame is RpcResponse {
  return typeof frame === "object" && frame !== null && "id" in frame && ("result" in frame || "error" in frame);
}

export function isNotification(frame: unknown): frame is Notification {
  return typeof frame === "object" && frame !== null && "method" in frame && !("id" in frame);
}

export type ClientOptions = ConnectOptions;

/** `connect` params (SPEC H2) of a test client: id `test-client`, mode `ui` unless given. */
export function connectParams(o: ClientOptions = {}): ConnectParams {
  return baseConnectParams({ id: "test-client", mode: "ui", ...o }) as ConnectParams;
}

/** Opens a client and completes `connect`. */
export async function connectClient(
  gw: Gateway,
  o: ClientOptions = {},
  wsOptions?: WebSocket.ClientOptions,
): Promise<{ client: WireClient; hello: HelloOk }> {
  const client = await WireClient.open(gw.url, wsOptions);
  const hello = await client.result<HelloOk>("connect", connectParams(o));
  return { client, hello };
}

/** An operator that only watches: lists and receives pushes. */
export async function observer(gw: Gateway): Promise<WireClient> {
  return (await connectClient(gw, { mode: "cli", id: "observer" })).client;
}

export async function list(client: WireClient): Promise<PresenceEntry[]> {
  return client.result<PresenceEntry[]>("system-presence");
}

/** Rows other than the gateway's own. */
export function peers(rows: PresenceEntry[]): PresenceEntry[] {
  return rows.filter((row) => row.reason !== "self");
}

export function rowOf(rows: PresenceEntry[], instanceId: string): PresenceEntry | undefined {
  return rows.find((row) => row.instanceId?.toLowerCase() === instanceId.toLowerCase());
}

/** Waits until `check` passes (the gateway reacts to a close asynchronously). */
export function eventually<T>(check: () => Promise<T>, timeoutMs = WAIT_MS): Promise<T> {
  return waitFor(check, timeoutMs);
}

export function errorOf(response: RpcResponse): RpcError {
  if (!response.error) throw new Error(`expected an error, got ${JSON.stringify(response)}`);
  return response.error;
}
