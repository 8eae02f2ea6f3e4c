/**
 * `gateway-presence fixture --from FILE.jsonl [--out fixtures/recorded/NAME.json]`: turns a
 * recording (ours or ../shared/recordings') into a replayable conformance scenario, checked against
 * schemas/scenario.schema.json before it is written; a missing --out folder is created (and said).
 * Exit 0 when written, 2 on a bad option, a --from that cannot be read or converted (as conform's
 * --fixtures and report compare's reports) or an --out that cannot be written (as conform's and
 * report compare's --out).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { Command } from "commander";
import { checkScenario } from "../../conformance/scenario/fixtures.js";
import { recordingToScenario } from "../../record/fixture.js";
import { parseRecording } from "../../record/recording.js";
import { exitCodes, usageError } from "../usage.js";

export function convertRecordingFile(from: string, name?: string): ReturnType<typeof recordingToScenario> {
  const lines = parseRecording(readFileSync(from, "utf8"));
  const scenario = recordingToScenario(lines, { name: name ?? basename(from).replace(/\.jsonl?$/, ""), source: basename(from) });
  return checkScenario(scenario, from);
}

/**
 * Writes `file`, creating its folder first when missing, as the README's `--out fixtures/recorded/NAME.json`
 * needs in a project that has no such folder yet. Returns the folder when it created it (and any
 * missing parents). Errors name the path that is in the way, not only Node's code.
 */
function writeCreatingFolder(file: string, text: string): string | undefined {
  const folder = dirname(file);
  let created: string | undefined;
  try {
    created = makeFolders(folder) ? folder : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const blocker = code === "EEXIST" || code === "ENOTDIR" ? ` (a file is in the way: ${fileOnPath(folder) ?? folder})` : "";
    throw new Error(`cannot create the folder ${folder}: ${code ?? (error as Error).message}${blocker}`);
  }
  try {
    writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === "EISDIR" ? "it is a folder" : (error as Error).message);
  }
  return created;
}

/**
 * Creates `folder` and its missing parents, top down, one mkdir each; true when it created any.
 * Not `mkdirSync(folder, { recursive: true })`: Node 20's loops forever when a parent exists but
 * refuses the child with ENOENT (`--out /proc/x/NAME.json` hung the command); one by one, that
 * ENOENT is the error it is.
 */
function makeFolders(folder: string): boolean {
  const missing: string[] = [];
  for (let path = folder; !existsSync(path); path = dirname(path)) {
    missing.unshift(path);
    if (dirname(path) === path) break;
  }
  for (const path of missing) mkdirSync(path);
  return missing.length > 0;
}

/** The first path on the way to `folder` that exists but is not a folder. */
function fileOnPath(folder: string): string | undefined {
  for (let path = folder; ; path = dirname(path)) {
    try {
      if (!statSync(path).isDirectory()) return path;
    } catch {
      // missing: look further up
    }
    if (dirname(path) === path) return undefined;
  }
}

export function register(program: Command): void {
  exitCodes(program.command("fixture"), { 0: "the scenario was written", 2: "--from cannot be read or converted" })
    .description("turn a recording (gateway-presence record, or OpenClaw's recordings) into a replayable conformance scenario")
    .requiredOption("--from <file>", "JSON Lines recording")
    .option("--out <file>", "scenario file to write, its folder created if missing (default: standard output)")
    .option("--name <name>", "scenario name (default: the recording's file name)")
    .action((flags: { from: string; out?: string; name?: string }, command: Command) => {
      let text: string;
      try {
        text = `${JSON.stringify(convertRecordingFile(flags.from, flags.name), null, 2)}\n`;
      } catch (error) {
        usageError(command, `${flags.from}: ${(error as Error).message}`);
      }
      if (flags.out) {
        let created: string | undefined;
        try {
          created = writeCreatingFolder(flags.out, text);
        } catch (error) {
          usageError(command, `cannot write ${flags.out}: ${(error as Error).message}`);
        }
        process.stderr.write(`wrote ${flags.out}${created ? ` (created the folder ${created})` : ""}\n`);
      } else process.stdout.write(text);
    });
}
