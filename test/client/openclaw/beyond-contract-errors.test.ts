// Where OpenClaw asks for more than the contract, the SDK's error says what to pass. The errors are the
// ones OpenClaw 2026.9.6 and 2026.1.30 really sent (fixtures/openclaw-recordings).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError, mapOpenClawError, type OpenClawError } from "../../../src/index.js";

function recordedError(release: string, message: string): OpenClawError {
  const file = new URL(`../../../fixtures/openclaw-recordings/openclaw-${release}/f-system-event-beacons.jsonl`, import.meta.url);
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const error = (JSON.parse(line) as { frame?: { type?: string; ok?: boolean; error?: OpenClawError } }).frame?.error;
    if (error?.message === message) return error;
  }
  throw new Error(`no recorded error "${message}" in ${release}`);
}

describe("errors beyond the contract", () => {
  it("FORBIDDEN missingScope operator.admin names the scopes to connect with (2026.9.6 and 2026.1.30)", () => {
    for (const release of ["2026.9.6", "2026.1.30"]) {
      const error = new GatewayError(mapOpenClawError(recordedError(release, "missing scope: operator.admin")), "system-event");
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toContain('scopes: ["operator.read", "operator.write", "operator.admin"]');
      expect(error.message).toContain("more than SPEC H7 asks");
    }
  });

  it("a beacon without text names the text option", () => {
    const error = new GatewayError(mapOpenClawError(recordedError("2026.9.6", "text required")), "system-event");
    expect(error.message).toMatch(/pass text \(startBeacons\(\{ text \}\)\)/);
  });

  it("the message shows the gateway's own code, and the SPEC §10 name beside it when they differ", () => {
    const unavailable = new GatewayError(mapOpenClawError({ code: "UNAVAILABLE", message: "gateway starting", retryable: true }), "connect");
    expect(unavailable.code).toBe("INTERNAL_ERROR");
    expect(unavailable.message).toBe("connect: UNAVAILABLE (INTERNAL_ERROR in SPEC §10): gateway starting");
    const same = new GatewayError(mapOpenClawError({ code: "FORBIDDEN", message: "missing scope: operator.write" }), "system-event");
    expect(same.message).toBe("system-event: FORBIDDEN: missing scope: operator.write");
  });

  it("a contract error gets no hint", () => {
    const sent = { code: -32003, message: "missing scope: operator.write", data: { code: "FORBIDDEN", missingScope: "operator.write" } };
    const error = new GatewayError({ name: "FORBIDDEN", code: sent.code, message: sent.message, data: sent.data, sent }, "system-event");
    expect(error.message).toBe("system-event: FORBIDDEN: missing scope: operator.write");
  });
});
