import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SchemaName } from "../../src/generated/validate.js";
import { validate } from "../../src/validation/index.js";

interface Example {
  name: string;
  schema: SchemaName;
  value: unknown;
  path?: string;
  keyword?: string;
}

const load = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/examples/${file}`, import.meta.url), "utf8")) as Example[];

describe("valid examples validate", () => {
  it.each(load("valid.json").map((e) => [e.name, e] as const))("%s", (_name, example) => {
    const result = validate(example.schema, example.value);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe("invalid examples are rejected with the failing path", () => {
  it.each(load("invalid.json").map((e) => [e.name, e] as const))("%s", (_name, example) => {
    const result = validate(example.schema, example.value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual(expect.objectContaining({ path: example.path, keyword: example.keyword }));
  });
});
