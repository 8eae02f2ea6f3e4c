import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { BUILTIN_FIXTURES_DIR, checkScenario, FixtureError, loadScenarios, SCENARIO_SCHEMA_PATH } from "../../src/conformance/scenario/fixtures.js";
import { RULES } from "../../src/conformance/scenario/rules.js";
import type { Scenario } from "../../src/conformance/scenario/scenario.js";

const files = readdirSync(BUILTIN_FIXTURES_DIR).filter((f) => f.endsWith(".json"));
const scenarios = loadScenarios();

describe("schemas/scenario.schema.json", () => {
  it("compiles under ajv strict mode", () => {
    const ajv = new Ajv.default({ strict: true, allErrors: true });
    expect(() => ajv.compile(JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, "utf8")) as object)).not.toThrow();
  });

  it.each(files)("%s validates, and its id is its file name", (file) => {
    const value = JSON.parse(readFileSync(join(BUILTIN_FIXTURES_DIR, file), "utf8")) as Scenario;
    expect(checkScenario(value, file).id).toBe(file.replace(/\.json$/, ""));
  });

  const valid = JSON.parse(readFileSync(join(BUILTIN_FIXTURES_DIR, "k1-case-merge.json"), "utf8")) as Scenario;
  const broken: [string, unknown, RegExp][] = [
    ["an unknown step kind", { ...valid, steps: [{ step: "teleport", actor: "mixed" }] }, /\/steps\/0\/step must be equal to one of the allowed values/],
    ["a field its step kind does not have", { ...valid, steps: [{ step: "connect", actor: "mixed", withinMs: 5 }] }, /\/steps\/0\/withinMs is not allowed/],
    ["a missing required field", { ...valid, steps: [{ step: "expectEvent", actor: "mixed", event: "presence" }] }, /\/steps\/0\/withinMs is required \(missing\)/],
    ["an unknown rule id", { ...valid, rules: ["K9"] }, /\/rules\/0 must be equal to one of the allowed values/],
    ["an unknown capability", { ...valid, requires: ["teleport"] }, /\/requires\/0/],
    ["a bad level", { ...valid, level: "MAY" }, /\/level/],
    ["an undeclared actor", { ...valid, steps: [{ step: "connect", actor: "ghost" }] }, /actor "ghost", which is not declared/],
  ];
  it.each(broken)("rejects %s, naming the path", (_what, value, message) => {
    expect(() => checkScenario(value, "broken.json")).toThrow(FixtureError);
    expect(() => checkScenario(value, "broken.json")).toThrow(message);
  });
});

describe("the built-in scenarios", () => {
  it("cover every MUST and SHOULD rule of SPEC.md", () => {
    const covered = new Set(scenarios.flatMap(({ scenario }) => scenario.rules));
    // W1 and W2 (SPEC §11) are checked on every frame every scenario receives (checks/wire-format.ts).
    const wireRules = RULES.filter((r) => r.level !== "consumer" && r.id !== "W1" && r.id !== "W2").map((r) => r.id);
    expect(wireRules.filter((id) => !covered.has(id))).toEqual([]);
  });

  it("cite no consumer rule (C1, D6 bind clients: a gateway is never reported as passing one)", () => {
    const consumer = new Set(RULES.filter((r) => r.level === "consumer").map((r) => r.id));
    expect([...consumer].sort()).toEqual(["C1", "D6"]);
    const citing = scenarios.flatMap(({ scenario }) =>
      [...scenario.rules, ...scenario.steps.flatMap((step) => step.rules ?? [])].filter((id) => consumer.has(id)).map((id) => `${scenario.id}: ${id}`),
    );
    expect(citing).toEqual([]);
  });

  it("include the scenarios the design names", () => {
    const ids = scenarios.map(({ scenario }) => scenario.id);
    for (const id of [
      "k1-reconnect-without-instanceid",
      "p5-tunneled-reconnect-keeps-ip",
      "p3-cli-never-listed",
      "k1-case-merge",
      "k2-beacon-merges-into-connection-row",
      "p4-node-role",
      "p1-self-row",
      "p6-disconnect-keeps-row",
      "s1-ttl-expiry",
      "s2-cap-199-200-201",
      "e1-events-on-change",
      "h3-protocol-mismatch",
      "b1-malformed-frames",
      "b2-rate-limit",
    ]) {
      expect(ids).toContain(id);
    }
  });

  it("give every actor a run-unique identity, so scenarios only look at their own rows", () => {
    for (const { scenario, source } of scenarios) {
      for (const [name, actor] of Object.entries(scenario.actors)) {
        const client = actor.client ?? {};
        const ids = [client.instanceId, client.displayName].filter((v) => typeof v === "string") as string[];
        const unique = ids.some((v) => v.includes("${run}")) || client.mode === "cli" || ids.length === 0 || /gen\./.test(ids.join());
        expect(unique, `${source}: actor ${name}`).toBe(true);
      }
    }
  });
});

describe("loadScenarios", () => {
  const dir = mkdtempSync(join(tmpdir(), "conformance-fixtures-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the file of a fixture that is not JSON or reuses an id", () => {
    writeFileSync(join(dir, "bad.json"), "{ nope");
    expect(() => loadScenarios([dir])).toThrow(/bad\.json: not JSON/);
    rmSync(join(dir, "bad.json"));
    const one = readFileSync(join(BUILTIN_FIXTURES_DIR, "p1-self-row.json"), "utf8");
    writeFileSync(join(dir, "a.json"), one);
    writeFileSync(join(dir, "b.json"), one);
    expect(() => loadScenarios([dir])).toThrow(/b\.json: scenario id "p1-self-row" is also used by .*a\.json/);
  });
});
