import { describe, expect, it } from "vitest";
import type { HelloOk } from "../../../src/protocol/index.js";
import { WireClient, connectParams, list } from "../helpers.js";
import { listenersOf, serve, urlOf } from "./serve-process.js";
import { OcClient, ocConnectParams } from "../bindings/openclaw/helpers.js";
import { scaled } from "../../support/timing.js";

describe("gateway-presence serve", () => {
  it("prints its real URL on --port 0, logs connects and disconnects, and stops on SIGTERM", async () => {
    const s = serve(["--port", "0", "--ttl-ms", "60000", "--max-entries", "10", "--test-clock"]);
    const url = await urlOf(s);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    const client = await WireClient.open(url);
    const hello = await client.result<HelloOk>("connect", connectParams({ instanceId: "via-cli" }));
    expect(hello.features.methods).toContain("test.clock.advance");
    // The TTL and cap it was started with are said (not in the contract; conform --real-time reads the TTL).
    expect(hello.policy).toMatchObject({ presenceTtlMs: 60_000, presenceMaxEntries: 10 });
    expect((await list(client)).some((row) => row.instanceId === "via-cli")).toBe(true);
    s.child.kill("SIGTERM");
    expect((await client.closed).code).toBe(1001);
    expect(await s.exit).toBe(0);
    const out = s.stdout();
    expect(out).toMatch(/connect conn=\S+ client=test-client mode=ui/);
    expect(out).toMatch(/disconnect conn=\S+ code=1001 key=via-cli/);
    expect(out).toMatch(/SIGTERM: stopping/);
  });

  it("names its page by a loopback address when it listens on every interface (http://0.0.0.0/ opens nothing)", async () => {
    const s = serve(["--host", "0.0.0.0", "--port", "0", "--token", "sekrit"]);
    const port = new URL(await urlOf(s)).port;
    await expect.poll(() => s.stdout(), { timeout: scaled(10_000) }).toMatch(/page /);
    expect(s.stdout()).toContain(`page http://127.0.0.1:${port}/ or this machine's other addresses, port ${port} (the Instances page, served by every listener)`);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  });

  it("logs a rejection with its reason and stops on SIGINT", async () => {
    const s = serve(["--port", "0", "--token", "sekrit"]);
    const client = await WireClient.open(await urlOf(s));
    await client.call("connect", connectParams({ token: "nope" }));
    expect((await client.closed).code).toBe(1008);
    s.child.kill("SIGINT");
    expect(await s.exit).toBe(0);
    expect(s.stdout()).toMatch(/reject conn=\S+ reason=UNAUTHORIZED/);
    expect(s.stdout()).not.toContain("sekrit");
  });

  it("refuses a non-loopback host without a token", async () => {
    const s = serve(["--host", "0.0.0.0", "--port", "0"]);
    expect(await s.exit).toBe(1);
    // In serve's flags (how to give a token, --insecure-no-auth), not createGateway's options.
    expect(s.stderr()).toBe(
      "gateway-presence serve: refusing to listen on non-loopback host 0.0.0.0 without a token (SPEC H5): " +
        "give one with --token-file FILE, --token or $GATEWAY_PRESENCE_TOKEN, or add --insecure-no-auth to accept anyone\n",
    );
    expect(s.stdout()).not.toMatch(/listening/);
  });

  it("says what to do when the port is taken (another gateway listens there), and exits 1", async () => {
    const first = serve(["--port", "0"]);
    const url = await urlOf(first);
    const port = new URL(url).port;
    const second = serve(["--port", port]);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toBe(
      `gateway-presence serve: 127.0.0.1:${port} is in use (another gateway, e.g. an earlier npm start, or another program listens there): ` +
        `stop it, or choose another port with --port N (0: any free one) (listen EADDRINUSE: address already in use 127.0.0.1:${port})\n`,
    );
    const listed = serve(["--listen", `jsonrpc=127.0.0.1:${port}`]);
    expect(await listed.exit).toBe(1);
    expect(listed.stderr()).toMatch(/is in use .*: stop it, or give that --listen another port \(listen EADDRINUSE/);
    first.child.kill("SIGTERM");
    expect(await first.exit).toBe(0);
  });

  it("rejects a bad port", async () => {
    const s = serve(["--port", "http"]);
    expect(await s.exit).not.toBe(0);
    expect(s.stderr()).toMatch(/--port <port>' argument '[^']*' is invalid: must be an integer from 0 to 65535/);
  });

  it("--listen runs both bindings over one store; --binding picks the one listener's binding", async () => {
    const s = serve(["--listen", "jsonrpc=127.0.0.1:0", "--listen", "openclaw=0", "--handshake-timeout-ms", "500", "--tick-interval-ms", "100"]);
    const [rpc, oc] = await listenersOf(s, 2);
    expect(rpc).toMatchObject({ binding: "jsonrpc", url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) });
    expect(oc).toMatchObject({ binding: "openclaw" });
    const a = await WireClient.open(rpc!.url);
    await a.result("connect", connectParams({ instanceId: "rpc-side" }));
    const b = await OcClient.open(oc!.url);
    const hello = await b.payload<{ snapshot: { presence: Array<{ instanceId?: string }> }; policy: { tickIntervalMs: number } }>(
      "connect",
      ocConnectParams({ instanceId: "oc-side" }),
    );
    expect(hello.snapshot.presence.map((r) => r.instanceId)).toContain("rpc-side");
    expect(hello.policy.tickIntervalMs).toBe(100);
    const silent = await OcClient.open(oc!.url);
    expect((await silent.closed).code).toBe(1008);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);

    const one = serve(["--port", "0", "--binding", "openclaw"]);
    const [only] = await listenersOf(one);
    expect(only!.binding).toBe("openclaw");
    expect(await (await OcClient.open(only!.url)).nonce()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("--push-interval-ms and --push-bytes-per-second space push rounds (the list still has the change)", async () => {
    // A change right after a round waits for the next one: pushIntervalMs, or until the byte budget
    // (1 byte/s here) has refilled. Either way far longer than this test waits; system-presence has it.
    for (const args of [["--push-interval-ms", "60000"], ["--push-interval-ms", "0", "--push-bytes-per-second", "1"]]) {
      const s = serve(["--port", "0", ...args]);
      const url = await urlOf(s);
      const watcher = await WireClient.open(url);
      await watcher.result("connect", connectParams({ instanceId: "watcher" }));
      await watcher.waitFor((f) => (f as { method?: string }).method === "presence"); // its own connect's round
      const other = await WireClient.open(url);
      await other.result("connect", connectParams({ instanceId: "later" }));
      expect((await list(watcher)).map((row) => row.instanceId), args.join(" ")).toContain("later");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const pushed = watcher.notifications("presence").map((p) => JSON.stringify(p.params));
      expect(pushed.filter((p) => p.includes('"later"')), args.join(" ")).toEqual([]);
      s.child.kill("SIGTERM");
      expect(await s.exit).toBe(0);
    }
    const bad = serve(["--port", "0", "--push-bytes-per-second", "0"]);
    expect(await bad.exit).not.toBe(0);
    expect(bad.stderr()).toMatch(/--push-bytes-per-second <n>' argument '[^']*' is invalid: must be an integer from 1/);
  });

  it("--limits reaches the gateway-wide limits and overload shedding, and a bad one exits 2 naming the key", async () => {
    const s = serve(["--port", "0", "--limits", '{"maxConnections":1,"overload":{"enabled":false}}']);
    const url = await urlOf(s);
    const live = await WireClient.open(url, { localAddress: "127.0.0.2" });
    await live.result("connect", connectParams({ instanceId: "live" }));
    const extra = await WireClient.open(url, { localAddress: "127.0.0.3" });
    expect(await extra.closed).toEqual({ code: 1013, reason: "gateway connection limit" });
    expect((await list(live)).some((row) => row.instanceId === "live")).toBe(true);
    expect(s.stdout()).toMatch(/reject conn=\S+ reason=GATEWAY_CONNECTION_LIMIT the gateway is full \(at most 1 open connection\)/);
    for (const [limits, message] of [
      // The option's name, once, and the key inside it (was "serve: gateway: limits.connectionRate.perSecond ...").
      ['{"overload":{"maxEventLoopDelayMs":0}}', /^gateway-presence serve: --limits: overload\.maxEventLoopDelayMs must be a finite number >= 1, got 0\n/],
      ['{"connectionRate":{"perSecond":0}}', /^gateway-presence serve: --limits: connectionRate\.perSecond must be a finite number > 0, got 0\n/],
      // JSON's 1e400 parses to Infinity: said as not finite, not as "not > 0".
      ['{"connectionRate":{"perSecond":1e400}}', /^gateway-presence serve: --limits: connectionRate\.perSecond must be a finite number > 0, got Infinity\n/],
      // The rule of --connection-rate off with --connection-burst, for --limits.
      ['{"connectionRate":{"enabled":false,"burst":5}}', /^gateway-presence serve: --limits: connectionRate\.enabled false and connectionRate\.burst do not go together: with no connection rate there is no rate or burst\n/],
      ['{"connectionRate":{"enabled":false,"perSecond":3,"burst":5}}', /^gateway-presence serve: --limits: connectionRate\.enabled false and connectionRate\.perSecond and connectionRate\.burst do not go together/],
      ['{"maxConections":5}', /^gateway-presence serve: --limits: unknown key "maxConections"; known: .*maxConnections, maxPendingHandshakes, maxUnfinishedRequests, overload/],
      ['{"overload":{"windowMs":1e12}}', /^gateway-presence serve: --limits: overload\.windowMs must be at most 2147483647 ms \(24\.8 days, the longest a timer waits\), got 1000000000000\n/],
    ] as const) {
      const bad = serve(["--port", "0", "--limits", limits]);
      expect(await bad.exit, limits).toBe(2);
      expect(bad.stderr(), limits).toMatch(message);
      expect(bad.stderr(), limits).not.toMatch(/gateway: |limits\./);
    }
  });

  it("--connection-rate and --connection-burst reach the gateway's new-connection rate, off turns it off, bad values exit 2", async () => {
    // Five upgrades at once against a bucket of 2 refilled at 1 a second: some get 503 (how many
    // depends on how fast this machine sends them, so only "some" is asserted).
    const attempts = (url: string) =>
      Promise.all(Array.from({ length: 5 }, (_, i) => WireClient.open(url, { localAddress: `127.0.0.${20 + i}` }).then((c) => (c.close(), "open"), (e: Error) => e.message)));
    const s = serve(["--port", "0", "--connection-rate", "1", "--connection-burst", "2"]);
    const outcomes = await attempts(await urlOf(s));
    expect(outcomes.filter((o) => o !== "open").length).toBeGreaterThan(0);
    for (const o of outcomes) expect(o).toMatch(/^(open|Unexpected server response: 503)$/);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
    expect(s.stdout()).toMatch(/reject upgrade reason=CONNECTION_RATE too many new connections to the gateway \(at most 1 per second, burst 2\) address=127\.0\.0\.2\d/);

    const off = serve(["--port", "0", "--connection-rate", "off"]);
    expect(await attempts(await urlOf(off))).toEqual(["open", "open", "open", "open", "open"]);
    off.child.kill("SIGTERM");
    expect(await off.exit).toBe(0);

    for (const [args, message] of [
      [["--connection-rate", "0"], /--connection-rate <per-second>' argument '0' is invalid: must be an integer from 1 to \d+, or off/],
      [["--limits", '{"connectionRate":{"burst":5}}', "--connection-rate", "5"], /connection rate either in --limits \(connectionRate\) or with --connection-rate\/--connection-burst, not both/],
      // A burst of no rate was taken without a word.
      [["--connection-rate", "off", "--connection-burst", "5"], /^gateway-presence serve: --connection-rate off and --connection-burst do not go together: with no connection rate there is no burst\n/],
    ] as const) {
      const bad = serve(["--port", "0", ...args]);
      expect(await bad.exit, args.join(" ")).toBe(2);
      expect(bad.stderr(), args.join(" ")).toMatch(message);
    }
  });

  it("refuses bad --listen and --binding values, and --port or --binding beside --listen", async () => {
    for (const [args, message] of [
      [["--listen", "soap=127.0.0.1:1"], /--listen <binding=host:port>' argument '[^']*' is invalid: BINDING 'soap' must be one of jsonrpc, openclaw/],
      [["--listen", "openclaw"], /--listen <binding=host:port>' argument '[^']*' is invalid: must be BINDING=HOST:PORT/],
      [["--listen", "openclaw=127.0.0.1:99999"], /--listen <binding=host:port>' argument '[^']*' is invalid: PORT '99999' must be an integer from 0 to 65535/],
      [["--binding", "grpc"], /--binding <binding>' argument '[^']*' is invalid: must be one of jsonrpc, openclaw/],
      [["--listen", "openclaw=0", "--port", "0"], /with --listen, each listener names its own binding and port/],
      // One port given to two listeners: a usage error naming both as typed (not listeners[0], listeners[1]), not "in use by another program" (exit 1).
      [
        ["--listen", "openclaw=127.0.0.1:18806", "--listen", "jsonrpc=127.0.0.1:18806"],
        /^gateway-presence serve: --listen openclaw=127\.0\.0\.1:18806 and --listen jsonrpc=127\.0\.0\.1:18806 are both on 127\.0\.0\.1:18806: one address serves one listener, give each its own port\n$/,
      ],
    ] as const) {
      const s = serve([...args]);
      expect(await s.exit, args.join(" ")).toBe(2);
      expect(s.stderr(), args.join(" ")).toMatch(message);
    }
  });
});
