// What a caller handling a GatewayError needs, typed: `issues` (data.errors of INVALID_PARAMS),
// `missingScope` (FORBIDDEN), the same over both bindings, from the reference gateway on loopback.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createPresenceClient, GatewayError, REFUSALS_FOR_A_PERSON, type PresenceClient, type ValidationIssue } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";

describe("GatewayError's typed fields, over both bindings", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await createGateway({
      token: "error-fields-token",
      listeners: [
        { binding: "jsonrpc", port: 0 },
        { binding: "openclaw", port: 0 },
      ],
    });
  });
  afterAll(() => gw.close());

  for (const binding of ["jsonrpc", "openclaw"] as const) {
    const open = async (scopes?: string[]): Promise<PresenceClient> => {
      const client = createPresenceClient({
        url: gw.listeners.find((l) => l.binding === binding)!.url,
        binding,
        token: "error-fields-token",
        client: { id: "desk-app", version: "1.0.0", platform: "linux", mode: "ui" },
        ...(scopes ? { scopes } : {}),
      });
      await client.connect();
      return client;
    };

    it(`${binding}: INVALID_PARAMS lists what failed in issues`, async () => {
      const client = await open();
      try {
        const error = await client.systemEvent({ reason: 5 as unknown as string, lastInputSeconds: -1 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GatewayError);
        const gatewayError = error as GatewayError;
        expect(gatewayError.code).toBe("INVALID_PARAMS");
        expectTypeOf(gatewayError.issues).toEqualTypeOf<ValidationIssue[] | undefined>();
        expect(gatewayError.issues?.map((i) => i.path).sort()).toEqual(["/lastInputSeconds", "/reason"]);
        expect(gatewayError.issues?.every((i) => typeof i.message === "string" && i.message.length > 0)).toBe(true);
        expect(gatewayError.missingScope).toBeUndefined();
        expect(gatewayError.retryAfterMs).toBeUndefined();
      } finally {
        await client.close();
      }
    });

    it(`${binding}: FORBIDDEN names the scope in missingScope`, async () => {
      const client = await open(["operator.read"]);
      try {
        const error = (await client.systemEvent({ reason: "periodic" }).catch((e: unknown) => e)) as GatewayError;
        expect(error).toBeInstanceOf(GatewayError);
        expect(error.code).toBe("FORBIDDEN");
        expectTypeOf(error.missingScope).toEqualTypeOf<string | undefined>();
        expect(error.missingScope).toBe("operator.write");
        expect(error.issues).toBeUndefined();
      } finally {
        await client.close();
      }
    });
  }

  it("fields of another type read as undefined, items that are not issues are left out", () => {
    const error = new GatewayError({
      name: "INVALID_PARAMS",
      code: -32602,
      message: "bad",
      data: { code: "INVALID_PARAMS", errors: [{ path: "/a", message: "m" }, "nope", { path: 1 }, null], missingScope: 7, retryAfterMs: "1" },
    });
    expect(error.issues).toEqual([{ path: "/a", message: "m" }]);
    expect(error.missingScope).toBeUndefined();
    expect(error.retryAfterMs).toBeUndefined();
    expect(new GatewayError({ name: "INVALID_PARAMS", message: "bad", data: { errors: "x" } }).issues).toBeUndefined();
  });

  it("REFUSALS_FOR_A_PERSON[status] is typed string | undefined: a status without an entry (500) is no string", () => {
    expectTypeOf(REFUSALS_FOR_A_PERSON[500]).toEqualTypeOf<string | undefined>();
    expect(REFUSALS_FOR_A_PERSON[500]).toBeUndefined();
    expect(REFUSALS_FOR_A_PERSON[403]).toMatch(/^credentials or origin refused/);
  });
});
