/**
 * A WHATWG-style WebSocket over `ws` whose inbound text frames can be held back (a client that
 * stops reading) or dropped (a push the gateway skipped for a slow client). Passed to the client as
 * its `WebSocket` implementation; everything else is the real socket.
 */
import { WebSocket } from "ws";
import type { WebSocketLike } from "../../src/index.js";

export class LossySocket implements WebSocketLike {
  /** Every socket made, newest last. */
  static readonly all: LossySocket[] = [];
  readonly ws: WebSocket;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** While true, inbound frames wait; setting it false delivers them in order. */
  #holding = false;
  readonly #held: string[] = [];
  /** Inbound frames for which this returns true are dropped. */
  drop: (text: string) => boolean = () => false;
  dropped: string[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.onopen = (e) => this.onopen?.(e);
    this.ws.onclose = (e) => this.onclose?.(e);
    this.ws.onerror = (e) => this.onerror?.(e);
    this.ws.onmessage = (e) => this.#deliver(String(e.data));
    LossySocket.all.push(this);
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  set holding(value: boolean) {
    this.#holding = value;
    while (!this.#holding && this.#held.length > 0) this.onmessage?.({ data: this.#held.shift() });
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  #deliver(text: string): void {
    if (this.drop(text)) return void this.dropped.push(text);
    if (this.#holding) this.#held.push(text);
    else this.onmessage?.({ data: text });
  }
}

export const isPresencePush = (text: string) => text.includes('"method":"presence"');
export const isDeltaPush = (text: string) => text.includes('"method":"presence.delta"');
