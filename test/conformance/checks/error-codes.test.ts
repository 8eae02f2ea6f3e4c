// How an error answer is judged. The SPEC §10 name is the error's identity on both bindings; only a
// jsonrpc error carries a number, and there the number must agree with the name. OpenClaw's errors
// carry string codes alone (SPEC T2): a report against an openclaw gateway names the string code it
// sent (and the SPEC name it maps to) and never quotes a number, since the gateway sent none.
import { describe, expect, it } from "vitest";
import type { RunResult as ConformanceResult } from "../../../src/conformance/report/results.js";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import { errorFakeGateway } from "../gateways.js";

const unknownMethod = loadScenarios().filter(({ scenario: s }) => s.id === "b1-unknown-method");

/** b1-unknown-method (expects METHOD_NOT_FOUND at 2-send) against a fake answering `error`. */
async function runAgainst(binding: "jsonrpc" | "openclaw", error: object): Promise<ConformanceResult> {
  const fake = await errorFakeGateway(binding, error);
  try {
    return await runConformance({ url: fake.url, binding, scenarios: unknownMethod, waitReadyMs: 0 });
  } finally {
    await fake.close();
  }
}

const send = (result: ConformanceResult) => result.scenarios[0]!.checks.find((c) => c.id === "2-send")!;
/** Any JSON-RPC §10 number (-32700, -32600 ... -32006) anywhere in the result: check messages, expected/actual values, findings. */
const SPEC_NUMBER = /-32(?:700|60[0-3]|00[0-6])\b/;

describe("error answers over the openclaw binding (string codes only)", () => {
  it("a wrong string code fails naming both codes, once, with no number in the whole result", async () => {
    const result = await runAgainst("openclaw", { code: "UNAVAILABLE", message: "gateway busy", retryable: true });
    const check = send(result);
    expect(check).toMatchObject({ status: "failed", message: "/error/name: expected error METHOD_NOT_FOUND, got UNAVAILABLE (INTERNAL_ERROR in SPEC §10): gateway busy" });
    // The actual answer: the error exactly as sent, and apart, labelled, the SPEC name it was read as
    // (no `data.code: "INTERNAL_ERROR"` beside the native error, as if OpenClaw had sent it).
    expect(check.actual).toEqual({ error: { code: "UNAVAILABLE", message: "gateway busy", retryable: true }, harnessReading: { name: "INTERNAL_ERROR" } });
    expect(JSON.stringify(result)).not.toMatch(SPEC_NUMBER);
    expect(result.wireFindings).toEqual([]);
    expect(result.scenarios[0]!.status).toBe("failed");
  });

  it("OpenClaw's own refusal of an unknown method while scopes are missing (FORBIDDEN) names FORBIDDEN, no number", async () => {
    const result = await runAgainst("openclaw", { code: "INVALID_REQUEST", message: "missing scope: operator.admin" });
    // 2026.1.x sends a missing scope as INVALID_REQUEST; the SDK reads the message (FORBIDDEN in SPEC §10).
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got INVALID_REQUEST (FORBIDDEN in SPEC §10): missing scope: operator.admin");
    expect(JSON.stringify(result)).not.toMatch(SPEC_NUMBER);
  });

  it("token auth failures stay UNAUTHORIZED; OpenClaw's role refusal reads as FORBIDDEN; the code sent stays in view", async () => {
    const token = await runAgainst("openclaw", { code: "INVALID_REQUEST", message: "unauthorized: gateway token mismatch (provide gateway auth token)" });
    expect(send(token).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got INVALID_REQUEST (UNAUTHORIZED in SPEC §10): unauthorized: gateway token mismatch (provide gateway auth token)");
    const role = await runAgainst("openclaw", { code: "INVALID_REQUEST", message: "unauthorized role: node" });
    expect(send(role).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got INVALID_REQUEST (FORBIDDEN in SPEC §10): unauthorized role: node");
    expect(JSON.stringify([token, role])).not.toMatch(SPEC_NUMBER);
  });

  it("the string code that maps to the expected name passes", async () => {
    const result = await runAgainst("openclaw", { code: "INVALID_REQUEST", message: "unknown method: no.such.method" });
    expect(result.scenarios[0]!.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ["1-connect", "passed", undefined],
      ["2-send", "passed", undefined],
      ["3-list", "passed", undefined],
    ]);
    expect(JSON.stringify(result)).not.toMatch(SPEC_NUMBER);
  });
});

describe("a check's actual error: as sent, with the harness's reading beside it", () => {
  it("openclaw: fields the binding derives (missingScope from details) are the harness's reading, not the error's", async () => {
    const sent = { code: "FORBIDDEN", message: "missing scope: operator.admin", details: { code: "MISSING_SCOPE", missingScope: "operator.admin" } };
    const check = send(await runAgainst("openclaw", sent));
    expect(check.status).toBe("failed");
    expect(check.actual).toEqual({ error: sent, harnessReading: { name: "FORBIDDEN", data: { missingScope: "operator.admin" } } });
  });

  it("openclaw: an INVALID_PARAMS read from the message shows the parsed errors as the reading", async () => {
    const sent = { code: "INVALID_REQUEST", message: "invalid system-event params: at /ts: must be integer" };
    const check = send(await runAgainst("openclaw", sent));
    expect(check.actual).toEqual({ error: sent, harnessReading: { name: "INVALID_PARAMS", data: { errors: [{ path: "/ts", message: "must be integer" }] } } });
  });

  it("jsonrpc: the error object as sent ({code, message, data}); the name read from data.code", async () => {
    const sent = { code: -32603, message: "boom", data: { code: "INTERNAL_ERROR", detail: "x" } };
    expect(send(await runAgainst("jsonrpc", sent)).actual).toEqual({ error: sent, harnessReading: { name: "INTERNAL_ERROR" } });
  });

  it("jsonrpc without data.code: the number as sent, the name the harness read from it apart", async () => {
    const sent = { code: -32603, message: "boom" };
    expect(send(await runAgainst("jsonrpc", sent)).actual).toEqual({ error: sent, harnessReading: { name: "INTERNAL_ERROR" } });
  });
});

describe("error answers over the jsonrpc binding (name from data.code, number must agree)", () => {
  it("the right name with the wrong number fails at /error/code and as a W1 error-codes finding", async () => {
    const result = await runAgainst("jsonrpc", { code: -32000, message: "no such method", data: { code: "METHOD_NOT_FOUND" } });
    expect(send(result)).toMatchObject({ status: "failed", message: "/error/code: expected code -32601 for METHOD_NOT_FOUND, got -32000" });
    expect(result.wireFindings).toEqual([expect.objectContaining({ rule: "W1", path: "/error/code", schemas: ["error-codes"], message: "METHOD_NOT_FOUND must have code -32601 (SPEC §10), got -32000" })]);
  });

  it("a wrong name with its own number is one mismatch, quoting the name and number received", async () => {
    const result = await runAgainst("jsonrpc", { code: -32603, message: "boom", data: { code: "INTERNAL_ERROR" } });
    expect(send(result)).toMatchObject({ status: "failed", message: "/error/name: expected error METHOD_NOT_FOUND, got INTERNAL_ERROR (-32603): boom" });
    expect(result.wireFindings).toEqual([]);
  });

  it("a §10 number without data.code: the number as sent, with the name it maps to in SPEC §10 (not as if the name were sent)", async () => {
    const result = await runAgainst("jsonrpc", { code: -32603, message: "boom" });
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got -32603 (INTERNAL_ERROR in SPEC §10): boom");
  });

  it("an error without a code: said so, never 'undefined' as if that were its code", async () => {
    const result = await runAgainst("jsonrpc", { message: "boom" });
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got (no code): boom");
    expect(send(result).actual).toEqual({ error: { message: "boom" }, harnessReading: { name: "(no code)" } });
    expect(result.wireFindings.filter((f) => f.path === "/error/code")).toEqual([expect.objectContaining({ rule: "W1", keyword: "required", schemas: ["error-codes"], message: "error code must be an integer (JSON-RPC 2.0 §5.1), got none" })]);
  });

  it("a number outside SPEC §10 and no data.code: quoted once, as sent", async () => {
    const result = await runAgainst("jsonrpc", { code: -32099, message: "odd" });
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got -32099: odd");
  });

  it("a wrong name whose number belongs to the expected name: the name mismatch here, the number as a W1 finding", async () => {
    const result = await runAgainst("jsonrpc", { code: -32601, message: "boom", data: { code: "INTERNAL_ERROR" } });
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got INTERNAL_ERROR (-32601): boom");
    expect(result.wireFindings).toEqual([expect.objectContaining({ rule: "W1", message: "INTERNAL_ERROR must have code -32603 (SPEC §10), got -32601" })]);
  });
});

describe("a jsonrpc error code that is not an integer (JSON-RPC 2.0 §5.1): a W1 error-codes finding naming what was sent", () => {
  const codeFinding = (result: ConformanceResult) => result.wireFindings.filter((f) => f.path === "/error/code");

  it("missing beside the right data.code: the name passes, the finding says none was sent (not 'got undefined')", async () => {
    const result = await runAgainst("jsonrpc", { message: "no such method", data: { code: "METHOD_NOT_FOUND" } });
    expect(send(result)).toMatchObject({ status: "passed" });
    expect(codeFinding(result)).toEqual([
      expect.objectContaining({ id: "W1:required:/error/code", rule: "W1", status: "failed", keyword: "required", schemas: ["error-codes"], message: "error code must be an integer (JSON-RPC 2.0 §5.1; METHOD_NOT_FOUND is -32601 in SPEC §10), got none" }),
    ]);
    expect(result.wireFormatOk).toBe(false);
  });

  it("a string, even the right numeral: the finding quotes it; no /error/code mismatch that printed it like a number", async () => {
    const result = await runAgainst("jsonrpc", { code: "-32601", message: "no such method", data: { code: "METHOD_NOT_FOUND" } });
    expect(send(result)).toMatchObject({ status: "passed" });
    expect(codeFinding(result)).toEqual([
      expect.objectContaining({ id: "W1:type:/error/code", keyword: "type", schemas: ["error-codes"], message: 'error code must be an integer (JSON-RPC 2.0 §5.1; METHOD_NOT_FOUND is -32601 in SPEC §10), got a string: "-32601"' }),
    ]);
  });

  it("a string without data.code: the name is the string, quoted as sent in the mismatch and the finding", async () => {
    const result = await runAgainst("jsonrpc", { code: "BUSY", message: "later" });
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got BUSY: later");
    expect(codeFinding(result).map((f) => f.message)).toEqual(['error code must be an integer (JSON-RPC 2.0 §5.1), got a string: "BUSY"']);
  });

  it("a string beside a wrong data.code: the mismatch keeps the code sent beside the name", async () => {
    const result = await runAgainst("jsonrpc", { code: "BUSY", message: "later", data: { code: "INTERNAL_ERROR" } });
    expect(send(result).message).toBe('/error/name: expected error METHOD_NOT_FOUND, got INTERNAL_ERROR ("BUSY"): later');
    expect(codeFinding(result).map((f) => f.message)).toEqual(['error code must be an integer (JSON-RPC 2.0 §5.1; INTERNAL_ERROR is -32603 in SPEC §10), got a string: "BUSY"']);
  });

  it("a non-integer number: the check's /error/code mismatch stays; one finding (the integer one, not also the §10 one)", async () => {
    const result = await runAgainst("jsonrpc", { code: -32601.5, message: "no such method", data: { code: "METHOD_NOT_FOUND" } });
    expect(send(result)).toMatchObject({ status: "failed", message: "/error/code: expected code -32601 for METHOD_NOT_FOUND, got -32601.5" });
    expect(codeFinding(result)).toEqual([
      expect.objectContaining({ keyword: "type", message: "error code must be an integer (JSON-RPC 2.0 §5.1; METHOD_NOT_FOUND is -32601 in SPEC §10), got a non-integer number: -32601.5" }),
    ]);
  });

  it("one kind over many frames: its message is that of the frame shown as evidence (the codes differ)", async () => {
    // The probe's and the first flood answers get the long code; odd floods the short one, the shortest frame.
    const fake = await errorFakeGateway("jsonrpc", [{ code: "a-much-longer-code", message: "slow down, please" }, { code: "B", message: "x" }], { acceptBeacons: 3 });
    try {
      const rateLimit = loadScenarios().filter(({ scenario: s }) => s.id === "b2-rate-limit");
      const result = await runConformance({ url: fake.url, binding: "jsonrpc", scenarios: rateLimit, waitReadyMs: 0, capabilities: { systemEvent: true } });
      const [finding] = codeFinding(result);
      expect(finding).toMatchObject({ id: "W1:type:/error/code", message: 'error code must be an integer (JSON-RPC 2.0 §5.1), got a string: "B"' });
      expect(JSON.parse(finding!.evidence.text).error.code).toBe("B");
    } finally {
      await fake.close();
    }
  });

  it("openclaw: string codes are the binding's design (SPEC T2), no finding", async () => {
    const result = await runAgainst("openclaw", { code: "INVALID_REQUEST", message: "unknown method: no.such.method" });
    expect(result.wireFindings).toEqual([]);
  });
});

describe("an empty code reads as one ('(empty code)' or \"\"), never as nothing", () => {
  it("openclaw: `(empty code)` when nothing else names it", async () => {
    const result = await runAgainst("openclaw", { code: "", message: "gateway busy" });
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got (empty code): gateway busy");
    expect(send(result).actual).toEqual({ error: { code: "", message: "gateway busy" }, harnessReading: { name: "(empty code)" } });
  });

  it('openclaw: `""` before the SPEC name read from the message', async () => {
    const result = await runAgainst("openclaw", { code: "", message: "missing scope: operator.admin" });
    expect(send(result).message).toBe('/error/name: expected error METHOD_NOT_FOUND, got "" (FORBIDDEN in SPEC §10): missing scope: operator.admin');
  });

  it('jsonrpc: data.code "" names nothing: the name is read from the number; the empty data.code is a W1 ErrorData finding', async () => {
    const result = await runAgainst("jsonrpc", { code: -32603, message: "boom", data: { code: "" } });
    expect(send(result).message).toBe("/error/name: expected error METHOD_NOT_FOUND, got -32603 (INTERNAL_ERROR in SPEC §10): boom");
    expect(result.wireFindings).toEqual([expect.objectContaining({ rule: "W1", path: "/error/data/code", schemas: ["ErrorData"] })]);
  });

  it("a flood's counts and message name the empty code", async () => {
    const fake = await errorFakeGateway("openclaw", { code: "", message: "busy" }, { acceptBeacons: 3 });
    try {
      const rateLimit = loadScenarios().filter(({ scenario: s }) => s.id === "b2-rate-limit");
      const result = await runConformance({ url: fake.url, binding: "openclaw", scenarios: rateLimit, waitReadyMs: 0, capabilities: { systemEvent: true } });
      const check = result.scenarios[0]!.checks.find((c) => c.id === "2-flood")!;
      expect(check.actual).toEqual({ ok: 3, errors: 497, errorsByCode: { "(empty code)": 497 } });
      expect(check.message).toMatch(/\(3 results, 497 errors: 497 \(empty code\)\)$/);
    } finally {
      await fake.close();
    }
  });
});

describe("h7-node-forbidden over the openclaw binding against OpenClaw's role refusal", () => {
  const nodeForbidden = loadScenarios().filter(({ scenario: s }) => s.id === "h7-node-forbidden");

  it("INVALID_REQUEST 'unauthorized role: node' is H7's FORBIDDEN: what is left is the missing missingScope", async () => {
    // As both releases answer a node's operator calls (server-methods.ts authorizeGatewayMethod).
    const refusal = { code: "INVALID_REQUEST", message: "unauthorized role: node" };
    const fake = await errorFakeGateway("openclaw", { code: "INVALID_REQUEST", message: "unknown method: x" }, { nodeError: refusal });
    let result: ConformanceResult;
    try {
      result = await runConformance({ url: fake.url, binding: "openclaw", scenarios: nodeForbidden, waitReadyMs: 0 });
    } finally {
      await fake.close();
    }
    const scenario = result.scenarios[0]!;
    expect(scenario.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ["1-connect", "passed", undefined],
      ["2-send", "warning", '/error/data/missingScope: expected "operator.read", got (absent)'],
      ["3-send", "warning", '/error/data/missingScope: expected "operator.write", got (absent)'],
      ["4-connect", "passed", undefined],
      ["5-expectNoEvent", "passed", undefined],
    ]);
    // The check's actual answer: the refusal as sent, FORBIDDEN only as the harness's reading of it.
    expect(scenario.checks[1]!.actual).toEqual({ error: refusal, harnessReading: { name: "FORBIDDEN" } });
    expect(JSON.stringify((scenario.checks[1]!.actual as { error: unknown }).error)).not.toContain("FORBIDDEN");
    expect(scenario.status).toBe("warning");
    expect(JSON.stringify(result)).not.toMatch(SPEC_NUMBER);
  });
});

describe("an expected data.code (b1-wrong-types: INVALID_PARAMS with data.code and errors) is the name: judged once, as sent", () => {
  const wrongTypes = loadScenarios().filter(({ scenario: s }) => s.id === "b1-wrong-types");
  const firstSend = async (binding: "jsonrpc" | "openclaw", error: object) => {
    const fake = await errorFakeGateway(binding, error);
    try {
      const result = await runConformance({ url: fake.url, binding, scenarios: wrongTypes, waitReadyMs: 0 });
      return result.scenarios[0]!.checks.find((c) => c.id === "2-send")!;
    } finally {
      await fake.close();
    }
  };

  it("openclaw: no /error/data/code line quoting the SPEC name the binding filled in (OpenClaw sent no data)", async () => {
    const check = await firstSend("openclaw", { code: "UNAVAILABLE", message: "gateway busy" });
    expect(check).toMatchObject({
      status: "failed",
      message: "/error/name: expected error INVALID_PARAMS, got UNAVAILABLE (INTERNAL_ERROR in SPEC §10): gateway busy; /error/data/errors: expected an array, got (absent)",
    });
  });

  it("jsonrpc: a wrong data.code is the one /error/name mismatch, not a second /error/data/code one", async () => {
    const check = await firstSend("jsonrpc", { code: -32603, message: "boom", data: { code: "INTERNAL_ERROR" } });
    expect(check.message).toBe("/error/name: expected error INVALID_PARAMS, got INTERNAL_ERROR (-32603): boom; /error/data/errors: expected an array, got (absent)");
  });

  it("jsonrpc: data without the code it must carry still fails at /error/data/code (the name was read from the number)", async () => {
    const check = await firstSend("jsonrpc", { code: -32602, message: "bad params", data: { errors: [] } });
    expect(check.status).toBe("failed");
    expect(check.message).toMatch(/^\/error\/data\/code: expected "INVALID_PARAMS", got \(absent\)/);
  });
});

describe("a flood's actual counts the error answers by the code sent (b2-rate-limit)", () => {
  const rateLimit = loadScenarios().filter(({ scenario: s }) => s.id === "b2-rate-limit");
  const flood = async (binding: "jsonrpc" | "openclaw", error: object | object[]) => {
    const fake = await errorFakeGateway(binding, error, { acceptBeacons: 3 });
    try {
      const result = await runConformance({ url: fake.url, binding, scenarios: rateLimit, waitReadyMs: 0, capabilities: { systemEvent: true } });
      return result.scenarios[0]!.checks.find((c) => c.id === "2-flood")!;
    } finally {
      await fake.close();
    }
  };

  it("openclaw: UNAVAILABLE as sent (not INTERNAL_ERROR, the name it maps to)", async () => {
    const check = await flood("openclaw", { code: "UNAVAILABLE", message: "The server is busy. Please try again in a moment.", retryable: true });
    expect(check.status).toBe("failed");
    expect(check.actual).toEqual({ ok: 3, errors: 497, errorsByCode: { UNAVAILABLE: 497 } });
    expect(check.message).toMatch(/^none of 500 answers matched .* \(3 results, 497 errors: 497 UNAVAILABLE\)$/);
  });

  it("jsonrpc: the data.code name when sent, else the number", async () => {
    const check = await flood("jsonrpc", [{ code: -32004, message: "slow down", data: { code: "RATE_LIMITED" } }, { code: -32603, message: "busy" }]);
    // Floods 3..499 refused: odd ones (249) -32603 without data.code, even ones (248) RATE_LIMITED without retryAfterMs.
    expect(check.actual).toEqual({ ok: 3, errors: 497, errorsByCode: { "-32603": 249, RATE_LIMITED: 248 } });
    expect(check.message).toMatch(/\(3 results, 497 errors: 249 -32603, 248 RATE_LIMITED\)$/);
  });

  it("counts any code the gateway sends, even one named like an Object property", async () => {
    const check = await flood("openclaw", [{ code: "constructor", message: "a" }, { code: "__proto__", message: "b" }]);
    // Floods 3..499 refused: odd ones (249) "__proto__", even ones (248) "constructor". (An object
    // literal's `__proto__:` would set its prototype, hence fromEntries.)
    const byCode = (check.actual as { errorsByCode: Record<string, number> }).errorsByCode;
    expect(Object.entries(byCode)).toEqual([["__proto__", 249], ["constructor", 248]]);
    expect(check.actual).toEqual({ ok: 3, errors: 497, errorsByCode: Object.fromEntries([["__proto__", 249], ["constructor", 248]]) });
  });
});
