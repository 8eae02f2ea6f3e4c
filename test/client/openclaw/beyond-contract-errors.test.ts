// Where OpenClaw asks for more than the contract, the SDK's error says what to pass. The errors are the
// ones OpenClaw 2026.9.6 and 2026.1.30 really sent (fixtures/openclaw-recordings).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createPresenceClient, GatewayError, mapOpenClawError, type OpenClawError } from "../../../src/index.js";
import { startScriptedGateway } from "../scripted-gateway.js";

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

  it("a method hello-ok does not list gets no operator.admin advice: OpenClaw asks admin for any method it does not know", async () => {
    // 2026.9.6 answers an operator.read/write connection's `presence.resync` (or any unknown method) with
    // FORBIDDEN "missing scope: operator.admin", and an admin's with "unknown method": adding the
    // scope, as the hint for system-event says, does not help there.
    const sent = { code: "FORBIDDEN", message: "missing scope: operator.admin", details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] } };
    const listed = ["system-presence", "system-event", "system.info"];
    const unlisted = new GatewayError(mapOpenClawError(sent), "presence.resync", { listedMethods: listed });
    expect(unlisted.message).toBe(
      'presence.resync: FORBIDDEN: missing scope: operator.admin (presence.resync is not among the methods this gateway lists in hello-ok (features.methods): it may not have it at all (OpenClaw asks operator.admin for any method it does not know, and answers "unknown method" to an admin))',
    );
    expect(new GatewayError(mapOpenClawError(sent), "system-event", { listedMethods: listed }).message).toContain('connect with scopes: ["operator.read", "operator.write", "operator.admin"]');

    // Through the client, over a real socket: the client passes the open connection's hello-ok methods.
    const gw = await startScriptedGateway();
    const forbidden = { error: { code: -32003, message: "missing scope: operator.admin", data: { code: "FORBIDDEN", missingScope: "operator.admin" } } };
    gw.handlers["presence.resync"] = () => forbidden;
    gw.handlers["system-event"] = () => forbidden;
    const client = createPresenceClient({ url: gw.url, client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" }, presenceDelta: false });
    try {
      const hello = await client.connect();
      expect(hello.features.methods).not.toContain("presence.resync");
      const resync = (await client.presenceResync().catch((e: GatewayError) => e)) as GatewayError;
      expect(resync.message).toMatch(/^presence\.resync: FORBIDDEN: missing scope: operator\.admin \(presence\.resync is not among the methods this gateway lists in hello-ok/);
      expect(resync.message).not.toContain("connect with scopes");
      const beacon = (await client.systemEvent({ reason: "periodic" }).catch((e: GatewayError) => e)) as GatewayError;
      expect(beacon.message).toContain("the gateway wants operator.admin for system-event, more than SPEC H7 asks");
    } finally {
      await client.close();
      await gw.close();
    }
  });
});
