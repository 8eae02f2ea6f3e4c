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
  return capErrors(guardLengthCounts(hoistRuntimeRequires(code)));
}

/**
 * Most errors a generated validator collects (src/generated/validate.ts exports it as MAX_ERRORS).
 * With `allErrors`, ajv builds one error object per failing value: a 400 KB frame holding an array
 * of 200,000 numbers where strings belong cost 120 ms and an answer of 20 MB listing each one
 * (docs/security.md, "Bad input, answered in proportion"). Past the cap a validator still counts
 * errors (its verdict is unchanged) but builds no more of them.
 */
export const MAX_ERRORS = 50;

/**
 * Caps what a validator collects at `errorLimit.max` (MAX_ERRORS unless a caller lifts it; and one
 * sub-validator's worth more): every error
 * object is built only while fewer than that were counted. The `errors` counter still counts every
 * failure, so `errors === 0`, the verdict, is unchanged; the errors kept are the first ones ajv
 * would report, in its order (test/validation/error-cap.test.ts compares with ajv's own compile).
 * Sound only while the code compares `errors` with nothing but 0 (no anyOf/oneOf/not/if, which
 * save and restore error counts): checked here, so a schema or ajv change that adds such
 * comparisons stops the generator instead of silently changing verdicts.
 */
function capErrors(code: string): string {
  if (/_errs\d*\b|vErrors\.length = /.test(code)) {
    throw new Error("ajv standalone output compares error counts (anyOf/oneOf/not/if?): capErrors cannot cap it safely");
  }
  let pushes = 0;
  let calls = 0;
  const capped = code
    .replace(/const (err\d+) = (\{.*?\});if\(vErrors === null\)\{vErrors = \[\1\];\}else \{vErrors\.push\(\1\);\}errors\+\+;/g, (_m, name: string, literal: string) => {
      pushes++;
      return `if(errors < errorLimit.max){const ${name} = ${literal};if(vErrors === null){vErrors = [${name}];}else {vErrors.push(${name});}}errors++;`;
    })
    .replace(/vErrors = vErrors === null \? (\w+)\.errors : vErrors\.concat\(\1\.errors\);errors = vErrors\.length;/g, (_m, sub: string) => {
      calls++;
      return `if(errors < errorLimit.max){vErrors = vErrors === null ? ${sub}.errors : vErrors.concat(${sub}.errors);}errors += ${sub}.errors.length;`;
    });
  const built = (capped.match(/const err\d+ = \{/g) ?? []).length;
  const merged = (capped.match(/\.errors\);/g) ?? []).length;
  if (pushes !== built || calls !== merged || /errors = vErrors\.length/.test(capped)) {
    throw new Error(`ajv standalone output changed shape: capped ${pushes} of ${built} errors and ${calls} of ${merged} merges`);
  }
  // The cap is read at run time, so a caller that must see every problem (the conformance
  // harness's wire-format check, SPEC §11) can lift it for one synchronous call (validation/validate.ts).
  const limit = `/** Most errors a validator builds (validation/validate.ts lifts it for one call with allErrors). */\nexport const errorLimit = { max: ${MAX_ERRORS} };\n`;
  return capped.replace(/^((?:import .*\n)*)/, (imports: string) => imports + limit);
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
