// Conformance harness entry: `import { runConformance } from "gateway-presence/conformance"`.
export { runConformance, prepareRun, selectScenarios, scenariosForMode, SPEC_TTL_MS, type ConformanceOptions, type PreparedRun } from "./run/runner.js";
export { retryAfter, DEFAULT_WAIT_READY_MS, type ProbeOutcome } from "./run/probe.js";
export { SDK_OPTION_WORDS, type OptionWords } from "./run/option-words.js";
export { type GatewayNeeds } from "./run/adapt.js";
export { buildMatrix, type CellStatus, type ColumnInput, type Matrix, type MatrixCell, type MatrixColumn } from "./report/compare.js";
export { matrixHtml, matrixMarkdown, type MatrixLinks } from "./report/compare-format.js";
export { loadScenarios, checkScenario, scenarioValidator, BUILTIN_FIXTURES_DIR, SCENARIO_SCHEMA_PATH, FixtureError, type LoadedScenario } from "./scenario/fixtures.js";
export { applyBaseline, parseBaseline, failuresOf, formatBaseline } from "./report/baseline.js";
export { ALL_CAPABILITIES, detectCapabilities, type Capabilities } from "./run/capabilities.js";
export { match, matches, type Mismatch } from "./checks/matchers.js";
export { RULES, type RuleInfo } from "./scenario/rules.js";
export { formatReport, formatJson, formatJUnit, formatHtml, formatSummary, progressPrinter, REPORTERS, type ReporterName } from "./report/formats.js";
export type * from "./report/results.js";
export type * from "./scenario/scenario.js";
