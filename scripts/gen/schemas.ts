/** Emits one JSON Schema per protocol declaration, from src/protocol with typescript-json-schema. */
import { resolve } from "node:path";
import * as TJS from "typescript-json-schema";
import { SCHEMA_TYPES } from "../../src/protocol/methods.js";

export type JsonSchema = Record<string, unknown>;

export const SCHEMA_ID_BASE = "https://gateway-presence.dev/schemas/";

export function schemaId(name: string): string {
  return `${SCHEMA_ID_BASE}${name}.schema.json`;
}

/** A typescript-json-schema generator over the declarations reachable from one entry file. */
export function createGenerator(root: string, entry: string): TJS.JsonSchemaGenerator {
  const program = TJS.getProgramFromFiles([resolve(root, entry)], {
    strict: true,
    strictNullChecks: true,
    skipLibCheck: true,
  });
  const generator = TJS.buildGenerator(program, {
    required: true,
    ref: true,
    aliasRef: true,
    topRef: false,
    strictNullChecks: true,
    ignoreErrors: false,
  });
  if (!generator) throw new Error(`typescript-json-schema could not read ${entry}`);
  return generator;
}

export function buildSchemas(root: string): Map<string, JsonSchema> {
  const generator = createGenerator(root, "src/protocol/index.ts");
  const out = new Map<string, JsonSchema>();
  const nonEmptyString = generator.getSchemaForSymbol("NonEmptyString") as JsonSchema;
  delete nonEmptyString.$schema;
  for (const name of SCHEMA_TYPES) {
    const body = constrainStringItems(generator.getSchemaForSymbol(name) as JsonSchema, nonEmptyString);
    out.set(name, sortKeys({
      $schema: "http://json-schema.org/draft-07/schema#",
      $id: schemaId(name),
      title: name,
      ...body,
    }) as JsonSchema);
  }
  return out;
}

/**
 * typescript-json-schema drops the annotations of an alias used as an array item type
 * (`roles?: NonEmptyString[]` comes out as `items: {type: "string"}`). Every string array of the
 * contract holds non-empty, capped strings (SPEC B3), so plain string items get NonEmptyString's rules.
 */
function constrainStringItems(value: JsonSchema, nonEmptyString: JsonSchema): JsonSchema {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(node)) {
      const plainString = key === "items" && JSON.stringify(inner) === '{"type":"string"}';
      out[key] = plainString ? { ...nonEmptyString } : visit(inner);
    }
    return out;
  };
  return visit(value) as JsonSchema;
}

/** Recursively sorts object keys (schema keywords first for readability) so output is deterministic. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const first = ["$schema", "$id", "title", "description", "type"];
  const keys = Object.keys(value).sort((a, b) => {
    const ia = first.indexOf(a);
    const ib = first.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const sorted: Record<string, unknown> = {};
  for (const key of keys) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
