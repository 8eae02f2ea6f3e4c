// `conform --binding openclaw` against `serve --binding openclaw --test-clock` (a real child process on an
// ephemeral loopback port): every scenario that does not need the jsonrpc binding passes.
import { describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/run/runner.js";
import { loadScenarios } from "../../src/conformance/scenario/fixtures.js";
import { listenersOf, serve } from "../server/serve/serve-process.js";
import { scaled } from "../support/timing.js";

const TOKEN = "openclaw-reference-token";

describe("the reference gateway's openclaw binding under the conformance harness", () => {
  it("passes every scenario that is not jsonrpc-only", async () => {
    const s = serve(["--binding", "openclaw", "--port", "0", "--test-clock", "--token", TOKEN, "--handshake-timeout-ms", "1000", "--tick-interval-ms", "1000"]);
    const [listener] = await listenersOf(s);
    expect(listener!.binding).toBe("openclaw");
    const result = await runConformance({
      url: listener!.url,
      binding: "openclaw",
      token: TOKEN,
      handshakeTimeoutMs: 1000,
    });
    // The reference gateway takes SPEC M2/H7's beacons over OpenClaw frames: nothing to adapt.
    expect(result.probe.needs).toEqual([]);
    const notPassed = result.scenarios.filter((r) => r.status !== "passed");
    const jsonrpcOnly = notPassed.filter((r) => r.status === "skipped" && /jsonrpc/.test(r.reason ?? ""));
    expect(notPassed.filter((r) => !jsonrpcOnly.includes(r)).map((r) => `${r.id}: ${r.status} ${r.reason ?? ""}`)).toEqual([]);
    const needJsonrpc = loadScenarios()
      .filter((l) => l.scenario.requires?.includes("jsonrpc"))
      .map((l) => l.scenario.id);
    expect(jsonrpcOnly.map((r) => r.id).sort()).toEqual(needJsonrpc.sort());
    expect(result.scenarios.filter((r) => r.status === "passed").length).toBe(result.scenarios.length - needJsonrpc.length);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
  }, scaled(60_000));
});
