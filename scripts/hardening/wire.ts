/**
 * Raw sockets on either binding, for hostile-input tests and scripts: frames go out exactly as
 * written, and answers come back as the text the gateway sent (their size is what some tests and
 * `npm run hostile` measure). Works with an in-process Gateway and a gateway child alike (anything
 * with `listeners`).
 */
import WebSocket from "ws";
import type { GatewayListener } from "../../src/server/index.js";
import type { BindingName } from "../../src/transport/binding.js";
import { connectParams } from "./raw-client.js";

export const BINDINGS: readonly BindingName[] = ["jsonrpc", "openclaw"];

/** A gateway as far as its listeners go: an in-process Gateway or a GatewayProcess. */
export interface Listening {
  readonly listeners: readonly GatewayListener[];
}

export function urlOf(gw: Listening, binding: BindingName): string {
  return gw.listeners.find((l) => l.binding === binding)!.url;
}

/** One request frame in `binding`'s shape (openclaw ids are strings). */
export function requestFrame(binding: BindingName, id: number, method: string, params?: unknown): string {
  if (binding === "jsonrpc") return JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
  return JSON.stringify({ type: "req", id: String(id), method, ...(params === undefined ? {} : { params }) });
}

/** An answer (not a push): a JSON-RPC response or batch, an OpenClaw `res`. */
function isAnswer(text: string): boolean {
  return text.startsWith("[") || /^\{"jsonrpc":"2\.0","id"/.test(text) || text.startsWith('{"type":"res"');
}

/** A request's or answer's id as JSON text, undefined for a batch, null ids and frames that are not JSON. */
function idOf(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return id === undefined || id === null ? undefined : JSON.stringify(id);
  } catch {
    return undefined;
  }
}

/** `connect` params for `binding` (mode `backend`, an operator with the default scopes). */
export function connectParamsOf(binding: BindingName, instanceId?: string): Record<string, unknown> {
  return { ...connectParams(instanceId === undefined ? {} : { instanceId }), ...(binding === "openclaw" ? { minProtocol: 3, maxProtocol: 4 } : {}) };
}

export class Wire {
  /** Every message received, as text. */
  readonly texts: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<() => void> = [];
  #nextId = 100;

  private constructor(
    readonly ws: WebSocket,
    readonly binding: BindingName,
  ) {
    ws.on("message", (data) => {
      this.texts.push(String(data));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.on("error", () => {});
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** `path`: what follows the listener's URL (a path, a query). */
  static async open(gw: Listening, binding: BindingName, options: WebSocket.ClientOptions = {}, path = ""): Promise<Wire> {
    const ws = new WebSocket(`${urlOf(gw, binding)}${path}`, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, ...options });
    const wire = new Wire(ws, binding);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return wire;
  }

  /** Opens and connects (mode `backend`, an operator with the default scopes). */
  static async connected(gw: Listening, binding: BindingName, instanceId?: string): Promise<Wire> {
    const wire = await Wire.open(gw, binding);
    const params = connectParamsOf(binding, instanceId);
    const hello = await wire.answerTo(requestFrame(binding, 1, "connect", params));
    if (!hello.includes("hello-ok")) throw new Error(`connect refused: ${hello.slice(0, 300)}`);
    return wire;
  }

  /** Sends `text` and resolves with the text of its answer (the next answer when its id cannot be told). */
  async answerTo(text: string, timeoutMs = 10_000): Promise<string> {
    const id = idOf(text);
    const matches = (t: string) => isAnswer(t) && (id === undefined || (t.includes(id) && idOf(t) === id));
    this.ws.send(text);
    const deadline = Date.now() + timeoutMs;
    // Each text is looked at once: behind 100,000 unread answers, rescanning them all on every
    // arrival took longer than the answers themselves.
    for (let next = this.texts.length; ; ) {
      for (; next < this.texts.length; next++) if (matches(this.texts[next]!)) return this.texts[next]!;
      if (Date.now() > deadline || this.ws.readyState !== WebSocket.OPEN) {
        throw new Error(`no answer to ${text.slice(0, 120)}... (state ${this.ws.readyState})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** A request of this binding with a fresh id. */
  request(method: string, params?: unknown): string {
    return requestFrame(this.binding, this.#nextId++, method, params);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
