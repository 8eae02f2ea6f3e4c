/**
 * Emits schemas/scenario.schema.json (the fixture format of the conformance harness) from the
 * declarations in src/conformance/scenario/ (scenario.ts and the step files it imports).
 */
import { createGenerator, schemaId, sortKeys, type JsonSchema } from "./schemas.js";

type Definitions = Record<string, JsonSchema>;

export function buildScenarioSchema(root: string): JsonSchema {
  const generator = createGenerator(root, "src/conformance/scenario/scenario.ts");
  const body = generator.getSchemaForSymbol("Scenario") as JsonSchema & { definitions: Definitions };
  mergeAliasCopies(body);
  discriminateSteps(body.definitions);
  return sortKeys(splitUnionTypes({
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: schemaId("scenario"),
    title: "Scenario",
    ...body,
  })) as JsonSchema;
}

/** `type: ["string", "number"]` -> `anyOf`, so ajv's strict mode accepts the schema without allowUnionTypes. */
function splitUnionTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(splitUnionTypes);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = splitUnionTypes(inner);
  if (Array.isArray(out.type)) {
    out.anyOf = (out.type as string[]).map((type) => ({ type }));
    delete out.type;
  }
  return out;
}

/**
 * typescript-json-schema emits `Level_1`, `Expectation_1`, ... when a property that refers to a type
 * has its own description. Point those refs at the original and drop the copies.
 */
function mergeAliasCopies(schema: JsonSchema & { definitions: Definitions }): void {
  const defs = schema.definitions;
  const renamed = new Map<string, string>();
  for (const name of Object.keys(defs)) {
    const original = /^(.+)_\d+$/.exec(name)?.[1];
    if (original === undefined || defs[original] === undefined) continue;
    // Either may be the real one: the other is then a bare `$ref` wrapper around it.
    if (defs[original].$ref === `#/definitions/${name}`) defs[original] = { ...defs[name], description: defs[original].description ?? defs[name].description };
    renamed.set(`#/definitions/${name}`, `#/definitions/${original}`);
    delete defs[name];
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = key === "$ref" && typeof inner === "string" ? (renamed.get(inner) ?? inner) : rewrite(inner);
    }
    return out;
  };
  Object.assign(schema, rewrite(schema));
}

/**
 * A plain `anyOf` of step shapes makes ajv report every branch's errors. Select the branch by the
 * `step` field instead, so a bad fixture gets the errors of its own step kind only.
 */
function discriminateSteps(defs: Definitions): void {
  const union = defs.Step as { anyOf?: { $ref: string }[] };
  if (!union.anyOf) throw new Error("scenario schema: Step is expected to be a union");
  const kinds = union.anyOf.map(({ $ref }) => {
    const def = defs[$ref.replace("#/definitions/", "")] as { properties: { step: { const: string } } };
    return { kind: def.properties.step.const, $ref };
  });
  defs.Step = {
    description: "One step; `step` selects its kind.",
    type: "object",
    required: ["step"],
    properties: { step: { type: "string", enum: kinds.map((k) => k.kind) } },
    allOf: kinds.map(({ kind, $ref }) => ({
      if: { type: "object", required: ["step"], properties: { step: { const: kind } } },
      then: { $ref },
    })),
  };
}
