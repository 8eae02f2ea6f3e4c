/**
 * An HTTP server on loopback that answers every WebSocket upgrade with one refusal (no gateway behind
 * it): `status`, `headers` and `body` as given. Every server started here is closed after the test.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Starts the server; resolves to its `ws://127.0.0.1:PORT/` URL. */
export async function refusingUpgrade(status: number, headers: Record<string, string> = {}, body = ""): Promise<string> {
  const server = createServer();
  server.on("upgrade", (_request, socket) => {
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\n${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
