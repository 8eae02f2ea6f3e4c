// How an error answer is judged. The SPEC §10 name is the error's identity on both bindings; only a
// jsonrpc error carries a number, and there the number must agree with the name. OpenClaw's errors
// carry string codes alone (SPEC T2): a report against an openclaw gateway names the string code it
// sent (and the SPEC name it maps to) and never quotes a number, since the gateway sent none.
import { describe, expect, it } from "vitest";
import type { RunResult as ConformanceResult } from "../../src/conformance/report/results.js";
import { runConformance } from "../../src/conformance/run/runner.js";
import { loadScenarios } from "../../src/conformance/scenario/fixtures.js";
import { errorFakeGateway } from "./gateways.js";

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
    expect(check.actual).toEqual({ error: { name: "INTERNAL_ERROR", message: "gateway busy", data: { code: "INTERNAL_ERROR", native: { code: "UNAVAILABLE", message: "gateway busy", retryable: true } } } });
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
    // The error as sent stays in the check's actual answer (data.native) for the report.
    expect(scenario.checks[1]!.actual).toEqual({ error: { name: "FORBIDDEN", message: "unauthorized role: node", data: { code: "FORBIDDEN", native: refusal } } });
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
