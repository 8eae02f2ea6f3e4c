// conform against a gateway of the other wire binding: the probe names the binding to use as soon as
// the gateway shows which it speaks, long before its step (or challenge) timeout; the timeout stays
// only for a gateway that says nothing at all.
import { WebSocketServer } from "ws";
import { describe, expect, it } from "vitest";
import { formatSummary } from "../../../src/conformance/report/pretty.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { createOpenClawBinding } from "../../../src/transport/openclaw.js";
import { createGateway } from "../../../src/server/index.js";
import { errorFakeGateway, runOptions, TOKEN } from "../gateways.js";

/** Every wait of the run is 30 s: a run over in a few seconds did not wait for one. */
const LONG_MS = 30_000;
/** Well under LONG_MS, with room for a loaded machine. */
const FAST_ENOUGH_MS = 10_000;
const slowOpenClaw = () => createOpenClawBinding({ challengeTimeoutMs: LONG_MS });
const UNKNOWN = { code: "INVALID_REQUEST", message: "unknown method" };

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await run();
  return { result, ms: Date.now() - started };
}

describe("conform --binding jsonrpc against an OpenClaw-framed gateway", () => {
  it("fails at the connect.challenge, naming --binding openclaw, not after the step timeout", async () => {
    const fake = await errorFakeGateway("openclaw", UNKNOWN);
    try {
      const { result, ms } = await timed(() => runConformance({ url: fake.url, only: ["p1-self-row"], stepTimeoutMs: LONG_MS, waitReadyMs: 0 }));
      expect(result.error).toBe(
        'probe connect failed: actor "probe": no answer to request "probe-1": the gateway sent an OpenClaw "connect.challenge" event instead (the gateway answers in OpenClaw\'s frames: run with --binding openclaw)',
      );
      expect(ms).toBeLessThan(FAST_ENOUGH_MS);
      expect(result.scenarios[0]).toMatchObject({ status: "skipped", reason: `not run: ${result.error}` });
      // It was reached: the verdict line says what went wrong.
      expect(formatSummary(result).trimEnd().split("\n").pop()).toBe("FAIL: the probe could not connect with the jsonrpc binding, so no scenario ran (see the run error above)");
    } finally {
      await fake.close();
    }
  });

  it("does the same against the reference gateway's openclaw listener", async () => {
    const openclaw = await createGateway({ host: "127.0.0.1", port: 0, binding: "openclaw", token: TOKEN, testClock: true });
    try {
      const { result, ms } = await timed(() => runConformance({ ...runOptions(openclaw, { only: ["p1-self-row"], stepTimeoutMs: LONG_MS }), waitReadyMs: 0 }));
      expect(result.error).toMatch(/^probe connect failed: .*"connect\.challenge" event instead \(the gateway answers in OpenClaw's frames: run with --binding openclaw\)$/);
      expect(ms).toBeLessThan(FAST_ENOUGH_MS);
      expect(result.byRule.W1).toBeUndefined();
    } finally {
      await openclaw.close();
    }
  });

  it("with two --url, the second of another binding: the summary names both gateways, not only the first", async () => {
    const gw = await createGateway({ host: "127.0.0.1", token: TOKEN, testClock: true, listeners: [{ binding: "jsonrpc", port: 0 }, { binding: "openclaw", port: 0 }] });
    const [a, b] = gw.listeners.map((l) => l.url) as [string, string];
    try {
      const { result } = await timed(() => runConformance({ url: a, urls: [a, b], token: TOKEN, only: ["x4-disconnect-on-a-while-open-on-b"], stepTimeoutMs: LONG_MS, waitReadyMs: 0 }));
      expect(result.error).toMatch(/connect\.challenge/);
      expect(formatSummary(result)).toContain(`Conformance of the cluster ${a} + ${b} (binding jsonrpc): nothing was checked.`);
    } finally {
      await gw.close();
    }
  });
});

describe("conform --binding openclaw against a JSON-RPC gateway (which sends nothing first)", () => {
  const expected =
    'probe connect failed: actor "probe": the openclaw binding could not prepare connect: no connect.challenge event: nothing came within 500 ms, and a JSON-RPC request on a second connection got a JSON-RPC answer (the gateway answers in JSON-RPC: leave out --binding openclaw)';

  it("asks on a second connection and fails on its JSON-RPC answer, not after the challenge timeout (fake)", async () => {
    const fake = await errorFakeGateway("jsonrpc", { code: -32601, message: "no such method" });
    try {
      const { result, ms } = await timed(() => runConformance({ url: fake.url, binding: slowOpenClaw(), only: ["p1-self-row"], stepTimeoutMs: LONG_MS, waitReadyMs: 0 }));
      expect(result.error).toBe(expected);
      expect(ms).toBeLessThan(FAST_ENOUGH_MS);
    } finally {
      await fake.close();
    }
  });

  it("the reference gateway's JSON-RPC listener answers the question NOT_CONNECTED (H1): same message", async () => {
    const gateway = await createGateway({ host: "127.0.0.1", port: 0, token: TOKEN, testClock: true });
    try {
      const { result, ms } = await timed(() => runConformance({ ...runOptions(gateway, { binding: slowOpenClaw(), only: ["p1-self-row"], stepTimeoutMs: LONG_MS }), waitReadyMs: 0 }));
      expect(result.error).toBe(expected);
      expect(ms).toBeLessThan(FAST_ENOUGH_MS);
    } finally {
      await gateway.close();
    }
  });

  it("an OpenClaw gateway whose challenge comes late is not taken for JSON-RPC: the run goes ahead", async () => {
    const fake = await errorFakeGateway("openclaw", UNKNOWN, { challengeAfterMs: 800 });
    try {
      const result = await runConformance({ url: fake.url, binding: "openclaw", only: ["p1-self-row"], waitReadyMs: 0 });
      expect(result.error).toBeUndefined();
      expect(result.scenarios[0]!.status).not.toBe("skipped");
      // The second connection did ask, and its OpenClaw answer proved nothing.
      const asked = result.probe.result!.wire.filter((r) => r.actor === "binding-check");
      expect(asked.map((r) => r.dir)).toEqual(expect.arrayContaining(["send", "recv"]));
    } finally {
      await fake.close();
    }
  });

  it("a gateway that says nothing on either connection: the challenge timeout is the fallback", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const { port } = server.address() as { port: number };
    try {
      const binding = createOpenClawBinding({ challengeTimeoutMs: 1500 });
      const { result, ms } = await timed(() => runConformance({ url: `ws://127.0.0.1:${port}`, binding, only: ["p1-self-row"], waitReadyMs: 0 }));
      expect(result.error).toBe(
        'probe connect failed: actor "probe": the openclaw binding could not prepare connect: no connect.challenge event within 1500 ms (no connect.challenge came: if the gateway speaks JSON-RPC, leave out --binding openclaw)',
      );
      expect(ms).toBeGreaterThanOrEqual(1500);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
