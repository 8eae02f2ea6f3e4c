/**
 * Compiles every schema with ajv (strict mode) into standalone validation code, so browsers and
 * the gateway run validators without shipping the ajv compiler.
 */
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import type { JsonSchema } from "./schemas.js";

export function createStrictAjv(): Ajv.default {
  return new Ajv.default({
    strict: true,
    allErrors: true,
    code: { source: true, esm: true },
  });
}

export function buildStandaloneValidators(schemas: Map<string, JsonSchema>): string {
  const ajv = createStrictAjv();
  const exportsMap: Record<string, string> = {};
  for (const [name, schema] of schemas) {
    ajv.addSchema(withoutAnnotations(schema) as JsonSchema);
    exportsMap[name] = schema.$id as string;
  }
  const code = standaloneCode.default(ajv, exportsMap);
  return guardLengthCounts(hoistRuntimeRequires(code));
}

/**
 * ajv checks `minLength` / `maxLength` in code points, with a helper that walks the whole string,
 * twice per string (issue 11: a third of validating a beacon). A string of n UTF-16 units has
 * between ceil(n / 2) and n code points, so `.length` alone settles almost every check: more than
 * N code points needs more than N units, fewer than N code points needs fewer than 2N units. Each
 * call is guarded with that test and only runs when it cannot decide: the verdict is the same for
 * every string (test/validation/length-guard.test.ts).
 */
function guardLengthCounts(code: string): string {
  const local = /import (\w+)_module from "ajv\/dist\/runtime\/ucs2length\.js";/.exec(code)?.[1];
  if (local === undefined) return code;
  return code
    .replace(new RegExp(`\\b${local}\\((\\w+)\\) > (\\d+)`, "g"), (_m, v: string, n: string) => `(${v}.length > ${n} && ${local}(${v}) > ${n})`)
    .replace(new RegExp(`\\b${local}\\((\\w+)\\) < (\\d+)`, "g"), (_m, v: string, n: string) => `(${v}.length < ${2 * Number(n)} && ${local}(${v}) < ${n})`);
}

/**
 * ajv's "esm" output still calls require() for its runtime helpers (string length in code
 * points, ...). Turn each into an ESM import, with the file extension Node's loader needs.
 */
function hoistRuntimeRequires(code: string): string {
  const imports: string[] = [];
  const body = code
    .replace(/^"use strict";/, "")
    .replace(/const (\w+) = require\("ajv\/dist\/runtime\/([\w]+)"\)\.default;/g, (_m, local: string, mod: string) => {
      imports.push(`import ${local}_module from "ajv/dist/runtime/${mod}.js";`);
      return `const ${local} = ${local}_module.default ?? ${local}_module;`;
    });
  if (/require\(/.test(body)) throw new Error("ajv standalone output has a require() this generator does not handle");
  return `${imports.join("\n")}\n${body}\n`;
}

/** Titles and descriptions do not affect validation; leaving them out keeps the validators small. */
function withoutAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAnnotations);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "description" || key === "title") continue;
    out[key] = key === "properties" || key === "definitions" ? mapValues(inner as Record<string, unknown>) : withoutAnnotations(inner);
  }
  return out;
}

function mapValues(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record)) out[key] = withoutAnnotations(inner);
  return out;
}
