// Conformance harness entry: `import { runConformance } from "gateway-presence/conformance"`.
export { runConformance, prepareRun, selectScenarios, type ConformanceOptions, type PreparedRun } from "./run/runner.js";
export { loadScenarios, checkScenario, scenarioValidator, BUILTIN_FIXTURES_DIR, SCENARIO_SCHEMA_PATH, FixtureError, type LoadedScenario } from "./scenario/fixtures.js";
export { applyBaseline, parseBaseline, failuresOf, formatBaseline } from "./report/baseline.js";
export { ALL_CAPABILITIES, detectCapabilities, type Capabilities } from "./run/capabilities.js";
export { match, matches, type Mismatch } from "./checks/matchers.js";
export { RULES, type RuleInfo } from "./scenario/rules.js";
export { formatReport, formatJson, formatJUnit, formatHtml, formatSummary, progressPrinter, REPORTERS, type ReporterName } from "./report/formats.js";
export type * from "./report/results.js";
export type * from "./scenario/scenario.js";
export type { WireRecord } from "./run/wire.js";
