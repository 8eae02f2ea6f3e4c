// The openclaw binding's check for a JSON-RPC gateway (src/transport/binding-check.ts), as the SDK
// runs it: on by default (a second connection asks a quiet gateway after 500 ms), and `bindingCheck:
// false` never opens that second connection. Real gateways on loopback: the reference gateway's
// JSON-RPC listener, and a plain ws server that accepts and says nothing, counting its connections.
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { createPresenceClient, type PresenceClient } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { createOpenClawBinding } from "../../../src/transport/openclaw.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };
/** The openclaw binding with a short challenge wait: what ends an attempt when no check does. */
const openclaw = createOpenClawBinding({ challengeTimeoutMs: 1_500 });

/** A WebSocket server that accepts every connection and never sends a frame; counts connections. */
async function silentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  let count = 0;
  wss.on("connection", () => count++);
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    connections: () => count,
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

describe("the openclaw binding's JSON-RPC check in the SDK", () => {
  let client: PresenceClient | undefined;
  let gw: Gateway | undefined;
  let silent: Awaited<ReturnType<typeof silentServer>> | undefined;
  afterEach(async () => {
    await client?.close();
    await gw?.close();
    await silent?.close();
    client = gw = silent = undefined;
  });

  it("by default names a JSON-RPC gateway long before the connect timeout", async () => {
    gw = await createGateway({ host: "127.0.0.1", port: 0 });
    client = createPresenceClient({ url: gw.url, client: info, binding: createOpenClawBinding({ challengeTimeoutMs: 600_000 }), reconnect: false, connectTimeoutMs: 600_000 });
    await expect(client.connect()).rejects.toThrow(/this gateway speaks JSON-RPC; connect with binding "jsonrpc"/);
  });

  it("with bindingCheck: false waits out the challenge timeout instead, and names no binding", async () => {
    gw = await createGateway({ host: "127.0.0.1", port: 0 });
    client = createPresenceClient({ url: gw.url, client: info, binding: openclaw, reconnect: false, bindingCheck: false });
    const error = await client.connect().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/connect\.challenge/);
    expect(error?.message).not.toMatch(/speaks JSON-RPC/);
  });

  it("opens a second connection to a quiet gateway by default, and none with bindingCheck: false", async () => {
    silent = await silentServer();
    client = createPresenceClient({ url: silent.url, client: info, binding: openclaw, reconnect: false });
    await client.connect().catch(() => undefined);
    await client.close();
    expect(silent.connections()).toBe(2);

    const before = silent.connections();
    client = createPresenceClient({ url: silent.url, client: info, binding: openclaw, reconnect: false, bindingCheck: false });
    await client.connect().catch(() => undefined);
    await client.close();
    expect(silent.connections() - before).toBe(1);
  });
});
