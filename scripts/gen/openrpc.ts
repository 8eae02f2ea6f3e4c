/** Builds schemas/openrpc.json from the method table (src/protocol/methods.ts) and the schemas. */
import { ERROR_CODES, ERROR_DESCRIPTIONS, type ErrorName } from "../../src/protocol/errors.js";
import { EVENTS, METHODS } from "../../src/protocol/methods.js";
import { sortKeys, type JsonSchema } from "./schemas.js";


/** Moves every schema's `definitions` into components, rewriting `#/definitions/X` refs. */
function toComponents(schemas: Map<string, JsonSchema>): Record<string, JsonSchema> {
  const components: Record<string, JsonSchema> = {};
  for (const [name, schema] of schemas) {
    const { $schema: _s, $id: _i, definitions, ...body } = schema as JsonSchema & { definitions?: Record<string, JsonSchema> };
    components[name] = rewriteRefs(body) as JsonSchema;
    for (const [defName, def] of Object.entries(definitions ?? {})) components[defName] = rewriteRefs(def) as JsonSchema;
  }
  return components;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === "$ref" && typeof inner === "string" ? inner.replace("#/definitions/", "#/components/schemas/") : rewriteRefs(inner);
  }
  return out;
}

function errorRef(name: ErrorName) {
  return { $ref: `#/components/errors/${name}` };
}

/** The params object's top-level properties become by-name content descriptors. */
function paramDescriptors(schema: JsonSchema) {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.keys(properties).sort().map((name) => ({
    name,
    required: required.has(name),
    schema: rewriteRefs(properties[name]) as JsonSchema,
  }));
}

export function buildOpenRpc(schemas: Map<string, JsonSchema>, version: string): unknown {
  const methods = [
    ...METHODS.map((m) => ({
      name: m.name,
      summary: m.summary,
      description: `SPEC rules: ${m.rules.join(", ")}.${m.testOnly ? " Present only on a gateway started in test mode." : ""}`,
      paramStructure: "by-name",
      params: paramDescriptors(schemas.get(m.params)!),
      result: { name: m.result, schema: { $ref: `#/components/schemas/${m.result}` } },
      errors: m.errors.map(errorRef),
      "x-rules": m.rules,
      ...(m.testOnly ? { "x-test-only": true } : {}),
    })),
    ...EVENTS.map((e) => ({
      name: e.name,
      summary: e.summary,
      description: `Server-to-client JSON-RPC notification (no id, no result). SPEC rules: ${e.rules.join(", ")}.`,
      paramStructure: "by-name",
      params: paramDescriptors(schemas.get(e.payload)!),
      "x-notification": true,
      "x-rules": e.rules,
    })),
  ];
  const errors: Record<string, unknown> = {};
  for (const name of Object.keys(ERROR_CODES) as ErrorName[]) {
    errors[name] = {
      code: ERROR_CODES[name],
      message: name,
      data: { description: ERROR_DESCRIPTIONS[name], code: name },
    };
  }
  return sortKeys({
    openrpc: "1.3.2",
    info: {
      title: "Gateway presence protocol (jsonrpc binding)",
      version,
      description:
        "Who is connected to a gateway, as OpenClaw's gateway keeps it. Every error's data.code carries the error name. The contract is SPEC.md; rule ids are cited per method.",
    },
    methods,
    components: { schemas: toComponents(schemas), errors },
  });
}
