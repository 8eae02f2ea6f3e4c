import { describe, expect, it } from "vitest";
import { ERROR_CODES, type HelloOk } from "../../../src/protocol/index.js";
import { InsecureListenerError, resolveGatewayOptions } from "../../../src/server/options.js";
import { validate } from "../../../src/validation/index.js";
import {
  WireClient,
  connectClient,
  connectParams,
  errorOf,
  isResponse,
  list,
  observer,
  peers,
  rowOf,
  startGateway,
} from "../helpers.js";


describe("H1: connect comes first", () => {
  it("answers every other request before connect with NOT_CONNECTED and records nothing", async () => {
    const gw = await startGateway();
    const watcher = await observer(gw);
    const before = await list(watcher);
    const client = await WireClient.open(gw.url);
    for (const method of ["system-presence", "system-event", "no.such.method", "test.clock.advance"]) {
      const error = errorOf(await client.call(method, method === "system-event" ? { instanceId: "sneaky", text: "hi" } : undefined));
      expect(error.code).toBe(ERROR_CODES.NOT_CONNECTED);
      expect(error.data?.code).toBe("NOT_CONNECTED");
    }
    expect(await list(watcher)).toEqual(expect.arrayContaining(before.filter((r) => r.reason !== "self")));
    expect(rowOf(await list(watcher), "sneaky")).toBeUndefined();
    // The client may still connect afterwards.
    const hello = await client.result<HelloOk>("connect", connectParams({ instanceId: "late" }));
    expect(hello.type).toBe("hello-ok");
  });

  it("answers each entry of a batch sent before connect, connect included", async () => {
    const gw = await startGateway();
    const client = await WireClient.open(gw.url);
    client.sendRaw(
      JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "connect", params: connectParams() },
        { jsonrpc: "2.0", id: "b", method: "system-presence" },
      ]),
    );
    const batch = (await client.waitFor(Array.isArray)) as Array<{ id: string; error: { data: { code: string } } }>;
    expect(batch.map((r) => [r.id, r.error.data.code])).toEqual([
      ["a", "NOT_CONNECTED"],
      ["b", "NOT_CONNECTED"],
    ]);
    expect(gw.metrics().connections).toBe(1);
  });

  it("times out a connection that never connects: NOT_CONNECTED with id null, then close 1008", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ handshakeTimeoutMs: 150, logger: (line) => lines.push(line) });
    const client = await WireClient.open(gw.url);
    const frame = (await client.waitFor(isResponse)) as { id: null; error: { code: number; message: string; data: { code: string } } };
    expect(frame.id).toBeNull();
    expect(frame.error).toMatchObject({ code: ERROR_CODES.NOT_CONNECTED, message: "handshake timeout", data: { code: "NOT_CONNECTED" } });
    expect((await client.closed).code).toBe(1008);
    expect(lines.some((line) => line.startsWith("reject") && line.includes("HANDSHAKE_TIMEOUT"))).toBe(true);
  });

  it("logs at most 10 handshake timeouts a minute per address, and counts them all", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ handshakeTimeoutMs: 100, logger: (line) => lines.push(line) });
    const clients = await Promise.all(Array.from({ length: 15 }, () => WireClient.open(gw.url)));
    await Promise.all(clients.map((client) => client.closed));
    expect(gw.metrics().rejections).toBe(15);
    expect(lines.filter((l) => l.includes("reason=HANDSHAKE_TIMEOUT"))).toHaveLength(10);
  });

  it("does not time out a connection that connected in time", async () => {
    const gw = await startGateway({ handshakeTimeoutMs: 150 });
    const { client } = await connectClient(gw);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });
});

describe("H2: connect params", () => {
  it("rejects an unknown field in client, an empty string and a wrong type with paths", async () => {
    const gw = await startGateway();
    const client = await WireClient.open(gw.url);
    const params = connectParams();
    const cases: Array<[unknown, string]> = [
      [{ ...params, client: { ...params.client, favouriteColour: "red" } }, "/client/favouriteColour"],
      [{ ...params, client: { ...params.client, id: "   " } }, "/client/id"],
      [{ ...params, minProtocol: "1" }, "/minProtocol"],
      [{ ...params, role: "admin" }, "/role"],
      [{ ...params, client: { ...params.client, instanceId: "x".repeat(129) } }, "/client/instanceId"],
    ];
    for (const [bad, path] of cases) {
      const error = errorOf(await client.call("connect", bad));
      expect(error.code).toBe(ERROR_CODES.INVALID_PARAMS);
      expect(error.data?.code).toBe("INVALID_PARAMS");
      expect((error.data?.errors as Array<{ path: string }>).map((e) => e.path)).toContain(path);
    }
    // Still not connected, and nothing recorded.
    expect(errorOf(await client.call("system-presence")).data?.code).toBe("NOT_CONNECTED");
    expect(peers(await list(await observer(gw)))).toEqual([]);
  });

  it("accepts and ignores OpenClaw's other top-level fields; role defaults to operator", async () => {
    const gw = await startGateway();
    const { hello } = await connectClient(gw, {
      instanceId: "oc",
      extra: { device: { id: "d" }, permissions: {}, commands: [], pathEnv: "/bin", transports: ["ws"], caps: ["x"] },
    });
    expect(rowOf(hello.snapshot.presence, "oc")?.roles).toEqual(["operator"]);
  });
});

describe("H3: protocol negotiation", () => {
  it("answers PROTOCOL_MISMATCH with the server's range, then closes 1002", async () => {
    const gw = await startGateway();
    const client = await WireClient.open(gw.url);
    const error = errorOf(await client.call("connect", { ...connectParams({ instanceId: "v3" }), minProtocol: 3, maxProtocol: 4 }));
    expect(error).toMatchObject({ code: ERROR_CODES.PROTOCOL_MISMATCH, data: { code: "PROTOCOL_MISMATCH", min: 1, max: 1 } });
    expect((await client.closed).code).toBe(1002);
    expect(rowOf(await list(await observer(gw)), "v3")).toBeUndefined();
  });
});

describe("H4: hello-ok", () => {
  it("is valid against the schema and its snapshot already has the client's own row and self", async () => {
    const gw = await startGateway({ maxPayload: 4096, maxBufferedBytes: 8192, tickIntervalMs: 1234 });
    const { hello, client } = await connectClient(gw, { instanceId: "me", displayName: "My Laptop" });
    expect(validate("HelloOk", hello).ok).toBe(true);
    expect(hello.protocol).toBe(1);
    expect(hello.server.connId).toMatch(/\S/);
    expect(hello.features.methods).toEqual(["connect", "system-event", "system-presence", "presence.resync"]);
    expect(hello.features.events).toEqual(["presence", "presence.delta", "tick"]);
    expect(hello.features.caps).toBeUndefined();
    expect(hello.snapshot.presenceKeys).toBeUndefined();
    expect(hello.policy).toEqual({ maxPayload: 4096, maxBufferedBytes: 8192, tickIntervalMs: 1234, presenceTtlMs: 300_000, presenceMaxEntries: 200 });
    expect(rowOf(hello.snapshot.presence, "me")).toMatchObject({ host: "My Laptop", reason: "connect" });
    expect(hello.snapshot.presence.some((row) => row.reason === "self")).toBe(true);
    expect(hello.snapshot.uptimeMs).toBeGreaterThanOrEqual(0);
    // E1: the push announcing this client follows its snapshot with the next version (no gap).
    await client.waitFor((f) => JSON.stringify(f).includes('"method":"presence"'));
    const firstPush = client.notifications("presence")[0].params as { stateVersion: { presence: number } };
    expect(firstPush.stateVersion.presence).toBe(hello.snapshot.stateVersion.presence + 1);
    expect(gw.stateVersion()).toBe(firstPush.stateVersion.presence);
  });

  it("lists test.clock.advance only in test mode", async () => {
    const gw = await startGateway({ testClock: true });
    const { hello } = await connectClient(gw);
    expect(hello.features.methods).toContain("test.clock.advance");
  });
});

describe("H5: token", () => {
  it("rejects a missing or wrong token with UNAUTHORIZED and close 1008, accepts the right one", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ token: "s3cret", logger: (line) => lines.push(line) });
    for (const token of [undefined, "wrong", "s3cret-but-longer", ""]) {
      const client = await WireClient.open(gw.url);
      const params = connectParams({ instanceId: "intruder" });
      const error = errorOf(await client.call("connect", token === undefined ? params : { ...params, auth: { token } }));
      if (token === "") {
        expect(error.data?.code).toBe("INVALID_PARAMS"); // an empty token is not a token
        client.terminate();
        continue;
      }
      expect(error).toMatchObject({ code: ERROR_CODES.UNAUTHORIZED, data: { code: "UNAUTHORIZED" } });
      expect((await client.closed).code).toBe(1008);
    }
    const { client } = await connectClient(gw, { token: "s3cret", mode: "cli" });
    expect(rowOf(await list(client), "intruder")).toBeUndefined();
    expect(lines.filter((line) => line.includes("reason=UNAUTHORIZED"))).toHaveLength(3);
  });

  it("answers a missing token at once and does not count it as a failed guess; wrong tokens lock the address out", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ token: "s3cret", limits: { authFailures: { maxFailures: 3, delayMs: 1, maxDelayMs: 1 } }, logger: (line) => lines.push(line) });
    const attempt = async (token: string | undefined) => {
      const client = await WireClient.open(gw.url);
      const params = connectParams({ mode: "cli" });
      const response = await client.call("connect", token === undefined ? params : { ...params, auth: { token } });
      client.terminate();
      return response.error?.data?.code ?? "hello-ok";
    };
    // Tokenless connects (a page or a CLI that has not been given the token yet) are never a lockout.
    for (let i = 0; i < 5; i++) expect(await attempt(undefined)).toBe("UNAUTHORIZED");
    expect(await attempt("s3cret")).toBe("hello-ok");
    const missing = lines.filter((line) => line.includes("auth.token is required"));
    expect(missing).toHaveLength(5);
    for (const line of missing) expect(line).not.toMatch(/answered after|locked out/);
    // Three wrong tokens (maxFailures 3) do lock it out, the right token included.
    for (let i = 0; i < 3; i++) expect(await attempt("wrong")).toBe("UNAUTHORIZED");
    expect(await attempt("s3cret")).toBe("RATE_LIMITED");
    expect(await attempt(undefined)).toBe("RATE_LIMITED");
  });

  it("refuses to start on a non-loopback host without a token unless told to", async () => {
    await expect(startGateway({ host: "0.0.0.0" })).rejects.toThrow(/non-loopback.*without a token/);
    await expect(startGateway({ host: "::" })).rejects.toThrow(/non-loopback.*without a token/);
    // In createGateway's option names (a command line says its own flags: serve-cli.test.ts).
    const refused = await startGateway({ host: "0.0.0.0" }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InsecureListenerError);
    expect(refused).toMatchObject({ host: "0.0.0.0" });
    expect((refused as Error).message).toBe(
      "gateway: refusing to listen on non-loopback host 0.0.0.0 without a token (SPEC H5); give one with the token option, or set insecureNoAuth: true to accept anyone",
    );
    // The accepting cases are checked without binding a non-loopback address.
    expect(resolveGatewayOptions({ host: "0.0.0.0", insecureNoAuth: true }).host).toBe("0.0.0.0");
    expect(resolveGatewayOptions({ host: "0.0.0.0", token: "t" }).token).toBe("t");
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(resolveGatewayOptions({ host }).host).toBe(host);
  });
});

describe("H6: one connect per connection", () => {
  it("rejects a second connect with ALREADY_CONNECTED and keeps the first", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "first" });
    const error = errorOf(await client.call("connect", connectParams({ instanceId: "second" })));
    expect(error).toMatchObject({ code: ERROR_CODES.ALREADY_CONNECTED, data: { code: "ALREADY_CONNECTED" } });
    const rows = await list(client);
    expect(rowOf(rows, "first")).toBeDefined();
    expect(rowOf(rows, "second")).toBeUndefined();
  });
});

describe("H7: roles and scopes", () => {
  it("FORBIDDEN names the lowest sufficient scope", async () => {
    const gw = await startGateway();
    const { client: none } = await connectClient(gw, { scopes: [], mode: "cli" });
    expect(errorOf(await none.call("system-presence"))).toMatchObject({
      code: ERROR_CODES.FORBIDDEN,
      data: { code: "FORBIDDEN", missingScope: "operator.read" },
    });
    const { client: reader } = await connectClient(gw, { scopes: ["operator.read"], mode: "cli" });
    expect((await list(reader)).length).toBeGreaterThan(0);
    expect(errorOf(await reader.call("system-event", { text: "x" })).data).toMatchObject({
      code: "FORBIDDEN",
      missingScope: "operator.write",
    });
    const { client: admin } = await connectClient(gw, { scopes: ["operator.admin"], instanceId: "adm" });
    expect(await admin.result("system-event", { text: "x" })).toEqual({ ok: true });
    expect((await list(admin)).length).toBeGreaterThan(0);
  });

  it("a node may call neither method", async () => {
    const gw = await startGateway();
    const { client, hello } = await connectClient(gw, { role: "node", mode: "node", instanceId: "n1", scopes: ["operator.admin"] });
    expect(errorOf(await client.call("system-presence")).data).toMatchObject({ code: "FORBIDDEN", missingScope: "operator.read" });
    expect(errorOf(await client.call("system-event", { text: "x" })).data).toMatchObject({ code: "FORBIDDEN", missingScope: "operator.write" });
    // Its snapshot shows only its own row.
    expect(hello.snapshot.presence.map((row) => row.instanceId)).toEqual(["n1"]);
  });

  it("a connection without read scope gets no presence pushes", async () => {
    const gw = await startGateway();
    const { client: blind } = await connectClient(gw, { scopes: [], mode: "cli" });
    const watcher = await observer(gw);
    await connectClient(gw, { instanceId: "someone" });
    await watcher.waitFor((f) => JSON.stringify(f).includes("someone"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(blind.notifications("presence")).toEqual([]);
  });
});
