/**
 * fast-check arbitraries from the published JSON Schemas (schemas/*.schema.json), for the fuzzer:
 * values that validate, with strings of any Unicode (lone surrogates, RTL, NUL) and lengths up to
 * the caps. No fast-check library builds arbitraries from JSON Schema, and ours use a small subset
 * (object, string, integer, number, boolean, array, const, enum, $ref); any other keyword throws, so
 * a schema that grows a new feature is noticed here rather than fuzzed wrongly.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";

type Schema = { [keyword: string]: unknown };

/** Annotations that do not constrain values. */
const IGNORED = new Set(["$schema", "$id", "title", "description", "definitions", "examples", "default", "$comment"]);
const HANDLED = new Set(["type", "properties", "required", "additionalProperties", "minLength", "maxLength", "pattern", "minimum", "maximum", "items", "maxItems", "minItems", "const", "enum", "$ref"]);

export function loadSchema(name: string): Schema {
  return JSON.parse(readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), "utf8")) as Schema;
}

/** A string of `min..max` code points (any Unicode), with at least one non-space when `pattern` is `\S`. */
function stringArbitrary(s: Schema, path: string): fc.Arbitrary<string> {
  const min = (s.minLength as number | undefined) ?? 0;
  const max = Math.min((s.maxLength as number | undefined) ?? 64, 4096);
  if (s.pattern !== undefined && s.pattern !== "\\S") throw new Error(`schema-arbitrary: unsupported pattern ${String(s.pattern)} at ${path}`);
  const chars = fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: min, maxLength: Math.min(max, 24) }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: min, maxLength: Math.min(max, 24) }) },
    { weight: 1, arbitrary: fc.constantFrom("\u202eevil\u202c", "a\u0000b", "\ufeffbom", "\u200b", "👩‍💻", "\ud800", "Ω≈ç√", "   x   ") },
    // The cap itself: exactly `max` characters.
    { weight: 1, arbitrary: fc.constant("x".repeat(max)) },
  );
  return chars
    .map((text) => (text.length > max ? text.slice(0, max) : text))
    .map((text) => (s.pattern === "\\S" && !/\S/.test(text) ? `${text.slice(0, Math.max(0, max - 1))}x` : text))
    .map((text) => (text.length < min ? text.padEnd(min, "y") : text));
}

/** An arbitrary of the values `schema` accepts. */
export function arbitraryFor(schema: Schema, root: Schema = schema, path = "#"): fc.Arbitrary<unknown> {
  for (const keyword of Object.keys(schema)) {
    if (!IGNORED.has(keyword) && !HANDLED.has(keyword)) throw new Error(`schema-arbitrary: unsupported keyword ${keyword} at ${path}`);
  }
  if (typeof schema.$ref === "string") {
    const name = /^#\/definitions\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : (root.definitions as Record<string, Schema> | undefined)?.[name];
    if (!target) throw new Error(`schema-arbitrary: cannot resolve ${schema.$ref} at ${path}`);
    return arbitraryFor(target, root, `${path}/$ref`);
  }
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case "string":
      return stringArbitrary(schema, path);
    case "integer":
      return fc.integer({ min: Math.max((schema.minimum as number | undefined) ?? -(2 ** 31), -(2 ** 31)), max: Math.min((schema.maximum as number | undefined) ?? 2 ** 31 - 1, 2 ** 31 - 1) });
    case "number":
      return fc.double({ min: (schema.minimum as number | undefined) ?? -1e9, max: (schema.maximum as number | undefined) ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(arbitraryFor(schema.items as Schema, root, `${path}/items`), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 8, 8),
      });
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const record = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, arbitraryFor(s, root, `${path}/properties/${key}`)]));
      return fc.record(record, { requiredKeys: (schema.required as string[] | undefined) ?? [] });
    }
    default:
      throw new Error(`schema-arbitrary: unsupported type ${JSON.stringify(schema.type)} at ${path}`);
  }
}
