// Choosing a wire binding by name or object, and the prepareConnect hook (e.g. OpenClaw's challenge).
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, FrameDecodeError, jsonRpcBinding, openClawBinding, registerBinding, resolveBinding, type ClientBinding } from "../../../src/index.js";
import { startScriptedGateway, type ScriptedGateway } from "../scripted-gateway.js";

const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" };

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("bindings", () => {
  let gw: ScriptedGateway | undefined;
  afterEach(async () => {
    await gw?.close();
  });

  it("defaults to jsonrpc, knows openclaw by name, and names the registered ones when a name is unknown", () => {
    expect(resolveBinding()).toBe(jsonRpcBinding);
    expect(resolveBinding("jsonrpc")).toBe(jsonRpcBinding);
    expect(resolveBinding("openclaw")).toBe(openClawBinding);
    expect(createPresenceClient({ url: "ws://127.0.0.1:1", client: info, binding: "openclaw" }).binding).toBe(openClawBinding);
    expect(() => resolveBinding("carrier-pigeon")).toThrow(/unknown binding "carrier-pigeon" \(registered: jsonrpc, openclaw\)/);
  });

  it("each binding recognises the other's frames and names the binding to use (FrameDecodeError.otherBinding)", () => {
    const challenge = JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: 1 } });
    const refused = JSON.stringify({ type: "res", id: null, ok: false, error: { code: "INVALID_REQUEST", message: "invalid request frame" } });
    for (const [text, what] of [[challenge, 'an OpenClaw "connect.challenge" event'], [refused, 'an OpenClaw "res" frame']] as const) {
      const error = catchError(() => jsonRpcBinding.decode(text));
      expect(error).toBeInstanceOf(FrameDecodeError);
      expect(error).toMatchObject({ otherBinding: "openclaw", message: `the gateway sent ${what}, so it speaks OpenClaw's native frames, not JSON-RPC: connect with binding "openclaw" (CLI: --binding openclaw)` });
    }
    const answer = JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32600, message: "invalid request" } });
    expect(catchError(() => openClawBinding.decode(answer))).toMatchObject({
      otherBinding: "jsonrpc",
      message: 'the gateway sent a JSON-RPC 2.0 frame, so it speaks JSON-RPC, not OpenClaw\'s native frames: connect with binding "jsonrpc" (CLI: --binding jsonrpc)',
    });
    // Frames that are merely broken name no other binding.
    expect(catchError(() => jsonRpcBinding.decode('{"id":1}'))).toMatchObject({ otherBinding: undefined });
    expect(catchError(() => openClawBinding.decode('{"type":"nope"}'))).toMatchObject({ otherBinding: undefined });
  });

  it("uses a registered binding by name, and its prepareConnect sees events before the handshake", async () => {
    gw = await startScriptedGateway();
    const server = gw;
    // The server speaks first, like OpenClaw's connect.challenge.
    server.onConnection = (socket) =>
      socket.send(JSON.stringify({ jsonrpc: "2.0", method: "connect.challenge", params: { nonce: "n-42", ts: 1 } }));
    const challenged: ClientBinding = {
      ...jsonRpcBinding,
      name: "openclaw",
      protocol: { min: 3, max: 4 },
      async prepareConnect(params, context) {
        const challenge = (await context.waitForEvent("connect.challenge", 1000)) as { nonce: string };
        return { ...params, device: { nonce: challenge.nonce } };
      },
    };
    registerBinding(challenged);
    const client = createPresenceClient({ url: server.url, client: info, binding: "openclaw" });
    await client.connect();
    const params = server.requests.find((r) => r.method === "connect")!.params;
    expect(params).toMatchObject({ minProtocol: 3, maxProtocol: 4, device: { nonce: "n-42" } });
    expect(client.binding).toBe(challenged);
    await client.close();
  });

  it("sends the binding's upgrade headers (e.g. OpenClaw's Origin) when opening the socket in Node", async () => {
    gw = await startScriptedGateway();
    const seen: Array<string | undefined> = [];
    gw.onConnection = (_socket, request) => seen.push(request.headers.origin, request.headers["x-client-mode"] as string);
    const withOrigin: ClientBinding = {
      ...jsonRpcBinding,
      upgradeHeaders: (url, params) => ({ Origin: url.replace(/^ws/, "http"), "X-Client-Mode": params.client.mode }),
    };
    const client = createPresenceClient({ url: gw.url, client: { ...info, mode: "webchat" }, binding: withOrigin });
    await client.connect();
    expect(seen).toEqual([gw.url.replace(/^ws/, "http"), "webchat"]);
    await client.close();
  });
});
