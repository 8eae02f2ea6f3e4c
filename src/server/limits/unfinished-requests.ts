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
 * - At most `maxUnfinishedRequests` (4096) of them on the whole gateway, a trusted proxy's included
 *   (429, `reason=GATEWAY_HANDSHAKE_LIMIT`): many addresses with 64 each.
 * - While the gateway is overloaded (overload.ts) every new socket is answered 503 with
 *   `Retry-After` and closed before its request is read (`reason=OVERLOADED`): the cheapest refusal
 *   there is, no HTTP parsing and no WebSocket handshake.
 */
import { budgetKey } from "./address-limits.js";
import type { Socket } from "node:net";
import type { GatewayContext } from "../core/context.js";
import { normalizeAddress, type TrustedProxies } from "../core/remote-address.js";
import { refuseSocket } from "./refuse.js";

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
  /** Counted sockets of every address (a trusted proxy's included). */
  #total = 0;

  constructor(
    private readonly gw: GatewayContext,
    private readonly trusted: TrustedProxies,
  ) {}

  /** A new TCP socket (the HTTP server's `connection` event): counted, or answered 429/503 and closed. */
  opened(socket: Socket): void {
    if (socket.remoteAddress === undefined) return;
    const { gw } = this;
    const address = normalizeAddress(socket.remoteAddress);
    const shed = gw.overload.refusal();
    if (shed) return refuseSocket(gw, socket, address, 503, shed, `${shed.message}: retry in ${shed.retryAfterMs} ms`);
    const { maxUnfinishedRequests, unfinishedRequestsPerAddress } = gw.options.limits;
    if (this.#total >= maxUnfinishedRequests) {
      const message = `too many unfinished HTTP requests on the gateway (at most ${maxUnfinishedRequests})`;
      return refuseSocket(gw, socket, address, 429, { reason: "GATEWAY_HANDSHAKE_LIMIT", message, retryAfterMs: 1_000 }, `${message}: retry later`);
    }
    const trusted = this.trusted.has(address);
    const key = budgetKey(address); // an IPv6 peer's /64, as the per-address limits count it
    const count = this.#perAddress.get(key) ?? 0;
    if (!trusted && count >= unfinishedRequestsPerAddress) {
      const message = `too many unfinished HTTP requests from ${key} (at most ${unfinishedRequestsPerAddress})`;
      return refuseSocket(gw, socket, address, 429, { reason: "HANDSHAKE_LIMIT", message, retryAfterMs: 1_000 }, `${message}: finish or close the others first`);
    }
    this.#total++;
    if (!trusted) this.#perAddress.set(key, count + 1);
    this.#counted.set(socket, trusted ? "" : key);
    socket.once("close", () => this.finished(socket));
  }

  /** Its request finished: upgraded to a WebSocket (the per-address limits count it from here) or closed. */
  finished(socket: Socket): void {
    const address = this.#counted.get(socket);
    if (address === undefined) return;
    this.#counted.delete(socket);
    this.#total--;
    if (address === "") return; // a trusted proxy's: counted in the total only
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(address, left);
    else this.#perAddress.delete(address);
  }
}
