/** The command-line side shared by the fuzz, floods and soak scripts. */
import { fileURLToPath } from "node:url";

/** `--name N` from the command line, else `fallback`; refuses what is not a positive number. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** Runs `main` when `moduleUrl` is the script node was started with (not when a test imports it). */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

/** `PASS: ...` or `FAIL:` with one line per failure; sets the exit code. */
export function verdict(failures: readonly string[], pass: string): void {
  console.log(failures.length === 0 ? `PASS: ${pass}` : `FAIL:\n  ${failures.join("\n  ")}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}
