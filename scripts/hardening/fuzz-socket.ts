/** The fuzzer's sockets: frames out, answers matched to them by id and checked against the contract's error shapes. */
import WebSocket from "ws";
import { ERROR_CODES, type ErrorName } from "../../src/protocol/index.js";
import { validate } from "../../src/validation/index.js";
import type { FuzzBinding, FuzzFrame } from "./fuzz-frames.js";

/** What the sockets count (a part of FuzzReport). */
export interface SocketTally {
  framesSent: number;
  byKind: Record<string, number>;
  answers: Record<string, number>;
  connectionsOpened: number;
  closeCodes: Record<string, number>;
  internalErrors: string[];
  invalidAnswers: string[];
}

/** One socket's answers: matched to the frames by id, checked against the contract's error shapes. */
export class FuzzSocket {
  readonly pending = new Map<string, FuzzFrame>();
  readonly closed: Promise<number>;
  #sentinel: { key: string; resolve(): void } | undefined;
  #earlyRefusal = false;

  private constructor(
    readonly ws: WebSocket,
    readonly binding: FuzzBinding,
    readonly report: SocketTally,
    readonly refused: Set<string>,
  ) {
    ws.on("message", (data) => this.#receive(String(data)));
    ws.on("error", () => {});
    this.closed = new Promise((resolve) =>
      ws.once("close", (code) => {
        report.closeCodes[code] = (report.closeCodes[code] ?? 0) + 1;
        this.#sentinel?.resolve();
        resolve(code);
      }),
    );
  }

  static async open(url: string, binding: FuzzBinding, localAddress: string, report: SocketTally, refused: Set<string>): Promise<FuzzSocket> {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false, handshakeTimeout: 10_000 });
    const socket = new FuzzSocket(ws, binding, report, refused);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    report.connectionsOpened++;
    return socket;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Refused at open by a per-address limit (RATE_LIMITED with no id, then close 1013). */
  get refusedAtOpen(): boolean {
    return this.#earlyRefusal;
  }

  send(frame: FuzzFrame): void {
    if (!this.open) return;
    this.report.byKind[frame.kind] = (this.report.byKind[frame.kind] ?? 0) + 1;
    this.report.framesSent++;
    if (frame.id !== undefined) this.pending.set(key(frame.id), frame);
    if (frame.refused === true && frame.writes !== undefined) this.refused.add(frame.writes);
    this.ws.send(frame.text, { binary: frame.binary === true });
  }

  /** Sends `frame` and resolves once its answer (or the close) arrived, or after `timeoutMs` (false). */
  async settle(frame: FuzzFrame, timeoutMs: number): Promise<boolean> {
    if (!this.open) return true;
    const done = new Promise<void>((resolve) => (this.#sentinel = { key: key(frame.id!), resolve }));
    this.send(frame);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ok = await Promise.race([done.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
    clearTimeout(timer);
    this.#sentinel = undefined;
    return ok;
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return void this.report.invalidAnswers.push(`not JSON: ${text.slice(0, 120)}`);
    }
    for (const m of (Array.isArray(message) ? message : [message]) as Array<Record<string, any>>) this.#answer(m, text);
  }

  #answer(m: Record<string, any>, text: string): void {
    const isEvent = this.binding === "openclaw" ? m.type === "event" : typeof m.method === "string" && !("id" in m);
    if (isEvent) return;
    const error = this.binding === "openclaw" ? (m.ok === false ? m.error : undefined) : m.error;
    const name = error === undefined ? "result" : this.#errorName(error, text);
    this.report.answers[name] = (this.report.answers[name] ?? 0) + 1;
    if (name === "INTERNAL_ERROR") this.report.internalErrors.push(text.slice(0, 300));
    if (m.id === null && name === "RATE_LIMITED" && this.report.connectionsOpened > 0 && this.pending.size === 0) this.#earlyRefusal = true;
    const frame = m.id === null || m.id === undefined ? undefined : this.pending.get(key(m.id));
    if (frame) {
      this.pending.delete(key(m.id));
      if (frame.writes !== undefined && name !== "result") this.refused.add(frame.writes);
    }
    if (this.#sentinel && m.id !== null && m.id !== undefined && key(m.id) === this.#sentinel.key) this.#sentinel.resolve();
  }

  /** The SPEC §10 name of an error answer; a malformed one is recorded. */
  #errorName(error: Record<string, any>, text: string): string {
    if (this.binding === "openclaw") {
      if (typeof error?.code !== "string" || typeof error?.message !== "string") this.report.invalidAnswers.push(text.slice(0, 300));
      return String(error?.code);
    }
    const data = error?.data as { code?: string } | undefined;
    const checked = validate("ErrorData", data);
    if (!checked.ok || ERROR_CODES[data!.code as ErrorName] !== error.code) this.report.invalidAnswers.push(text.slice(0, 300));
    return String(data?.code);
  }
}

const key = (id: string | number) => `${typeof id}:${id}`;
