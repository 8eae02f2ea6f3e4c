/**
 * A lean JSON-RPC client over a raw `ws` socket for fuzz, flood and soak runs: it can bind its own
 * source address (any of 127.0.0.0/8 on Linux, so one machine plays many client addresses), send any
 * text, and match answers by id without keeping every frame.
 */
import WebSocket from "ws";

export interface Answer {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

/** RawClient.open's rejection when the gateway answered the upgrade with an HTTP error (429, 503, ...). */
export interface UpgradeRefused extends Error {
  status: number;
  /** The `Retry-After` header as sent, if any. */
  retryAfter: string | undefined;
  /** The answer's body (the gateway's reason), at most 1000 characters. */
  body: string;
}

export interface RawClientOptions {
  /** Source address of the socket, e.g. `127.0.0.2`. */
  localAddress?: string;
  /** Give up opening after this long (ms). Default 10000. */
  openTimeoutMs?: number;
}

export class RawClient {
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Answers that carry no usable id (`id: null`): the gateway's errors that answer no request. */
  readonly unmatched: Answer[] = [];
  /** Notifications received, by method. */
  readonly notifications = new Map<string, number>();
  onNotification?: (method: string, params: unknown) => void;
  #nextId = 1;
  readonly #pending = new Map<number, (answer: Answer) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => this.#receive(String(data)));
    ws.on("error", () => {});
    this.closed = new Promise((resolve) =>
      ws.once("close", (code, reason) => {
        for (const settle of this.#pending.values()) settle({ error: { code: 0, message: `closed ${code}` } });
        this.#pending.clear();
        resolve({ code, reason: String(reason) });
      }),
    );
  }

  /**
   * Opens a socket; resolves once open (a socket the gateway refuses at once still opens first).
   * An upgrade answered with an HTTP error rejects with an UpgradeRefused ("Unexpected server
   * response: 503", as ws says it, with the status, `Retry-After` and the body the gateway gave).
   */
  static open(url: string, options: RawClientOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, { localAddress: options.localAddress, perMessageDeflate: false, handshakeTimeout: options.openTimeoutMs ?? 10_000 });
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("error", (error) => reject(error));
      // With a listener here ws leaves the refused request to us: read the answer, then end it.
      ws.once("unexpected-response", (_request, response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body = (body + chunk).slice(0, 1000)));
        response.once("close", () => {
          const status = response.statusCode ?? 0;
          reject(Object.assign(new Error(`Unexpected server response: ${status}`), { status, retryAfter: response.headers["retry-after"], body: body.trim() }) as UpgradeRefused);
          ws.terminate();
        });
      });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    if (this.isOpen) this.ws.send(text);
  }

  /** A request; resolves with its answer (or `{error: {code: 0}}` when the socket closes first). */
  call(method: string, params?: unknown): Promise<Answer> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      if (!this.isOpen) return resolve({ error: { code: 0, message: "not open" } });
      this.#pending.set(id, resolve);
      this.ws.send(JSON.stringify(params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params }));
    });
  }

  /** The next answer without a usable id (e.g. a refusal sent as the socket opened), or undefined after `ms`. */
  async nextUnmatched(ms: number): Promise<Answer | undefined> {
    const deadline = Date.now() + ms;
    while (this.unmatched.length === 0 && Date.now() < deadline && this.ws.readyState !== WebSocket.CLOSED) await new Promise((r) => setTimeout(r, 5));
    return this.unmatched.shift();
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 2_000);
    return this.closed.finally(() => clearTimeout(timer));
  }

  terminate(): void {
    this.ws.terminate();
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    for (const m of (Array.isArray(message) ? message : [message]) as Array<Answer & { method?: string; params?: unknown }>) {
      if (typeof m.method === "string" && !("id" in m)) {
        this.notifications.set(m.method, (this.notifications.get(m.method) ?? 0) + 1);
        this.onNotification?.(m.method, m.params);
        continue;
      }
      const settle = typeof m.id === "number" ? this.#pending.get(m.id) : undefined;
      if (settle) {
        this.#pending.delete(m.id as number);
        settle(m);
      } else this.unmatched.push(m);
    }
  }
}

export interface ConnectOptions {
  instanceId?: string;
  mode?: string;
  displayName?: string;
  role?: "operator" | "node";
  scopes?: string[];
  token?: string;
  id?: string;
  /** Other top-level connect fields, sent as given. */
  extra?: Record<string, unknown>;
}

/** `connect` params of a jsonrpc client (SPEC H2); default client id `hardening`, mode `backend`. */
export function connectParams(o: ConnectOptions = {}) {
  return {
    minProtocol: 1,
    maxProtocol: 1,
    client: {
      id: o.id ?? "hardening",
      version: "1.0.0",
      platform: "linux",
      mode: o.mode ?? "backend",
      ...(o.displayName ? { displayName: o.displayName } : {}),
      ...(o.instanceId !== undefined ? { instanceId: o.instanceId } : {}),
    },
    ...(o.role ? { role: o.role } : {}),
    ...(o.scopes ? { scopes: o.scopes } : {}),
    ...(o.token !== undefined ? { auth: { token: o.token } } : {}),
    ...o.extra,
  };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
