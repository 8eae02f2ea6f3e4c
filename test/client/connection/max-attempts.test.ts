// reconnect.maxAttempts is the total number of connection attempts in a row that may fail (the first
// one included), counted as real dials on a loopback port whose server drops every connection.
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type StateChange } from "../../../src/index.js";
import { waitFor } from "../scripted-gateway.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

/** A TCP server on 127.0.0.1 that counts connections and closes each one before the upgrade. */
async function refusingServer(): Promise<{ server: Server; port: number; dials: () => number }> {
  let dials = 0;
  const server = createServer((socket) => {
    dials++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return { server, port: address.port, dials: () => dials };
}

describe("reconnect.maxAttempts", () => {
  let client: PresenceClient | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  for (const maxAttempts of [1, 3]) {
    const attempts = `${maxAttempts} attempt${maxAttempts === 1 ? "" : "s"}`;
    it(`with maxAttempts ${maxAttempts}, dials ${maxAttempts} time(s) and gives up "after ${attempts}"`, async () => {
      const refusing = await refusingServer();
      server = refusing.server;
      const states: StateChange[] = [];
      client = createPresenceClient({
        url: `ws://127.0.0.1:${refusing.port}`,
        client: info,
        reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts },
      });
      client.on("state", (s) => states.push(s));
      const error = (await client.connect({ retry: true }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      await waitFor(() => client!.state === "closed", "closed");
      // Give a retry that should not exist the time to be dialled and counted (several backoff periods).
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(refusing.dials()).toBe(maxAttempts);
      expect(states.filter((s) => s.state === "reconnecting")).toHaveLength(maxAttempts - 1);
      expect(states.at(-1)!.reason).toMatch(new RegExp(`^gave up after ${attempts}: `));
    });
  }

  it("refuses a maxAttempts that is not an integer >= 1", () => {
    for (const maxAttempts of [0, -1, 2.5, Number.NaN]) {
      expect(() => createPresenceClient({ url: "ws://127.0.0.1:1", client: info, reconnect: { maxAttempts } })).toThrow(
        /reconnect.maxAttempts must be an integer >= 1 or Infinity/,
      );
    }
  });
});
