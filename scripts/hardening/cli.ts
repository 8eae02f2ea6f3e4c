/** The command-line side shared by the fuzz, floods and soak scripts. */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** A mistake on the command line: said in one line with the usage, no stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface NumberOption {
  /** The value without the option. */
  fallback: number;
  /** One line for `--help`. */
  describe: string;
  /** How `--help` shows the fallback, when not as the number (a seed drawn per run). */
  shown?: string;
}

/**
 * The script's options from `argv`: each `--name N` (or `--name=N`) a positive number, else its
 * fallback. An unknown option, a missing or non-positive value is a UsageError (a mistyped
 * `--minute 1` must not start the default 10-minute run); `--help` prints the usage and exits 0.
 */
export function numberOptions<K extends string>(
  script: string,
  spec: Record<K, NumberOption>,
  argv: readonly string[] = process.argv.slice(2),
): Record<K, number> {
  const names = Object.keys(spec) as K[];
  const usage = [
    `usage: npm run ${script}${names.length > 0 ? ` -- ${names.map((n) => `[--${n} N]`).join(" ")}` : ""}`,
    ...names.map((n) => `  --${n} N`.padEnd(22) + `${spec[n].describe} (default ${spec[n].shown ?? spec[n].fallback})`),
  ].join("\n");
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const options = Object.fromEntries([...names.map((n) => [n, { type: "string" }] as const), ["help", { type: "boolean", short: "h" }] as const]);
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  if (parsed.values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  const out = {} as Record<K, number>;
  for (const name of names) {
    const text = parsed.values[name];
    const value = typeof text === "string" ? Number(text) : spec[name].fallback;
    if (typeof text === "string" && (text.trim() === "" || !Number.isFinite(value) || value <= 0)) {
      throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(text)}\n${usage}`);
    }
    out[name] = value;
  }
  return out;
}

/** Runs `main` when `moduleUrl` is the script node was started with (not when a test imports it). */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${basename(process.argv[1])}: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(error);
    process.exitCode = 1;
  });
}

/** `PASS: ...` or `FAIL:` with one line per failure; sets the exit code. */
export function verdict(failures: readonly string[], pass: string): void {
  console.log(failures.length === 0 ? `PASS: ${pass}` : `FAIL:\n  ${failures.join("\n  ")}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}
