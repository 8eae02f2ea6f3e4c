/**
 * `gateway-presence fixture --from FILE.jsonl [--out fixtures/recorded/NAME.json]`: turns a
 * recording (ours or ../shared/recordings') into a replayable conformance scenario, checked against
 * schemas/scenario.schema.json before it is written; a missing --out folder is created (and said).
 * Exit 0 when written, 2 on a bad option, a --from that cannot be read or converted (as conform's
 * --fixtures and report compare's reports) or an --out that cannot be written (as conform's and
 * report compare's --out).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { checkScenario } from "../../conformance/scenario/fixtures.js";
import { recordingToScenario } from "../../record/fixture.js";
import { parseRecording } from "../../record/recording.js";
import { writeOutputFile } from "../output-file.js";
import { exitCodes, usageError } from "../usage.js";

export function convertRecordingFile(from: string, name?: string): ReturnType<typeof recordingToScenario> {
  const lines = parseRecording(readFileSync(from, "utf8"));
  const scenario = recordingToScenario(lines, { name: name ?? basename(from).replace(/\.jsonl?$/, ""), source: basename(from) });
  return checkScenario(scenario, from);
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
          created = writeOutputFile(flags.out, text);
        } catch (error) {
          usageError(command, `cannot write ${flags.out}: ${(error as Error).message}`);
        }
        process.stderr.write(`wrote ${flags.out}${created ? ` (created the folder ${created})` : ""}\n`);
      } else process.stdout.write(text);
    });
}
