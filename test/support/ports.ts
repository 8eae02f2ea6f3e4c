/** Loopback ports for tests. */
import { createServer, type AddressInfo } from "node:net";

/**
 * A loopback port nothing listens on: taken from the system, then given back. Another process may
 * take it again before it is used; tests use it where a refused connection is wanted, or start
 * their own server on it soon after.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
