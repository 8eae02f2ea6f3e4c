#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { register as registerConform } from "./commands/conform.js";
import { register as registerDoctor } from "./commands/doctor.js";
import { register as registerFixture } from "./commands/fixture.js";
import { register as registerList } from "./commands/list.js";
import { register as registerRecord } from "./commands/record.js";
import { register as registerReport } from "./commands/report.js";
import { register as registerServe } from "./commands/serve.js";
import { register as registerWatch } from "./commands/watch.js";
import { hideTokenFromProcessTitle } from "./token.js";
import { exitCodeOf, throwUsageErrors } from "./usage.js";

// First of all: a --token on the command line leaves the process title (ps, /proc/<pid>/cmdline).
hideTokenFromProcessTitle();

// `gateway-presence watch | head`: the reader of our output went away. Stop quietly, as a program
// killed by SIGPIPE does, rather than with an unhandled EPIPE and its stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
}

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command()
  .name("gateway-presence")
  .description("Gateway presence: reference gateway, client tools and conformance harness")
  .version(version);

// Each command lives in ./commands/<name>.ts and exports register(program).
registerConform(program);
registerDoctor(program);
registerFixture(program);
registerList(program);
registerRecord(program);
registerReport(program);
registerServe(program);
registerWatch(program);

// One place for usage errors: commander's (unknown option, bad value, missing argument) and our own
// option checks (usageError) all exit 2, whatever the command (./usage.ts).
throwUsageErrors(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = exitCodeOf(error);
  if (code === undefined) throw error;
  process.exitCode = code;
}
