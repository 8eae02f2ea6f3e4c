/**
 * `gateway-presence fixture --from FILE.jsonl [--out fixtures/recorded/NAME.json]`: turns a
 * recording (ours or ../shared/recordings') into a replayable conformance scenario, checked against
 * schemas/scenario.schema.json before it is written.
 * Exit 0 when written, 2 on a bad option or a --from that cannot be read or converted (as conform's
 * --fixtures and report compare's reports), 1 when --out cannot be written.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { checkScenario } from "../../conformance/scenario/fixtures.js";
import { recordingToScenario } from "../../record/fixture.js";
import { parseRecording } from "../../record/recording.js";
import { usageError } from "../usage.js";

export function convertRecordingFile(from: string, name?: string): ReturnType<typeof recordingToScenario> {
  const lines = parseRecording(readFileSync(from, "utf8"));
  const scenario = recordingToScenario(lines, { name: name ?? basename(from).replace(/\.jsonl?$/, ""), source: basename(from) });
  return checkScenario(scenario, from);
}

export function register(program: Command): void {
  program
    .command("fixture")
    .description("turn a recording (gateway-presence record, or OpenClaw's recordings) into a replayable conformance scenario")
    .requiredOption("--from <file>", "JSON Lines recording")
    .option("--out <file>", "scenario file to write (default: standard output)")
    .option("--name <name>", "scenario name (default: the recording's file name)")
    .action((flags: { from: string; out?: string; name?: string }, command: Command) => {
      let text: string;
      try {
        text = `${JSON.stringify(convertRecordingFile(flags.from, flags.name), null, 2)}\n`;
      } catch (error) {
        usageError(command, `${flags.from}: ${(error as Error).message}`);
      }
      if (flags.out) {
        try {
          writeFileSync(flags.out, text);
        } catch (error) {
          process.stderr.write(`gateway-presence fixture: cannot write ${flags.out}: ${(error as Error).message}\n`);
          process.exitCode = 1;
          return;
        }
        process.stderr.write(`wrote ${flags.out}\n`);
      } else process.stdout.write(text);
    });
}
