/**
 * The gateway-wide rate of new connections (`limits.connectionRate`, docs/security.md): one token
 * bucket for every address and listener together, taken from at each WebSocket upgrade request
 * before `ws` reads its headers. The per-address limits (address-limits.ts) stop one address; many
 * addresses, each within its own budget, could still make the gateway accept and hand-shake as fast
 * as its CPU allows. Overload shedding (overload.ts) reacts once the event loop is already slow; this
 * bounds the work before it starts.
 *
 * The check is O(1), sets no timer and allocates nothing while tokens last (TokenBucket.take: one
 * read of the monotonic clock, a few arithmetic operations, a frozen result); only a refusal builds
 * its message and answer.
 */
import type { Socket } from "node:net";
import type { GatewayContext } from "../core/context.js";
import { TokenBucket } from "../core/rate-limiter.js";
import type { ConnectionRateLimit } from "./options.js";
import { normalizeAddress } from "../core/remote-address.js";
import { answerSocket, countRefusal } from "./refuse.js";

export class ConnectionRate {
  readonly #bucket: TokenBucket | undefined;
  /** When the last line was logged (-Infinity: never), and the refusals since that were not. */
  #loggedAt = -Infinity;
  #unlogged = 0;
  /**
   * Writes the refusals not logged at the end of their interval (a flood's last seconds would
   * otherwise never reach the log). One at most, armed only by a refusal left out of the log.
   */
  #tail: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly gw: GatewayContext,
    private readonly now: () => number = () => performance.now(),
  ) {
    const limit: ConnectionRateLimit = gw.options.limits.connectionRate;
    this.#bucket = limit.enabled ? new TokenBucket(limit, now) : undefined;
  }

  /**
   * An upgrade request arrived on `socket` (the HTTP server's `upgrade` event): true when it may go on
   * to the WebSocket handshake; false when it was refused (503 + Retry-After, counted, logged at most
   * once per `limits.connectionRate.logIntervalMs`) and the socket is being closed.
   */
  admit(socket: Socket): boolean {
    if (this.#bucket === undefined) return true;
    const taken = this.#bucket.take();
    if (taken.ok) return true;
    const message = this.#message();
    countRefusal(this.gw, { reason: "CONNECTION_RATE", message, retryAfterMs: taken.retryAfterMs });
    const line = this.#logLine(socket, message);
    if (line !== undefined) this.gw.log(line);
    answerSocket(socket, 503, taken.retryAfterMs, `${message}: retry in ${Math.max(1, Math.ceil(taken.retryAfterMs / 1000))} s`);
    return false;
  }

  /** The gateway is closing: the refusals not logged yet are written now, and the timer cleared. */
  close(): void {
    this.#writeTail();
  }

  #message(): string {
    const { perSecond, burst } = this.gw.options.limits.connectionRate;
    return `too many new connections to the gateway (at most ${perSecond} per second, burst ${burst})`;
  }

  /** The log line for this refusal, or undefined when one was logged within the interval (then counted, and the tail timer armed). */
  #logLine(socket: Socket, message: string): string | undefined {
    const now = this.now();
    const interval = this.gw.options.limits.connectionRate.logIntervalMs;
    if (now - this.#loggedAt < interval) {
      this.#unlogged++;
      this.#tail ??= setTimeout(() => this.#writeTail(), this.#loggedAt + interval - now).unref();
      return undefined;
    }
    const note = this.#unlogged > 0 ? ` (${this.#unlogged} more refused since the last line)` : "";
    clearTimeout(this.#tail); // due, but late (a busy loop): this line says its count
    this.#tail = undefined;
    this.#loggedAt = now;
    this.#unlogged = 0;
    // The peer address only: never the request's URL or headers (a token may ride in either).
    return `reject upgrade reason=CONNECTION_RATE ${message} address=${socket.remoteAddress === undefined ? "unknown" : normalizeAddress(socket.remoteAddress)}${note}`;
  }

  /** The refusals of the interval that were not logged, in one line (no address: they came from any). */
  #writeTail(): void {
    clearTimeout(this.#tail);
    this.#tail = undefined;
    if (this.#unlogged === 0) return;
    const count = this.#unlogged;
    this.#loggedAt = this.now();
    this.#unlogged = 0;
    this.gw.log(`reject upgrade reason=CONNECTION_RATE ${this.#message()}: ${count} more refused since the last line`);
  }
}
