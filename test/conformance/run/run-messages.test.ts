/**
 * What runConformance tells its caller to change, in runConformance's own option names (conform's
 * flags are checked in cli.test.ts): a token given to a gateway that takes none (SPEC H5: both
 * readings, the verdict unchanged), a token the gateway wants, a gateway that is not ready.
 */
import { WebSocketServer } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgressEvent } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../../src/server/index.js";
import { referenceGateway, runOptions, TOKEN } from "../gateways.js";
import { scaled } from "../../support/timing.js";

const BOTH_READINGS =
  "although a token was given (the token option): either it was started without a token (then run without the token option) or it does not enforce SPEC H5";

describe("runConformance's messages name its options", () => {
  let tokenless: Gateway;
  let withToken: Gateway;
  beforeAll(async () => {
    [tokenless, withToken] = await Promise.all([referenceGateway(undefined, { token: null }), referenceGateway()]);
  });
  afterAll(async () => {
    await Promise.all([tokenless.close(), withToken.close()]);
  });

  it("a token given to a gateway that accepts connects without one: h5-token still fails (MUST), and both readings are said, up front and at the check", async () => {
    const result = await runConformance(runOptions(tokenless, { only: ["h5-token"] }));
    const h5 = result.scenarios.find((s) => s.id === "h5-token")!;
    expect(h5.status).toBe("failed");
    expect(result.behaviourOk).toBe(false);
    const [none, wrong] = [h5.checks.find((c) => c.id === "1-connect")!, h5.checks.find((c) => c.id === "2-connect")!];
    expect(none).toMatchObject({ status: "failed", level: "MUST", rules: ["H5"] });
    expect(none.message).toMatch(new RegExp(`^the gateway accepted a connect with no auth\\.token ${escape(BOTH_READINGS)}; expected error`));
    expect(wrong.message).toMatch(new RegExp(`^the gateway accepted a connect with a wrong auth\\.token ${escape(BOTH_READINGS)}; `));
    expect(result.probe.notes).toEqual([`the gateway accepted a connect with no auth.token ${BOTH_READINGS}; the H5 checks fail either way`]);
  }, scaled(20_000));

  it("says nothing of the kind when the gateway refuses a connect without its token", async () => {
    const result = await runConformance(runOptions(withToken, { only: ["h5-token"] }));
    expect(result.scenarios.map((s) => `${s.id}: ${s.status}`)).toEqual(["h5-token: passed"]);
    expect(result.probe.notes).toBeUndefined();
  });

  it("a gateway that wants a token: says to give it with the token option (no command-line flags)", async () => {
    const result = await runConformance({ url: withToken.url, only: ["p1-self-row"] });
    expect(result.error).toMatch(/^probe connect refused: UNAUTHORIZED: .*\(the gateway wants a token; give it with the token option\)$/);
    expect(result.missingCapabilities.token).toBe("no token given (the token option)");
  });

  it("a gateway that is not ready: each wait names the URL and how not to wait; the error names the URL and waitReadyMs", async () => {
    const closed = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => closed.once("listening", resolve));
    const url = `ws://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const events: ProgressEvent[] = [];
    const result = await runConformance({ url, token: TOKEN, only: ["p1-self-row"], waitReadyMs: 700, onProgress: (e) => events.push(e) });
    const waits = events.filter((e): e is Extract<ProgressEvent, { type: "waiting-ready" }> => e.type === "waiting-ready");
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatchObject({ url, noWait: "waitReadyMs: 0", reason: expect.stringMatching(/^connect ECONNREFUSED /) });
    // The URL once (in `could not open <url>`), not again in the wait's words.
    expect(result.error).toMatch(new RegExp(`^probe connect failed: actor "probe": could not open ${escape(url)}: connect ECONNREFUSED [^ ]+ \\(not ready within waitReadyMs: 700: \\d+ attempts in \\d\\.\\d s; is a gateway running there\\?\\)$`));
    expect(result.error!.split(url).length - 1).toBe(1);
    expect(result.error).not.toMatch(/--wait-ready/);
    // A token in the URL shows in neither the waiting lines nor the error.
    const withSecret: ProgressEvent[] = [];
    const secret = await runConformance({ url: `${url}/?token=url-secret`, only: ["p1-self-row"], waitReadyMs: 700, onProgress: (e) => withSecret.push(e) });
    expect(withSecret.some((e) => e.type === "waiting-ready")).toBe(true);
    expect(JSON.stringify(withSecret)).not.toContain("url-secret");
    expect(secret.error).not.toContain("url-secret");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("a step that needs a value an earlier step failed to capture", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await referenceGateway();
  });
  afterAll(() => gateway.close());

  it("names that step and where it was to read the value, not the harness's variable machinery", async () => {
    // As e1-events-on-change against a gateway whose hello-ok has no snapshot: its connect captures
    // the snapshot's stateVersion, and the next step's match needs it.
    const scenario: Scenario = {
      id: "needs-capture",
      title: "a step uses a value captured before",
      rules: ["E1"],
      level: "MUST",
      actors: { a: { client: { instanceId: "${run}-cap" } } },
      steps: [
        { step: "connect", actor: "a", capture: { v0: "/snapshot/noSuchField" } },
        { step: "expectEvent", actor: "a", event: "presence", withinMs: 100, match: { stateVersion: { presence: { $gt: "${v0}" } } } },
        { step: "list", actor: "a" },
      ],
    };
    const result = await runConformance(runOptions(gateway, { scenarios: [scenario] }));
    const checks = result.scenarios[0]!.checks;
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ["1-connect", "failed"],
      ["2-expectEvent", "failed"],
    ]);
    expect(checks[1]!.message).toBe(
      "it needs ${v0}, which step 1-connect was to capture from /snapshot/noSuchField of what the gateway sent, and did not: that check failed (above), so this step cannot be judged (1 later steps not run)",
    );
  });
});
