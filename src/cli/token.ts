/**
 * Where a command gets the gateway token (SPEC H5): `--token`, `--token-file FILE`, or
 * `$GATEWAY_PRESENCE_TOKEN`. The token itself never appears in a message, a log line or the process
 * title: `--token` on the command line is visible to every user of the machine in `ps` and
 * /proc/<pid>/cmdline, so the process title is overwritten as soon as the command starts (which
 * also clears the arguments from /proc/<pid>/cmdline on Linux); `--token-file` and the variable
 * never put it there.
 */
import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { usageError } from "./usage.js";

export const TOKEN_ENV = "GATEWAY_PRESENCE_TOKEN";

/** How to give a token on the command line, for messages that say so. */
export const GIVE_TOKEN = `--token-file FILE, --token or $${TOKEN_ENV}`;

export interface TokenFlags {
  token?: string;
  tokenFile?: string;
}

/**
 * Adds `--token` and `--token-file` to a command. `what` names the token without an article
 * ("gateway token"): the help reads "read the gateway token from this file".
 */
export function addTokenOptions(command: Command, what = "gateway token"): Command {
  return command
    .option("--token <token>", `${what} (default: $${TOKEN_ENV}; visible in ps: prefer --token-file or $${TOKEN_ENV})`)
    .option("--token-file <file>", `read the ${what} from this file (surrounding whitespace ignored)`);
}

/** A problem with the token options; its message never holds the token. */
export class TokenOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenOptionError";
  }
}

/**
 * The token: `--token`, else the content of `--token-file` (trimmed), else `$GATEWAY_PRESENCE_TOKEN`,
 * else none. Both flags at once, an unreadable or empty file, are TokenOptionErrors. `warn` hears
 * about a token file other users may read.
 */
export function resolveToken(flags: TokenFlags, env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = () => {}): string | undefined {
  if (flags.token !== undefined && flags.tokenFile !== undefined) throw new TokenOptionError("give --token or --token-file, not both");
  if (flags.token !== undefined) {
    if (flags.token.trim() === "") throw new TokenOptionError("--token is empty");
    return flags.token;
  }
  if (flags.tokenFile !== undefined) return readTokenFile(flags.tokenFile, warn);
  return env[TOKEN_ENV] || undefined;
}

/**
 * resolveToken for a command, as every command does it: a warning about the file goes to stderr as
 * `gateway-presence <command>: warning: ...`, and a bad token option is a usage error (exit 2).
 */
export function commandToken(command: Command, flags: TokenFlags): string | undefined {
  try {
    return resolveToken(flags, process.env, (warning) => process.stderr.write(`gateway-presence ${command.name()}: ${warning}\n`));
  } catch (error) {
    usageError(command, (error as Error).message);
  }
}

/** Where resolveToken took the token from (`--token`, `--token-file`, `$GATEWAY_PRESENCE_TOKEN`), or undefined: none. */
export function tokenSource(flags: TokenFlags, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flags.token !== undefined) return "--token";
  if (flags.tokenFile !== undefined) return "--token-file";
  return env[TOKEN_ENV] ? `$${TOKEN_ENV}` : undefined;
}

/** Plain words for the errors a path given by hand most often meets (the code stays beside them). */
export const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file (ENOENT)",
  EACCES: "permission denied (EACCES)",
  EISDIR: "it is a directory (EISDIR)",
  ENOTDIR: "a part of the path is not a directory (ENOTDIR)",
};

function readTokenFile(file: string, warn: (line: string) => void): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    // The error's code and path only: never a message that could quote the content.
    const code = (error as NodeJS.ErrnoException).code;
    throw new TokenOptionError(`cannot read --token-file ${file}: ${(code && FILE_ERRORS[code]) ?? code ?? "unreadable"}`);
  }
  const token = text.trim();
  if (token === "") throw new TokenOptionError(`--token-file ${file} is empty`);
  if (/[\r\n]/.test(token)) throw new TokenOptionError(`--token-file ${file} holds more than one line; put only the token in it`);
  if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) {
    warn(`warning: --token-file ${file} may be read by other users (mode ${(statSync(file).mode & 0o777).toString(8)}); chmod 600 it`);
  }
  return token;
}

/**
 * Replaces the process title (`ps`, /proc/<pid>/cmdline) when the command line carries `--token`,
 * so the token is visible there only for the moment before this runs.
 */
export function hideTokenFromProcessTitle(argv: readonly string[] = process.argv): void {
  const at = argv.findIndex((a) => a === "--token" || a.startsWith("--token="));
  if (at < 0) return;
  const command = argv.slice(2).find((a) => !a.startsWith("-")) ?? "";
  process.title = `gateway-presence ${command}`.trim();
}
