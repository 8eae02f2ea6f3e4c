/** Raw OpenClaw-frame clients (real `ws`) against a real gateway on 127.0.0.1:0 speaking the openclaw binding. */
import WebSocket from "ws";
import { FrameLog } from "../../../support/frame-log.js";
import type { Gateway, GatewayOptions } from "../../../../src/server/index.js";
import { connectParams as rpcConnectParams, startGateway, type ClientOptions } from "../../helpers.js";

const WAIT_MS = 5_000;

export interface OcError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

export interface OcRes {
  type: "res";
  id: string | null;
  ok: boolean;
  payload?: unknown;
  error?: OcError;
}

export interface OcEvent {
  type: "event";
  event: string;
  payload: Record<string, unknown>;
  seq?: number;
  stateVersion?: { presence: number; health: number };
}

export function startOpenClawGateway(options: GatewayOptions = {}): Promise<Gateway> {
  return startGateway({ binding: "openclaw", ...options });
}

/** The connect params of the jsonrpc helpers, with OpenClaw's protocol range (3..4). */
export function ocConnectParams(o: ClientOptions & { min?: number; max?: number } = {}): Record<string, unknown> {
  return { ...rpcConnectParams(o), minProtocol: o.min ?? 3, maxProtocol: o.max ?? 4 };
}

export class OcClient {
  private readonly log = new FrameLog<Record<string, unknown>>();
  readonly frames: Array<Record<string, unknown>> = this.log.frames;
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => this.log.add(JSON.parse(data.toString()) as Record<string, unknown>));
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("error", () => {});
  }

  static async open(url: string): Promise<OcClient> {
    const ws = new WebSocket(url);
    const client = new OcClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return client;
  }

  /** The nonce of this connection's `connect.challenge`. */
  async nonce(): Promise<string> {
    const challenge = (await this.waitFor((f) => f.type === "event" && f.event === "connect.challenge")) as unknown as OcEvent;
    return challenge.payload.nonce as string;
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  async req(method: string, params?: unknown): Promise<OcRes> {
    const id = `r${this.nextId++}`;
    this.sendRaw(JSON.stringify(params === undefined ? { type: "req", id, method } : { type: "req", id, method, params }));
    return (await this.waitFor((f) => f.type === "res" && f.id === id)) as unknown as OcRes;
  }

  async payload<T = unknown>(method: string, params?: unknown): Promise<T> {
    const res = await this.req(method, params);
    if (!res.ok) throw new Error(`${method} failed: ${JSON.stringify(res.error)}`);
    return res.payload as T;
  }

  waitFor(match: (frame: Record<string, unknown>) => boolean, timeoutMs = WAIT_MS): Promise<Record<string, unknown>> {
    return this.log.waitFor(match, timeoutMs);
  }

  events(name: string): OcEvent[] {
    return this.frames.filter((f) => f.type === "event" && f.event === name) as unknown as OcEvent[];
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/** Opens a client and completes `connect`. */
export async function ocConnect(gw: Gateway, o: ClientOptions & { min?: number; max?: number } = {}): Promise<{ client: OcClient; hello: Record<string, unknown> }> {
  const client = await OcClient.open(gw.url);
  const hello = await client.payload<Record<string, unknown>>("connect", ocConnectParams(o));
  return { client, hello };
}
