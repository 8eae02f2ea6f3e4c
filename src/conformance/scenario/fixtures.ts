/** Loading scenario fixtures (JSON files) and checking them against schemas/scenario.schema.json. Node only. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import { formatIssues, toIssues } from "../../validation/index.js";
import type { Scenario } from "./scenario.js";

const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The fixtures that ship with the package. */
export const BUILTIN_FIXTURES_DIR = join(packageRoot, "fixtures", "conformance");
export const SCENARIO_SCHEMA_PATH = join(packageRoot, "schemas", "scenario.schema.json");

export interface LoadedScenario {
  scenario: Scenario;
  /** The file it came from, relative to the working directory when inside it. */
  source: string;
}

let validator: ValidateFunction | undefined;

/** The strict ajv validator of the scenario schema. */
export function scenarioValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv.default({ strict: true, allErrors: true });
    validator = ajv.compile(JSON.parse(readFileSync(SCENARIO_SCHEMA_PATH, "utf8")) as object);
  }
  return validator;
}

export class FixtureError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "FixtureError";
  }
}

function jsonFiles(path: string): string[] {
  if (!existsSync(path)) throw new FixtureError("no such file or directory", path);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return jsonFiles(full);
      return entry.name.endsWith(".json") ? [full] : [];
    });
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}

/** Validates one parsed fixture; throws FixtureError naming the failing paths. */
export function checkScenario(value: unknown, file: string): Scenario {
  const validate = scenarioValidator();
  if (!validate(value)) throw new FixtureError(`not a valid scenario: ${formatIssues(toIssues(validate.errors ?? []))}`, file);
  const scenario = value as Scenario;
  const actors = new Set(Object.keys(scenario.actors));
  scenario.steps.forEach((step, i) => {
    if ("actor" in step && !actors.has(step.actor)) throw new FixtureError(`step ${i + 1} uses actor "${step.actor}", which is not declared`, file);
  });
  return scenario;
}

/** Reads every `.json` file under the given files or directories (default: the built-in fixtures). */
export function loadScenarios(paths: string[] = [BUILTIN_FIXTURES_DIR]): LoadedScenario[] {
  const loaded: LoadedScenario[] = [];
  const seen = new Map<string, string>();
  for (const file of paths.flatMap((p) => jsonFiles(resolvePath(p)))) {
    const source = displayPath(file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new FixtureError(`not JSON: ${(error as Error).message}`, source);
    }
    const scenario = checkScenario(parsed, source);
    const other = seen.get(scenario.id);
    if (other) throw new FixtureError(`scenario id "${scenario.id}" is also used by ${other}`, source);
    seen.set(scenario.id, source);
    loaded.push({ scenario, source });
  }
  return loaded;
}
