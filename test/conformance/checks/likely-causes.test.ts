/**
 * A failed check says what most likely caused it when the evidence points past its own rule
 * (src/conformance/checks/likely-causes.ts): a gateway whose TTL is not SPEC's 5 minutes fails the
 * TTL scenarios, and the message says the TTL is why; a row missing from a full list says the list
 * is full. Real gateways: the reference gateway with another TTL, and a tiny scripted one.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { FAST, fakeHelloOk, referenceGateway, runOptions, TOKEN } from "../gateways.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function gatewayWithTtl(ttlMs: number): Promise<Gateway> {
  const gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, token: TOKEN, ...FAST, ttlMs });
  closers.push(() => gateway.close());
  return gateway;
}

/** The messages of the failed checks of one scenario of a run. */
async function failedMessages(url: string, id: string, more: { token?: string; scenarios?: Scenario[] } = {}): Promise<string[]> {
  const result = await runConformance({ ...runOptions({ url }), ...(more.scenarios ? { scenarios: more.scenarios } : { only: [id] }), ...("token" in more ? { token: more.token } : {}) });
  const scenario = result.scenarios.find((s) => s.id === id)!;
  expect(scenario.status, `${id}: ${scenario.reason ?? ""}`).toBe("failed");
  return scenario.checks.filter((c) => c.status === "failed").map((c) => c.message ?? "");
}

describe("a gateway whose TTL is not SPEC's 5 minutes", () => {
  it("10 minutes: S1's expiry checks say the rows are past 5 minutes on the gateway's clock and the TTL is the likely cause", async () => {
    const gateway = await gatewayWithTtl(600_000);
    const messages = await failedMessages(gateway.url, "s1-ttl-expiry");
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      expect(m).toMatch(/likely cause: the gateway keeps rows longer than SPEC S1's 5 minutes\? The row of instanceId "[^"]+-s1-(gone|beacon-only)" has ts \d+, 30[01] s old on the gateway's clock \(test\.clock\.advance answered now \d+\), and is still listed; a gateway whose TTL is set to another value \(SPEC S3\) fails the TTL checks of a default run, which check the default: run it with its default TTL of 5 minutes \(300000 ms\)/);
    }
  });

  it("10 minutes: the delta stream's expiry check (d4) says the same of the row it waits to see removed", async () => {
    const gateway = await gatewayWithTtl(600_000);
    const messages = await failedMessages(gateway.url, "d4-delta-expiry");
    expect(messages.join("\n")).toMatch(/\/payload\/removed no item matches "[^"]+-d4-app".*likely cause: the gateway keeps rows longer than SPEC S1's 5 minutes\? The row of instanceId "[^"]+-d4-app" has ts \d+, 301 s old .*and the gateway has not said it is gone/);
  });

  it("1 minute: the check that rows are still there after 290 s says they went sooner than 5 minutes", async () => {
    const gateway = await gatewayWithTtl(60_000);
    const messages = await failedMessages(gateway.url, "s1-ttl-expiry");
    expect(messages[0]).toMatch(/^\/contains\/0: no row matches \{"instanceId":"[^"]+-s1-gone"\}.*; likely cause: the gateway removes rows sooner than SPEC S1's 5 minutes\? The row of instanceId "[^"]+-s1-gone" had ts \d+ and is gone when 290 s old on the gateway's clock/);
  });

  it("10 minutes: a scenario whose premise the kept rows break (the cap's victim is no longer the oldest row) says the TTL is the likely cause", async () => {
    const gateway = await gatewayWithTtl(600_000);
    const result = await runConformance(runOptions(gateway, { only: ["s1-ttl-expiry", "s2-cap-199-200-201"] }));
    const s2 = result.scenarios.find((s) => s.id === "s2-cap-199-200-201")!;
    expect(s2.status).toBe("skipped");
    expect(s2.reason).toMatch(/^not judged: the oldest non-self row is the row of instanceId "[^"]+-s1-\w+" .*; likely cause: the gateway keeps rows longer than SPEC S1's 5 minutes\? The listing holds the row of instanceId "[^"]+-s1-\w+" with ts \d+, \d+ s old on the gateway's clock/);
  });

  it("5 minutes (the default): S1 passes, no cause is guessed", async () => {
    const gateway = await gatewayWithTtl(300_000);
    const result = await runConformance(runOptions(gateway, { only: ["s1-ttl-expiry", "d4-delta-expiry"] }));
    expect(result.scenarios.map((s) => s.status)).toEqual(["passed", "passed"]);
  });
});

/** A gateway whose listing always holds `size` rows: its self row and fill rows, never a client's own row. */
async function fullListGateway(size: number): Promise<string> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const rows = () => [{ reason: "self", mode: "gateway", host: "fake", ts: Date.now() }, ...Array.from({ length: size - 1 }, (_, i) => ({ instanceId: `fill-${i}`, ts: Date.now() - 1000 - i }))];
  server.on("connection", (ws: WebSocket) => {
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: string; method: string };
      const result = req.method === "connect" ? fakeHelloOk(rows()) : req.method === "system-presence" ? rows() : { ok: true };
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result }));
    });
  });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const ownRowListed: Scenario = {
  id: "own-row-listed",
  title: "the connecting client's row is listed",
  rules: ["P2"],
  level: "MUST",
  actors: { a: { client: { instanceId: "${run}-own" } } },
  steps: [
    { step: "connect", actor: "a" },
    { step: "list", actor: "a", contains: [{ instanceId: "${run}-own" }] },
  ],
};

describe("a row missing from a list at the cap", () => {
  it("is said to be likely evicted, naming the row", async () => {
    const url = await fullListGateway(200);
    const [message] = await failedMessages(url, "own-row-listed", { scenarios: [ownRowListed], token: undefined });
    expect(message).toMatch(/no row matches \{"instanceId":"[^"]+-own"\}; likely cause: the list is full \(200 rows, SPEC S2\) and has no row of instanceId "[^"]+-own": evicted\? A new key evicts the row with the oldest ts, never the row just written$/);
  });

  it("below the cap, no eviction is suggested", async () => {
    const url = await fullListGateway(199);
    const [message] = await failedMessages(url, "own-row-listed", { scenarios: [ownRowListed], token: undefined });
    expect(message).toMatch(/no row matches \{"instanceId":"[^"]+-own"\}$/);
  });
});

describe("no TTL is blamed for what another fault did", () => {
  it("a row removed at disconnect (P6) is not said to be kept past 5 minutes when its expiry is not announced", async () => {
    const gateway = await referenceGateway("disconnectRemovesRow");
    closers.push(() => gateway.close());
    const messages = await failedMessages(gateway.url, "d4-delta-expiry");
    expect(messages.join("\n")).not.toMatch(/likely cause/);
  });

  it("rows whose ts is in seconds tie, which breaks the cap scenario's premise: the cause said is the unit, not the TTL", async () => {
    const gateway = await referenceGateway("tsSeconds");
    closers.push(() => gateway.close());
    const result = await runConformance(runOptions(gateway, { only: ["s2-cap-199-200-201"] }));
    const s2 = result.scenarios[0]!;
    expect(s2.status).toBe("skipped");
    expect(s2.reason).toMatch(/; likely cause: ts \d+ is in seconds\? SPEC §3: a row's ts is ms since the epoch \(\d+ ms would be that second\)$/);
    expect(s2.reason).not.toMatch(/longer than SPEC S1/);
  });
});

/**
 * A gateway that handles each beacon a little later than the one before (25 ms apart: a slow
 * gateway's spread, not a burst on its side) and pushes the list after each, as per-turn coalescing does.
 */
async function spreadingGateway(gapMs: number): Promise<string> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const rows = new Map<string, Record<string, unknown>>([["@self", { reason: "self", mode: "gateway", host: "fake", ts: Date.now() }]]);
  const sockets = new Set<WebSocket>();
  let version = 1;
  const list = () => [...rows.values()].map((r) => ({ ...r, ts: r.reason === "self" ? Date.now() : r.ts }));
  const push = () => {
    version++;
    for (const ws of sockets) ws.send(JSON.stringify({ jsonrpc: "2.0", method: "presence", params: { presence: list(), stateVersion: { presence: version } } }));
  };
  server.on("connection", (ws: WebSocket) => {
    let pending = 0;
    ws.on("message", (data) => {
      const req = JSON.parse(String(data)) as { id: string; method: string; params?: { client?: { instanceId?: string }; instanceId?: string; text?: string } };
      const answer = (result: unknown) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result }));
      if (req.method === "connect") {
        const id = req.params?.client?.instanceId;
        if (id) rows.set(id, { instanceId: id, reason: "connect", ts: Date.now() });
        answer(fakeHelloOk(list()));
        sockets.add(ws);
        push();
      } else if (req.method === "system-event") {
        setTimeout(() => {
          const id = req.params?.instanceId;
          if (id) rows.set(id, { ...rows.get(id), instanceId: id, text: req.params?.text, ts: Date.now() });
          answer({ ok: true });
          push();
          pending--;
        }, ++pending * gapMs);
      } else answer(list());
    });
    ws.on("close", () => sockets.delete(ws));
  });
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe("a burst the gateway handled spread out (a slow gateway)", () => {
  it("e2-bursts-coalesced's warning says the answers came spread out, so per-turn coalescing joins none", async () => {
    const url = await spreadingGateway(25);
    const result = await runConformance({ url, only: ["e2-bursts-coalesced"], waitReadyMs: 0 });
    const check = result.scenarios[0]!.checks.find((c) => c.status === "warning" || c.status === "failed")!;
    expect(check.message).toMatch(
      /^\/count: expected lt 20, got 20; likely cause: the gateway answered the 20 system-event requests over \d+ ms, not back to back, so each was handled in a turn of its own and coalescing per event-loop turn \(SPEC E2\) joins none of them; coalescing per interval \(a push at most every few tens of ms\) would$/,
    );
  });

  it("answered back to back, the same count of pushes gets no such cause", async () => {
    const url = await spreadingGateway(0);
    const result = await runConformance({ url, only: ["e2-bursts-coalesced"], waitReadyMs: 0 });
    const check = result.scenarios[0]!.checks.find((c) => c.status === "warning" || c.status === "failed")!;
    expect(check.message).toBe("/count: expected lt 20, got 20");
  });
});
