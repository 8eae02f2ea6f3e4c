/**
 * A network between the browser and a gateway that a test can break: a TCP relay on an ephemeral
 * loopback port that forwards every connection to the gateway's port, byte for byte (HTTP, the
 * WebSocket upgrade and its frames). `cut()` drops every connection at once and refuses new ones
 * (the page's socket closes while the gateway stays up); `stall()` silently drops what the open
 * connections carry, from now on, and refuses new ones (a half-open socket: no close reaches either
 * side, as when a laptop sleeps or its network changes); `restore()` lets new connections through
 * again (stalled ones stay dead). Closed after the test.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach } from "vitest";

export interface Link {
  /** The relay's port: the page is opened on http://127.0.0.1:PORT/ (so its WebSocket takes the relay too). */
  readonly port: number;
  /** The gateway port connections are forwarded to (set once the gateway runs). */
  target: number;
  /** Connections forwarded so far. */
  readonly opened: number;
  /** Destroys every open connection (both sides) and refuses new ones until restore(). */
  cut(): void;
  /** Open connections carry nothing more (their bytes are dropped, nothing is closed); new ones are refused until restore(). */
  stall(): void;
  restore(): void;
  close(): Promise<void>;
}

const links = new Set<Link>();

afterEach(async () => {
  await Promise.all([...links].map((l) => l.close()));
  links.clear();
});

export async function startLink(): Promise<Link> {
  const pairs = new Set<[Socket, Socket]>();
  const stalled = new WeakSet<Socket>();
  let down = false;
  let opened = 0;
  const server: Server = createServer((inbound) => {
    if (down) {
      inbound.destroy();
      return;
    }
    opened++;
    const outbound = createConnection({ host: "127.0.0.1", port: link.target });
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", drop).on("close", drop);
    outbound.on("error", drop).on("close", drop);
    // Forwarded by hand, not piped, so a stalled pair can drop its bytes.
    inbound.on("data", (chunk) => stalled.has(inbound) || outbound.write(chunk));
    outbound.on("data", (chunk) => stalled.has(inbound) || inbound.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the relay has no port");
  const link: Link = {
    port: address.port,
    target: 0,
    get opened() {
      return opened;
    },
    cut() {
      down = true;
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    stall() {
      down = true;
      for (const [inbound] of pairs) stalled.add(inbound);
    },
    restore() {
      down = false;
    },
    async close() {
      links.delete(link);
      link.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  links.add(link);
  return link;
}
