// The gateway token given to a run never appears in any report: not in frames (auth.token), not in
// expected/actual values, not in failure messages, whatever the reporter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import fc from "fast-check";
import { MAX_REDACT_DEPTH, REDACTED, redactText, redactValue, TOO_DEEP } from "../../../src/transport/redact.js";
import { formatReport, formatSummary, progressPrinter, REPORTERS } from "../../../src/conformance/report/formats.js";
import type { RunResult } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import type { Scenario } from "../../../src/conformance/scenario/scenario.js";
import type { Gateway } from "../../../src/server/index.js";
import { FAST, referenceGateway } from "../gateways.js";

const SECRET = "conformance-redaction-s3cret-4711";

/** Fails on a connect (the wrong token, expected to pass) and on a list whose expected and actual values carry the token. */
const leaky: Scenario = {
  id: "leaky",
  title: "a failing scenario whose frames, expected and actual values hold the token",
  rules: ["H5"],
  level: "MUST",
  actors: {
    a: { client: { instanceId: "${run}-leaky", displayName: "${token}" } },
    wrong: { client: { instanceId: "${run}-leaky-wrong" }, auth: "wrong" },
  },
  steps: [
    { step: "connect", actor: "a" },
    { step: "list", actor: "a", contains: [{ displayName: "${token}", host: "${token}" }] },
    { step: "connect", actor: "wrong" },
  ],
};

describe("the run's token in reports", () => {
  let gateway: Gateway;
  let result: RunResult;
  let progress = "";
  beforeAll(async () => {
    gateway = await referenceGateway(undefined, { token: SECRET });
    const builtin = loadScenarios().filter(({ scenario }) => ["h5-token", "p2-connect-row"].includes(scenario.id));
    result = await runConformance({
      url: gateway.url,
      token: SECRET,
      handshakeTimeoutMs: FAST.handshakeTimeoutMs,
      scenarios: [...builtin, leaky],
      onProgress: progressPrinter((text) => (progress += text), { color: false }),
    });
  });
  afterAll(() => gateway.close());

  it("the run really sent the token and failed where it should", () => {
    const byId = Object.fromEntries(result.scenarios.map((s) => [s.id, s]));
    expect(byId["h5-token"].status).toBe("passed");
    expect(byId["p2-connect-row"].status).toBe("passed");
    expect(byId.leaky.status).toBe("failed");
    expect(byId.leaky.checks.filter((c) => c.status === "failed").length).toBeGreaterThanOrEqual(2);
    const connects = byId.leaky.wire.filter((r) => r.dir === "send" && r.text.includes('"connect"'));
    expect(connects.length).toBe(2);
    for (const frame of connects) expect(frame.text).toContain(`"token":"${REDACTED}"`);
  });

  it.each([...REPORTERS])("the %s report, the progress and the summary hold no trace of it", (reporter) => {
    const text = formatReport(result, reporter) + progress + formatSummary(result, { color: false });
    expect(text).toContain(REDACTED);
    expect(text).not.toContain(SECRET);
  });
});

describe("redactValue copies what a gateway sent, keys and all", () => {
  it("keeps a \"__proto__\" key (as JSON.parse makes it) as a key, not the copy's prototype", () => {
    const sent = JSON.parse('{"error":{"code":"x","__proto__":{"polluted":true},"token":"t0k3n"}}') as unknown;
    const copy = redactValue(sent) as { error: Record<string, unknown> };
    expect(JSON.stringify(copy)).toBe(`{"error":{"code":"x","__proto__":{"polluted":true},"token":"${REDACTED}"}}`);
    expect(Object.getPrototypeOf(copy.error)).toBe(Object.prototype);
  });
});

describe("a credential in the gateway's URL", () => {
  // A token in a URL is common (OpenClaw's dashboard takes ?token=): a report is shared, so neither the
  // query's values nor user:password of the URL may reach it. The reference gateway ignores both.
  let gateway: Gateway;
  let result: RunResult;
  let progress = "";
  const url = (base: string) => base.replace("ws://", "ws://someone:pa55word-in-url@") + "/?token=tok3n&binding=jsonrpc";
  beforeAll(async () => {
    gateway = await referenceGateway(undefined, { token: null });
    const builtin = loadScenarios().filter(({ scenario }) => scenario.id === "p2-connect-row");
    result = await runConformance({ url: url(gateway.url), scenarios: builtin, onProgress: progressPrinter((text) => (progress += text), { color: false }) });
  });
  afterAll(() => gateway.close());

  it.each([...REPORTERS])("the %s report shows the URL with both replaced, names kept", (reporter) => {
    expect(result.scenarios[0]!.status).toBe("passed");
    expect(result.url).toBe(`ws://${REDACTED}@${new URL(gateway.url).host}/?token=${REDACTED}&binding=${REDACTED}`);
    const text = formatReport(result, reporter) + progress + formatSummary(result, { color: false });
    expect(text).not.toMatch(/tok3n|pa55word-in-url/);
  });
});

describe("hostile values and text", () => {
  it("a value nested deeper than MAX_REDACT_DEPTH is cut there (it cannot be checked for secrets), without recursing 200,000 levels", () => {
    const deep = JSON.parse(`${"[".repeat(200_000)}${"]".repeat(200_000)}`) as unknown;
    const copy = redactValue({ frame: deep, token: "t0k" }) as { frame: unknown; token: string };
    expect(copy.token).toBe(REDACTED);
    let inner = copy.frame;
    let depth = 1;
    for (; Array.isArray(inner); depth++) inner = inner[0];
    expect(inner).toBe(TOO_DEEP);
    expect(depth).toBe(MAX_REDACT_DEPTH);
    const shallow = { a: [{ b: [1, "x"] }] };
    expect(redactValue(shallow)).toEqual(shallow);
  });

  it("redactText takes time in proportion to the text: repeated patterns of 200 KB made to make a regex backtrack", () => {
    // Before, `ws://a.` repeated (any text of word boundaries) made the URL-credentials regex scan to
    // the end from every boundary: 0.4 s for 40 KB, a minute for a 500 KB frame.
    const piece = fc.constantFrom("a.", "a-", "ws://a.", "?a", "&a=", "token", "token ", '"token":"', "://a", "Bearer ", "\\", "a@", ":", "/");
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 3 }), (parts) => {
        const text = parts.join("").repeat(Math.ceil(200_000 / parts.join("").length));
        const started = performance.now();
        redactText(text);
        expect(performance.now() - started).toBeLessThan(1_000);
      }),
      { numRuns: 60 },
    );
  });
});
