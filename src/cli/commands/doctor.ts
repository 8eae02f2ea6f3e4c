/**
 * `gateway-presence doctor`: the design note's troubleshooting tips as a command. Reads the list
 * (and with --watch-ms the pushes) and reports findings, each with its SPEC rule, the rows that show
 * it and advice. Exit 0 when no finding is above info, 1 when one is, 2 when the gateway cannot be
 * read (or an option is bad).
 */
import type { Command } from "commander";
import { analyze, DoctorReadError, readGateway, renderReport } from "../../doctor/index.js";
import { integer, milliseconds } from "../arguments.js";
import { exitCodes } from "../usage.js";
import { addConnectionOptions, cliClientOptions, describeFailure, type ConnectionFlags } from "../connection.js";

interface DoctorFlags extends ConnectionFlags {
  watchMs: number;
  json?: boolean;
  ttlMs: number;
  maxEntries: number;
  color: boolean;
}

async function doctor(flags: DoctorFlags, command: Command): Promise<number> {
  const { client, token, binding, requestTimeoutMs } = await cliClientOptions(command, flags);
  let observation;
  try {
    observation = await readGateway({
      url: flags.url,
      token,
      // --binding openclaw signs with this machine's persisted device identity (2026.9.x grants no scope without one).
      binding: binding ?? "jsonrpc",
      client,
      watchMs: flags.watchMs,
      timeoutMs: requestTimeoutMs,
    });
  } catch (error) {
    const cause = error instanceof DoctorReadError ? error.cause : error;
    process.stderr.write(`gateway-presence doctor: ${describeFailure(flags.url, cause, flags.binding, token !== undefined)}\n`);
    return 2;
  }
  let report;
  let text;
  try {
    report = analyze(observation, { ttlMs: flags.ttlMs, maxEntries: flags.maxEntries });
    const color = flags.color && !flags.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
    text = flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, { color });
  } catch (error) {
    // A fault of the doctor on what it read is "could not check" (2), never "findings" (1), and one line, not a stack.
    process.stderr.write(`gateway-presence doctor: read the gateway but could not check what it sent: ${(error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(text);
  return report.worst === null || report.worst === "info" ? 0 : 1;
}

export function register(program: Command): void {
  addConnectionOptions(
    exitCodes(program.command("doctor"), {
      0: "no finding above info",
      1: "a finding above info (a warning or an error)",
      2: "the gateway could not be read (unreachable, refused, a listing failed)",
    })
      .description("explain what looks wrong in a gateway's presence list: duplicates, impossible rows, addresses, time"),
  )
    .option("--watch-ms <ms>", "also watch presence pushes and ticks this long, then list again", integer(0, 3_600_000), 0)
    .option("--json", "print the report as JSON (findings, summary, clock, the raw list)")
    .option("--ttl-ms <ms>", "the gateway's row TTL (SPEC S1)", milliseconds(1), 300_000)
    .option("--max-entries <n>", "the gateway's row cap (SPEC S2)", integer(1), 200)
    .option("--no-color", "plain output")
    .action(async (flags: DoctorFlags, command: Command) => {
      process.exitCode = await doctor(flags, command);
    });
}
