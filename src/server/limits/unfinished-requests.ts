/**
 * Sockets whose HTTP request is not finished yet: a WebSocket upgrade whose headers never end
 * (slowloris), a socket that sends nothing at all. The per-address limits (address-limits.ts) count
 * a socket only once it is a WebSocket, so before this any number of such sockets from one address
 * were held, each for ever (Node's own headersTimeout did not close them): enough of them use up the
 * gateway's file descriptors and nobody can connect.
 *
 * - Every listener's HTTP server closes a request not complete within `handshakeTimeoutMs` (408),
 *   checked every quarter of that (at most every second): httpTimeouts().
 * - At most `unfinishedRequestsPerAddress` (64) such sockets per peer address at once; one more is
 *   answered 429 and closed (`reason=HANDSHAKE_LIMIT`, through the log throttle). A trusted proxy's
 *   sockets are not counted here: its clients' addresses are known only from their headers, and the
 *   limits after the upgrade apply to each of them.
 */
import type { Socket } from "node:net";
import type { GatewayContext } from "../core/context.js";
import { normalizeAddress, type TrustedProxies } from "../core/remote-address.js";
import { logThrottled } from "./refuse.js";

/** The options of each listener's `http.createServer`: its requests' time limits. */
export function httpTimeouts(handshakeTimeoutMs: number): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
  return {
    headersTimeout: handshakeTimeoutMs,
    requestTimeout: handshakeTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(handshakeTimeoutMs / 4))),
  };
}

export class UnfinishedRequests {
  readonly #perAddress = new Map<string, number>();
  readonly #counted = new WeakMap<Socket, string>();

  constructor(
    private readonly gw: GatewayContext,
    private readonly trusted: TrustedProxies,
  ) {}

  /** A new TCP socket (the HTTP server's `connection` event): counted, or answered 429 and closed. */
  opened(socket: Socket): void {
    if (socket.remoteAddress === undefined) return;
    const address = normalizeAddress(socket.remoteAddress);
    if (this.trusted.has(address)) return;
    const limit = this.gw.options.limits.unfinishedRequestsPerAddress;
    const count = this.#perAddress.get(address) ?? 0;
    if (count >= limit) return this.#refuse(socket, address, limit);
    this.#perAddress.set(address, count + 1);
    this.#counted.set(socket, address);
    socket.once("close", () => this.finished(socket));
  }

  /** Its request finished: upgraded to a WebSocket (the per-address limits count it from here) or closed. */
  finished(socket: Socket): void {
    const address = this.#counted.get(socket);
    if (address === undefined) return;
    this.#counted.delete(socket);
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(address, left);
    else this.#perAddress.delete(address);
  }

  #refuse(socket: Socket, address: string, limit: number): void {
    const { gw } = this;
    gw.metrics.rejections++;
    gw.metrics.limitRefusals++;
    const message = `too many unfinished HTTP requests from ${address} (at most ${limit})`;
    logThrottled(gw, "HANDSHAKE_LIMIT", address, `reject socket reason=HANDSHAKE_LIMIT ${message} address=${address}`);
    socket.on("error", () => {});
    const body = `${message}: finish or close the others first\n`;
    const head = `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.end(head + body, () => socket.destroy());
  }
}
