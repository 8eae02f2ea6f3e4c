/**
 * The generated validators collect at most MAX_ERRORS errors (scripts/gen/validators.ts capErrors):
 * the verdict must be ajv's own for every value, and the errors kept the first ones ajv reports, in
 * its order; validate() then lists them and says that more were not listed.
 */
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ERRORS, VALIDATORS, type SchemaName } from "../../src/generated/validate.js";
import { validate } from "../../src/validation/index.js";

const schemasDir = new URL("../../schemas/", import.meta.url);
const reference = new Ajv.default({ strict: false, allErrors: true });
for (const name of Object.keys(VALIDATORS)) reference.addSchema(JSON.parse(readFileSync(new URL(`${name}.schema.json`, schemasDir), "utf8")) as object, name);

/** Values with few or very many errors: arrays of wrong items, many unknown keys, nested lists. */
const wrong = fc.oneof(fc.integer(), fc.constant(""), fc.constant(null), fc.constant(" "), fc.string({ maxLength: 3 }), fc.constant({}));
const bulk = (min: number) => fc.array(wrong, { minLength: min, maxLength: 400 });
const row = fc.record({ ts: fc.oneof(fc.nat(), wrong), roles: bulk(0), host: wrong }, { requiredKeys: [] });
const cases: Array<[SchemaName, fc.Arbitrary<unknown>]> = [
  ["SystemEventParams", fc.record({ roles: bulk(0), scopes: bulk(0), text: wrong, lastInputSeconds: fc.oneof(fc.integer(), wrong) }, { requiredKeys: [] })],
  ["SystemEventParams", fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), wrong, { maxKeys: 200 })],
  ["ConnectParams", fc.record({ minProtocol: wrong, client: fc.dictionary(fc.string({ maxLength: 4 }), wrong, { maxKeys: 120 }), scopes: bulk(0), caps: bulk(0) }, { requiredKeys: [] })],
  ["SystemPresenceResult", fc.array(row, { maxLength: 80 })],
  ["PresenceEvent", fc.record({ presence: fc.array(row, { maxLength: 80 }), stateVersion: fc.record({ presence: wrong }) })],
];

describe("generated validators with an error cap", () => {
  it.each(cases)("%s: ajv's verdict, and a prefix of ajv's errors at least MAX_ERRORS long (or all of them)", (name, values) => {
    const own = reference.getSchema(name)!;
    fc.assert(
      fc.property(values, (value) => {
        const capped = VALIDATORS[name];
        const verdict = capped(value);
        expect(verdict).toBe(own(value));
        if (verdict) return;
        const all = own.errors ?? [];
        const kept = capped.errors ?? [];
        expect(kept.length).toBeGreaterThanOrEqual(Math.min(all.length, MAX_ERRORS));
        expect(kept.length).toBeLessThanOrEqual(2 * MAX_ERRORS);
        expect(kept).toEqual(all.slice(0, kept.length));
      }),
      { numRuns: 300 },
    );
  });

  it("validate() lists at most MAX_ERRORS problems and then says more were not listed; a few problems are listed as they are", () => {
    const many = validate("SystemEventParams", { roles: Array(100_000).fill(0) });
    expect(many.ok).toBe(false);
    if (many.ok) return;
    expect(many.issues).toHaveLength(MAX_ERRORS + 1);
    expect(many.issues[0]).toMatchObject({ path: "/roles", keyword: "maxItems" });
    expect(many.issues[1]).toMatchObject({ path: "/roles/0", keyword: "type" });
    expect(many.issues.at(-1)).toEqual({ path: "", message: `has more problems, not listed (at most ${MAX_ERRORS} are)`, keyword: "maxErrors" });
    const few = validate("SystemEventParams", { roles: [1, 2], nope: true });
    expect(few.ok || few.issues.map((i) => i.path)).toEqual(["/nope", "/roles/0", "/roles/1"]);
  });
});
