// The typed client methods' docstrings (generated into src/generated/client.ts) say what a caller
// must handle: each SPEC §10 error the OpenRPC document lists for the method, with when it comes and
// its data field, and the TransportError kinds. An editor shows them on hover.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_DESCRIPTIONS, type ErrorName } from "../../src/protocol/errors.js";

const root = new URL("../../", import.meta.url);
const client = readFileSync(new URL("src/generated/client.ts", root), "utf8");
const openrpc = JSON.parse(readFileSync(new URL("schemas/openrpc.json", root), "utf8")) as {
  methods: Array<{ name: string; "x-notification"?: boolean; "x-rules"?: string[]; errors?: Array<{ $ref: string }> }>;
};
const camel = (name: string) => name.replace(/[-.](\w)/g, (_m, c: string) => c.toUpperCase());

/** The docstring right above `name(` in the PresenceMethods interface. */
function docOf(name: string): string {
  const at = client.indexOf(`\n  ${name}(params`);
  expect(at, `${name} in src/generated/client.ts`).toBeGreaterThan(0);
  const start = client.lastIndexOf("/**", at);
  return client.slice(start, at);
}

describe("generated client method docs", () => {
  for (const method of openrpc.methods.filter((m) => !m["x-notification"])) {
    it(`${method.name}: SPEC rules, every error it can answer and when, the transport failures`, () => {
      const doc = docOf(camel(method.name));
      expect(doc).toContain(`SPEC rules: ${method["x-rules"]!.join(", ")}.`);
      const errors = (method.errors ?? []).map((e) => e.$ref.split("/").pop() as ErrorName);
      expect(errors.length).toBeGreaterThan(0);
      for (const name of errors) expect(doc).toContain(`- ${name}: ${ERROR_DESCRIPTIONS[name]}`);
      expect(doc).toContain("@throws {GatewayError}");
      expect(doc).toMatch(/@throws \{TransportError\} .*"timeout".*"closed".*"aborted"/);
    });
  }
  it("FORBIDDEN and INVALID_PARAMS name the data field a caller reads (GatewayError.missingScope, .issues)", () => {
    expect(ERROR_DESCRIPTIONS.FORBIDDEN).toContain("data.missingScope");
    expect(ERROR_DESCRIPTIONS.INVALID_PARAMS).toContain("data.errors");
  });
});
