import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createMemoryPresenceStore } from "../../../src/presence/index.js";
import { createGateway } from "../../../src/server/index.js";
import { WireClient, connectClient, list, startGateway } from "../helpers.js";
import { scaled } from "../../support/timing.js";

const execFileAsync = promisify(execFile);

describe("close()", () => {
  it("closes clients with 1001 and stops accepting", async () => {
    const gw = await createGateway({ port: 0, handshakeTimeoutMs: 60_000 });
    const { client } = await connectClient(gw, { instanceId: "open" });
    const pending = await WireClient.open(gw.url); // still in its handshake (a timer runs)
    await gw.close();
    expect((await client.closed).code).toBe(1001);
    expect((await pending.closed).code).toBe(1001);
    await expect(WireClient.open(gw.url)).rejects.toThrow();
    await gw.close(); // idempotent
  });

  it("leaves no handle open: a process that closed its gateway exits on its own", async () => {
    const script = fileURLToPath(new URL("./fixtures/close-and-exit.ts", import.meta.url));
    const { stdout } = await execFileAsync(process.execPath, ["--import", "tsx", script], { timeout: scaled(15_000) });
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as { inUse: string; closeCodes: number[] };
    expect(report.inUse).toMatch(/EADDRINUSE/);
    expect(report.closeCodes).toEqual([1001, 1001]);
  });

  it("frees the port", async () => {
    const gw = await createGateway({ port: 0 });
    const { port } = gw;
    await gw.close();
    const again = await createGateway({ port });
    expect(again.port).toBe(port);
    await again.close();
  });

  it("a port in use rejects start-up", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    await expect(createGateway({ port })).rejects.toThrow(/EADDRINUSE/);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });
});

describe("options", () => {
  it.each([
    [{ port: -1 }, /port must be an integer 0\.\.65535/],
    [{ port: 70_000 }, /port/],
    [{ ttlMs: 0 }, /ttlMs must be an integer >= 1/],
    [{ maxEntries: 1.5 }, /maxEntries/],
    [{ maxPayload: 0 }, /maxPayload/],
    [{ token: "" }, /token must be a non-empty string/],
    [{ rateLimit: { burst: 0 } }, /rateLimit\.burst/],
    [{ ephemeralModes: [""] }, /ephemeralModes/],
    [{ trustedProxies: ["not-an-ip"] }, /trustedProxies: "not-an-ip" is not an IP address/],
    [{ host: "192.0.2.1" }, /non-loopback host 192\.0\.2\.1 without a token/],
  ])("rejects %o with a clear error", async (options, message) => {
    await expect(createGateway({ port: 0, ...options })).rejects.toThrow(message);
  });

  it("uses a given store, or a store factory given the gateway's clock and limits", async () => {
    const store = createMemoryPresenceStore({ maxEntries: 7 });
    const gw = await startGateway({ store });
    expect(gw.store).toBe(store);
    await connectClient(gw, { instanceId: "in-given-store" });
    expect((await store.list()).some((row) => row.instanceId === "in-given-store")).toBe(true);
    let seen: { ttlMs?: number; maxEntries?: number; now?: number } = {};
    const built = await startGateway({
      ttlMs: 1234,
      maxEntries: 9,
      testClock: true,
      store: (options) => {
        seen = { ttlMs: options.ttlMs, maxEntries: options.maxEntries, now: options.clock?.now() };
        return createMemoryPresenceStore(options);
      },
    });
    expect(seen).toMatchObject({ ttlMs: 1234, maxEntries: 9 });
    expect(seen.now).toBeGreaterThan(0);
    const { client } = await connectClient(built);
    await client.result("test.clock.advance", { ms: 5_000 });
    // Real time read first: the clock (real time plus the advance) is at least 5 s past it, however
    // long this process waits between the two reads on a busy machine.
    const before = Date.now();
    expect(built.clock.now()).toBeGreaterThanOrEqual(before + 5_000);
  });

  it("logs one line per connect, disconnect and rejection", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ token: "t", logger: (line) => lines.push(line) });
    const { client } = await connectClient(gw, { token: "t", instanceId: "logged" });
    await client.close();
    const bad = await WireClient.open(gw.url);
    await bad.call("connect", { minProtocol: 1, maxProtocol: 1, client: { id: "x", version: "1", platform: "p", mode: "ui" } });
    await bad.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines.filter((l) => l.startsWith("connect "))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("disconnect "))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("reject ") && l.includes("UNAUTHORIZED"))).toHaveLength(1);
    expect(lines.join("\n")).not.toContain("t\"");
  });

  it("answers plain HTTP with 426 when told to serve no page (webRoot: false; the page: test/server/serve/http-page.test.ts)", async () => {
    const gw = await startGateway({ webRoot: false });
    const response = await fetch(gw.url.replace("ws:", "http:"));
    expect(response.status).toBe(426);
    await response.text();
    expect((await list((await connectClient(gw, { mode: "cli" })).client)).length).toBe(1);
  });
});

describe("log lines", () => {
  it("cannot be forged with a newline in a client-supplied id", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ logger: (line) => lines.push(line) });
    await connectClient(gw, { id: "evil\nreject conn=x reason=FAKE", instanceId: "inst\r\nx" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n]/);
  });

  it("nor with the other line breaks and terminal controls: NEL and C1 controls, U+2028/U+2029, bidi overrides", async () => {
    const lines: string[] = [];
    const gw = await startGateway({ logger: (line) => lines.push(line) });
    const id = "evil\u0085reject\u2028conn=x\u2029reason=FAKE\u009b31m\u202eekaf\u2066x\u2069";
    await connectClient(gw, { id, mode: "ui\u202e", instanceId: "inst\u2028x" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(lines[0]!.replace(/ +/g, " ")).toMatch(/client=evil reject conn=x reason=FAKE 31m ekaf x mode=ui role=operator key=inst x /);
  });
});
