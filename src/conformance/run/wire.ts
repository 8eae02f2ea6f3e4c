/**
 * The runner's raw connections: frames are encoded and decoded through a ClientBinding, every frame
 * is written to the scenario's wire log, and anything (even malformed text) can be sent.
 */
import WebSocket from "ws";
import { notOpenWithin, TLS_PROBLEM_HINTS, tlsProblem, TransportError } from "../../client/errors.js";
import { clampTimerMs } from "../../protocol/durations.js";
import type { ClientBinding } from "../../transport/binding.js";
import { FrameDecodeError, type InboundFrame, type RequestId } from "../../transport/frames.js";
import type { WireRecord } from "../report/results.js";
import { decodeEchoedId } from "./raw-ids.js";
import { watchRefusedUpgrade } from "../../transport/refused-upgrade.js";
import { RefusedUpgradeError } from "./refusals.js";

export type { WireRecord } from "../report/results.js";

/**
 * The frames of one scenario, bounded so a flood does not fill memory or reports: the first
 * `maxRecords - tailRecords` records and the last `tailRecords` are kept (a flood's end, and the close
 * that followed it, stay visible); `omitted` counts the ones in between.
 */
/** The longest frame text a wire log keeps, and the longest string in a failed check's values (context.ts). */
export const MAX_TEXT_CHARS = 2000;

export class WireLog {
  readonly #head: WireRecord[] = [];
  readonly #tail: WireRecord[] = [];
  omitted = 0;
  readonly #start = Date.now();
  #seq = 0;
  /** Sees every sent frame's whole text, kept in the log or not (the scenario's own values, scenario-rows.ts). */
  onSend: ((text: string) => void) | undefined;

  constructor(
    readonly maxRecords = 500,
    readonly maxText = MAX_TEXT_CHARS,
    readonly tailRecords = 100,
  ) {}

  /** The kept records, in order. */
  get records(): WireRecord[] {
    return [...this.#head, ...this.#tail];
  }

  add(actor: string, dir: WireRecord["dir"], text: string): WireRecord {
    if (dir === "send") this.onSend?.(text);
    const record: WireRecord = { seq: this.#seq++, t: Date.now() - this.#start, actor, dir, text };
    if (text.length > this.maxText) {
      record.text = `${text.slice(0, this.maxText)}…`;
      record.bytes = Buffer.byteLength(text);
    }
    if (this.#head.length < this.maxRecords - this.tailRecords) this.#head.push(record);
    else {
      this.#tail.push(record);
      if (this.#tail.length > this.tailRecords) {
        this.#tail.shift();
        this.omitted++;
      }
    }
    return record;
  }
}

export interface Received {
  frame: InboundFrame;
  record: WireRecord;
  /** The whole text, when the record keeps only its start (a wire-format finding shows the wrong field from it). */
  text?: string;
  consumed: boolean;
  at: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export class WaitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WaitError";
  }
}

/** Proof that the gateway speaks another wire binding: which, and what showed it. */
export interface OtherBinding {
  binding: "jsonrpc" | "openclaw";
  /** Completes "no <what the wait was for>: ...", e.g. `the gateway sent an OpenClaw "connect.challenge" event instead`. */
  evidence: string;
}

/** The other binding's frame, named for a message: `an OpenClaw "connect.challenge" event`, `a JSON-RPC 2.0 frame`. */
function foreignFrame(text: string, binding: OtherBinding["binding"]): string {
  if (binding === "jsonrpc") return "a JSON-RPC 2.0 frame";
  const f = ([JSON.parse(text)].flat()[0] ?? {}) as { type?: unknown; event?: unknown }; // a batch: its first entry
  return typeof f.event === "string" ? `an OpenClaw ${JSON.stringify(f.event)} event` : `an OpenClaw ${JSON.stringify(f.type) ?? ""} frame`;
}

/** A wss:// open that failed in TLS, as list says it: Node's code and the client SDK's hint, not OpenSSL's raw line. */
function tlsFailure(error: Error & { code?: unknown }): string | undefined {
  const problem = tlsProblem(new TransportError("closed", error.message, { cause: error }));
  return problem && `${typeof error.code === "string" ? error.code : "TLS"} (${TLS_PROBLEM_HINTS[problem]})`;
}

interface Waiter {
  test(r: Received): boolean;
  resolve(r: Received): void;
  reject(e: Error): void;
  /** Set for waits that end as soon as the other binding shows (a handshake's). */
  otherBinding?: (seen: OtherBinding) => void;
}

export class WireConnection {
  readonly received: Received[] = [];
  readonly decodeErrors: { message: string; record: WireRecord }[] = [];
  /** Request id -> method, so results can be validated against the method's schema. */
  readonly methods = new Map<RequestId, string>();
  /** Request id numerals JSON changes that a raw frame sent (`1e-400`): an answer echoing one as written is decoded (raw-ids.ts). */
  readonly lossyIdsSent = new Set<string>();
  closeInfo: CloseInfo | undefined;
  /** Set by the first frame of the other wire binding (or by noteOtherBinding). */
  otherBinding: OtherBinding | undefined;
  readonly #waiters = new Set<Waiter>();
  readonly #closeWaiters = new Set<(info: CloseInfo) => void>();
  #nextId = 1;

  private constructor(
    readonly actor: string,
    readonly binding: ClientBinding,
    readonly log: WireLog,
    readonly socket: WebSocket,
  ) {
    socket.on("message", (data: WebSocket.RawData, isBinary: boolean) => this.#receive(data, isBinary));
    socket.on("close", (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString() };
      log.add(actor, "meta", `close ${code}${this.closeInfo.reason ? ` ${this.closeInfo.reason}` : ""}`);
      for (const resolve of this.#closeWaiters) resolve(this.closeInfo);
      for (const w of this.#waiters) w.reject(new WaitError(`connection closed (${code}${this.closeInfo.reason ? ` ${this.closeInfo.reason}` : ""}) while waiting`));
      this.#waiters.clear();
    });
    socket.on("error", () => {}); // a close event follows
  }

  static open(url: string, actor: string, binding: ClientBinding, log: WireLog, headers: Record<string, string> | undefined, timeoutMs: number): Promise<WireConnection> {
    log.add(actor, "meta", `open ${url}`);
    const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
    const connection = new WireConnection(actor, binding, log, socket);
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(connection));
      // An upgrade answered with an HTTP status (a rate limit's 503 + Retry-After): what it said, read before the error and close.
      const refusal = watchRefusedUpgrade(socket);
      const refused = () => refusal?.() && new RefusedUpgradeError(url, refusal()!);
      // ws's own words for an upgrade that never completed, said as the client SDK says it (list, watch).
      const why = (error: Error) => (error.message === "Opening handshake has timed out" ? notOpenWithin(timeoutMs) : (tlsFailure(error) ?? error.message));
      socket.once("error", (error: Error) => reject(refused() || new WaitError(`could not open ${url}: ${why(error)}`)));
      socket.once("close", (code: number) => reject(refused() || new WaitError(`closed (${code}) before it opened`)));
    });
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");
    const record = this.log.add(this.actor, "recv", isBinary ? `(binary) ${text}` : text);
    if (isBinary) {
      this.decodeErrors.push({ message: "binary frame (SPEC T1: text frames only)", record });
      return;
    }
    let frames: InboundFrame[];
    try {
      frames = this.binding.decode(text);
    } catch (error) {
      const echoed = this.lossyIdsSent.size > 0 ? decodeEchoedId(this.binding, text, this.lossyIdsSent) : undefined;
      if (echoed === undefined) {
        this.decodeErrors.push({ message: (error as Error).message, record });
        if (error instanceof FrameDecodeError && error.otherBinding) {
          this.noteOtherBinding({ binding: error.otherBinding, evidence: `the gateway sent ${foreignFrame(text, error.otherBinding)} instead` });
        }
        return;
      }
      frames = echoed;
    }
    for (const frame of frames) {
      const received: Received = { frame, record, consumed: false, at: Date.now(), ...(record.bytes ? { text } : {}) };
      this.received.push(received);
      for (const w of this.#waiters) {
        if (!w.test(received)) continue;
        this.#waiters.delete(w);
        w.resolve(received);
        break;
      }
    }
  }

  /** Records proof of the other binding (the first is kept) and ends the waits that stop at it. */
  noteOtherBinding(seen: OtherBinding): void {
    this.otherBinding ??= seen;
    for (const w of this.#waiters) {
      if (!w.otherBinding) continue;
      this.#waiters.delete(w);
      w.otherBinding(seen);
    }
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(text: string): WireRecord {
    const record = this.log.add(this.actor, "send", text);
    this.socket.send(text);
    return record;
  }

  newId(): string {
    return `${this.actor}-${this.#nextId++}`;
  }

  request(method: string, params: unknown, id: RequestId = this.newId()): { id: RequestId; record: WireRecord } {
    this.methods.set(id, method);
    return { id, record: this.send(this.binding.encodeRequest(id, method, params)) };
  }

  /**
   * The first not yet consumed frame passing `test`, waiting up to `timeoutMs`; marks it consumed.
   * `untilOtherBinding`: fail as soon as the gateway shows it speaks the other wire binding (an
   * OpenClaw `connect.challenge` to a JSON-RPC client), not at the timeout: waiting cannot help then.
   */
  waitFor(test: (r: Received) => boolean, timeoutMs: number, what: string, untilOtherBinding = false): Promise<Received> {
    const existing = this.received.find((r) => !r.consumed && test(r));
    if (existing) {
      existing.consumed = true;
      return Promise.resolve(existing);
    }
    // `what` reads after "before" / "waiting for" ("an error frame"); after "no" it drops its article.
    const none = `no ${what.replace(/^an? /, "")}`;
    const wrongBinding = (seen: OtherBinding) => new WaitError(`${none}: ${seen.evidence}`);
    if (untilOtherBinding && this.otherBinding) return Promise.reject(wrongBinding(this.otherBinding));
    if (this.closeInfo) return Promise.reject(new WaitError(`connection closed (${this.closeInfo.code}${this.closeInfo.reason ? ` ${this.closeInfo.reason}` : ""}) before ${what}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test: (r) => !r.consumed && test(r),
        resolve: (r) => {
          clearTimeout(timer);
          r.consumed = true;
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(new WaitError(`${e.message} for ${what}`));
        },
        ...(untilOtherBinding
          ? {
              otherBinding: (seen: OtherBinding) => {
                clearTimeout(timer);
                reject(wrongBinding(seen));
              },
            }
          : {}),
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new WaitError(`${none} within ${timeoutMs} ms`));
      }, clampTimerMs(timeoutMs));
      this.#waiters.add(waiter);
    });
  }

  waitResponse(id: RequestId, timeoutMs: number, untilOtherBinding = false): Promise<Received> {
    return this.waitFor((r) => r.frame.kind !== "event" && r.frame.id === id, timeoutMs, `answer to request ${JSON.stringify(id)}`, untilOtherBinding);
  }

  waitClose(timeoutMs: number): Promise<CloseInfo | undefined> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve) => {
      const done = (info: CloseInfo | undefined) => {
        clearTimeout(timer);
        this.#closeWaiters.delete(done);
        resolve(info);
      };
      const timer = setTimeout(() => done(undefined), clampTimerMs(timeoutMs));
      this.#closeWaiters.add(done);
    });
  }

  /** Closes normally and waits (briefly) for the close handshake. */
  async close(): Promise<void> {
    if (this.closeInfo) return;
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    if (!(await this.waitClose(1000))) this.socket.terminate();
  }

  /** Drops the connection at once (scenario timeout). */
  terminate(): void {
    this.socket.terminate();
  }
}
