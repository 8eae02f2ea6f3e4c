// Conformance harness entry: `import { runConformance } from "gateway-presence/conformance"`.
export { runConformance, prepareRun, selectScenarios, type ConformanceOptions, type PreparedRun } from "./runner.js";
export { loadScenarios, checkScenario, scenarioValidator, BUILTIN_FIXTURES_DIR, SCENARIO_SCHEMA_PATH, FixtureError, type LoadedScenario } from "./fixtures.js";
export { applyBaseline, parseBaseline, failuresOf, formatBaseline } from "./baseline.js";
export { ALL_CAPABILITIES, detectCapabilities, type Capabilities } from "./capabilities.js";
export { match, matches, type Mismatch } from "./matchers.js";
export { RULES, type RuleInfo } from "./rules.js";
export { formatReport, formatJson, formatJUnit, formatHtml, formatSummary, progressPrinter, REPORTERS, type ReporterName } from "./reporters/index.js";
export type * from "./results.js";
export type * from "./scenario.js";
export type { WireRecord } from "./wire.js";
