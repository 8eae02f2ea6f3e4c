import { readdirSync, readFileSync } from "node:fs";
import Ajv from "ajv";
import jsonSchemaMeta from "@json-schema-tools/meta-schema";
import metaSchema from "@open-rpc/meta-schema";
import { describe, expect, it } from "vitest";
import { SCHEMA_TYPES } from "../../src/protocol/index.js";

const schemasDir = new URL("../../schemas/", import.meta.url);
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, schemasDir), "utf8")) as Record<string, unknown>;
const contractSchemas = readdirSync(schemasDir).filter((f) => f.endsWith(".schema.json") && f !== "scenario.schema.json");

describe("published schemas", () => {
  it("has one schema per protocol declaration, each with its own $id", () => {
    expect(contractSchemas.sort()).toEqual(SCHEMA_TYPES.map((n) => `${n}.schema.json`).sort());
    const ids = contractSchemas.map((f) => readJson(f).$id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^https:\/\/.+\.schema\.json$/);
  });

  it.each(contractSchemas)("%s compiles under ajv strict mode", (file) => {
    const ajv = new Ajv.default({ strict: true, allErrors: true });
    expect(() => ajv.compile(readJson(file))).not.toThrow();
  });

  it("closes connect.client, PresenceEntry and SystemEventParams", () => {
    const connect = readJson("ConnectParams.schema.json") as { definitions: Record<string, { additionalProperties?: boolean }> };
    expect(connect.definitions.ClientInfo.additionalProperties).toBe(false);
    expect(readJson("PresenceEntry.schema.json").additionalProperties).toBe(false);
    expect(readJson("SystemEventParams.schema.json").additionalProperties).toBe(false);
  });
});

describe("schemas/openrpc.json", () => {
  const doc = readJson("openrpc.json") as {
    methods: { name: string; result?: unknown; "x-notification"?: boolean }[];
    components: { errors: Record<string, { code: number; data: { code: string } }> };
  };

  it("validates against the OpenRPC meta-schema", () => {
    // The meta-schema declares its own "$schema" (a draft-07 dialect ajv does not ship), so it is not itself checked.
    const ajv = new Ajv.default({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    ajv.addSchema(jsonSchemaMeta as object, "https://meta.json-schema.tools");
    const validateDoc = ajv.compile(metaSchema as object);
    const ok = validateDoc(doc);
    expect(validateDoc.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const broken = { ...doc, methods: [{ name: "no-params" }] };
    expect(validateDoc(broken)).toBe(false);
  });

  it("describes the four methods, the test clock, and the presence, presence.delta and tick notifications", () => {
    const calls = doc.methods.filter((m) => !m["x-notification"]).map((m) => m.name);
    const notifications = doc.methods.filter((m) => m["x-notification"]);
    expect(calls).toEqual(["connect", "system-event", "system-presence", "presence.resync", "test.clock.advance"]);
    expect(notifications.map((m) => m.name)).toEqual(["presence", "presence.delta", "tick"]);
    for (const n of notifications) expect(n.result).toBeUndefined();
  });

  it("carries the error table of SPEC §10", () => {
    const table = Object.fromEntries(Object.entries(doc.components.errors).map(([name, e]) => [name, e.code]));
    expect(table).toEqual({
      PARSE_ERROR: -32700,
      INVALID_REQUEST: -32600,
      METHOD_NOT_FOUND: -32601,
      INVALID_PARAMS: -32602,
      INTERNAL_ERROR: -32603,
      NOT_CONNECTED: -32000,
      PROTOCOL_MISMATCH: -32001,
      UNAUTHORIZED: -32002,
      FORBIDDEN: -32003,
      RATE_LIMITED: -32004,
      ALREADY_CONNECTED: -32005,
      PAYLOAD_TOO_LARGE: -32006,
    });
    for (const [name, e] of Object.entries(doc.components.errors)) expect(e.data.code).toBe(name);
  });
});
