/**
 * The generated validators guard ajv's code-point counts with `.length` tests
 * (scripts/gen/validators.ts guardLengthCounts): they must give the same verdict and the same
 * errors as the schemas compiled by ajv itself, for every string, astral characters and lone
 * surrogates included.
 */
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VALIDATORS } from "../../src/generated/validate.js";

const schemasDir = new URL("../../schemas/", import.meta.url);
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, schemasDir), "utf8")) as Record<string, unknown>;

function compiled(name: string) {
  const ajv = new Ajv.default({ strict: false, allErrors: true });
  return ajv.compile(readJson(`${name}.schema.json`));
}

// Strings of about 1, 128 and 256 code points (the limits), some of them two UTF-16 units long, or
// whitespace, or a lone surrogate; and short random ones.
const nearLimit = fc
  .record({
    points: fc.constantFrom(0, 1, 2, 126, 127, 128, 129, 130, 254, 255, 256, 257, 258, 300),
    astral: fc.nat(6),
    filler: fc.constantFrom("a", " ", "é", "\ud800"),
  })
  .map(({ points, astral, filler }) => "😀".repeat(Math.min(points, astral)) + filler.repeat(Math.max(0, points - astral)));
const unit = fc.oneof(fc.constantFrom("a", " ", "é", "😀", "\ud800", "\udc00", "\t"), fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)));
const text = fc.oneof(nearLimit, fc.array(unit, { maxLength: 6 }).map((parts) => parts.join("")));

describe("generated validators with length guards", () => {
  it.each(["SystemEventParams", "ClientInfo"] as const)("%s: same verdict and errors as ajv's own compile", (name) => {
    const reference = compiled(name);
    const generated = VALIDATORS[name];
    const field = name === "SystemEventParams" ? "host" : "instanceId";
    const base: Record<string, unknown> = name === "ClientInfo" ? { id: "x", mode: "ui", platform: "linux", version: "1" } : {};
    fc.assert(
      fc.property(text, text, (value, other) => {
        const data = { ...base, [field]: value, ...(name === "SystemEventParams" ? { text: other } : { displayName: other }) };
        expect(generated(data)).toBe(reference(data));
        expect(generated.errors ?? null).toEqual(reference.errors ?? null);
      }),
      { numRuns: 1000 },
    );
  });
});
