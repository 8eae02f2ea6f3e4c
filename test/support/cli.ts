/**
 * The CLI as tests run it: `src/cli/main.ts` through tsx, as a real child process in the repository
 * folder. Every run started here is killed (SIGKILL) after the test that started it, whatever that
 * test did with it.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, vi } from "vitest";
import { scaled } from "./timing.js";

// A test that runs the CLI waits for whole processes (node, tsx, src/cli/main.ts and what it loads):
// at load 20-26 on 2 cores one start alone took 1.9-11 s (a --help or a usage error, exit 2), and
// tests of 3 to 6 runs passed the suite's 20 s with nothing stuck (clean-clone npm test). Every test
// file that starts the CLI through this runner gets 60 s per test (grown with the load when the file
// starts, see `scaled`); a test may still set its own.
vi.setConfig({ testTimeout: scaled(60_000) });

export const CLI_MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
/** Where the CLI runs: the repository (tsx is found there, and relative paths such as `fixtures/conformance` are the repository's). */
const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The command line that runs the CLI with `args`: `node --import tsx src/cli/main.ts ...args`. */
export function cliArgv(args: readonly string[]): [string, ...string[]] {
  return [process.execPath, "--import", "tsx", CLI_MAIN, ...args];
}

export interface CliOptions {
  /**
   * Variables set over this process's environment. `$GATEWAY_PRESENCE_TOKEN` is cleared first, so a
   * token in the developer's shell never reaches a test's command (set it here to give one).
   */
  env?: Record<string, string>;
  /**
   * When `exit` resolves: on "close" (default; the output has been read to its end) or on "exit"
   * (the process ended, its output may still be arriving: for a test that closes a pipe itself).
   */
  settle?: "close" | "exit";
  /** Run it on a terminal (script(1)'s pseudo-terminal): stdout is a TTY. See `hasScript()`. */
  tty?: boolean;
}

export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr as they came, interleaved. */
  output(): string;
  /** The exit code (null when killed by a signal). */
  exit: Promise<number | null>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

/** Starts `gateway-presence ...args`. */
export function cli(args: readonly string[], options: CliOptions = {}): CliRun {
  const env = { ...process.env, GATEWAY_PRESENCE_TOKEN: "", ...options.env };
  const argv = cliArgv(args);
  const [command, ...rest] = options.tty ? ["script", "-qec", argv.join(" "), "/dev/null"] : argv;
  const child = spawn(command!, rest, { cwd: REPO, env, stdio: "pipe" });
  running.add(child);
  let out = "";
  let err = "";
  let all = "";
  child.stdout.on("data", (d: Buffer) => ((out += d), (all += d)));
  child.stderr.on("data", (d: Buffer) => ((err += d), (all += d)));
  const exit = new Promise<number | null>((resolve) => child.on(options.settle ?? "close", (code: number | null) => resolve(code)));
  void exit.then(() => running.delete(child));
  return { child, stdout: () => out, stderr: () => err, output: () => all, exit };
}

/** Whether script(1), which `tty: true` runs the CLI under, is installed. */
export function hasScript(): boolean {
  return spawnSync("script", ["--version"]).status === 0;
}

/** Runs `gateway-presence ...args` to its end. */
export async function cliResult(args: readonly string[], options: CliOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = cli(args, options);
  const code = await run.exit;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
