// An instanceId the gateway must refuse (blank, over SPEC B3's 128 characters, a lone surrogate, not a string) is refused
// by createPresenceClient, naming it: sent, it failed every connect with a fatal INVALID_PARAMS
// ('/client/instanceId must match pattern "\S"'). The limits are the reference gateway's, checked here
// on a real one: what the client refuses, the gateway refuses; what it lets through, the gateway takes.
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

/** The gateway's answer to a raw JSON-RPC connect with this instanceId: "ok" or the error's data.errors paths. */
async function gatewayAnswer(url: string, instanceId: unknown): Promise<string> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const params = { minProtocol: 1, maxProtocol: 1, client: { ...info, instanceId } };
  socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "connect", params }));
  const answer = JSON.parse(String(await new Promise((resolve) => socket.once("message", resolve)))) as { result?: unknown; error?: { data?: { errors?: Array<{ path: string }> } } };
  socket.close();
  return answer.result ? "ok" : [...new Set((answer.error?.data?.errors ?? []).map((e) => e.path))].join(",");
}

describe("createPresenceClient's instanceId", () => {
  let gw: Gateway | undefined;
  const clients: PresenceClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gw?.close();
    gw = undefined;
  });

  it("a blank, too long or non-string one is refused at once, naming it; the gateway refuses each too", async () => {
    gw = await createGateway({ port: 0, logger: () => {} });
    const refused: unknown[] = ["", "   ", "x".repeat(129), "😀".repeat(129), "k\udc00", "\ud83d".repeat(2), 42];
    for (const instanceId of refused) {
      for (const options of [{ instanceId }, { client: { ...info, instanceId } }]) {
        expect(() => createPresenceClient({ url: gw!.url, client: info, ...(options as object) })).toThrow(TypeError);
      }
      if (typeof instanceId === "string") expect(await gatewayAnswer(gw.url, instanceId)).toBe("/client/instanceId");
    }
    expect(() => createPresenceClient({ url: gw!.url, client: info, instanceId: "   " })).toThrow(
      'createPresenceClient: instanceId must be a well-formed string with a non-blank character, at most 128 characters (SPEC B3; the presence key, K1), got "   "',
    );
    expect(() => createPresenceClient({ url: gw!.url, client: info, instanceId: "x".repeat(129) })).toThrow(/, got 129 characters$/);
    expect(() => createPresenceClient({ url: gw!.url, client: info, instanceId: "k\udc00" })).toThrow(/, got a lone surrogate \\udc00 at index 1$/);
    expect(() => createPresenceClient({ url: gw!.url, client: info, instanceId: 10n as unknown as string })).toThrow(/, got a bigint$/);
  });

  it("128 characters (code points, as the gateway counts: 128 emoji too), or padded with spaces, is taken by the gateway: the row's key is the trimmed id (K1)", async () => {
    gw = await createGateway({ port: 0, logger: () => {} });
    for (const instanceId of ["y".repeat(128), "😀".repeat(128), "  Padded-1  "]) {
      expect(await gatewayAnswer(gw.url, instanceId)).toBe("ok");
      const client = createPresenceClient({ url: gw.url, client: info, instanceId });
      clients.push(client);
      await client.connect();
      expect(client.presence.get(instanceId)?.instanceId).toBe(instanceId.trim());
    }
  });
});
