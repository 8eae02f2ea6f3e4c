/**
 * Exit codes shared by every command: 2 for a usage error (unknown option, bad value, missing
 * argument, options that do not go together, a file named by an option that cannot be read or
 * written), so scripts can tell "you called it wrong" from a runtime failure (1: findings, a failed
 * run, or for list/watch an unreachable gateway; conform and doctor exit 2 for a gateway they cannot
 * read). Each command lists its own in its --help (exitCodes).
 */
import { CommanderError, type Command } from "commander";
import { MIN_LITERAL_LENGTH, redactUrlsIn, urlSecrets } from "../transport/redact.js";

export const EXIT_USAGE = 2;

/** The usage-error line of every command's exit codes. */
export const USAGE_ERROR = "a usage error: an unknown option, a bad value, a missing argument, options that do not go together, a file named by an option that cannot be read or written";

/**
 * Adds the command's exit codes to its --help ("Exit codes:", one line each), so each command says
 * them in the same place and words. `codes[2]` is said before USAGE_ERROR when given.
 */
export function exitCodes(command: Command, codes: { 0: string; 1?: string; 2?: string; 3?: string }): Command {
  const all: Array<[string, string | undefined]> = Object.entries({ ...codes, 2: codes[2] ? `${codes[2]}, or ${USAGE_ERROR}` : USAGE_ERROR });
  const lines = all.filter(([, meaning]) => meaning).sort().map(([code, meaning]) => wrap(`  ${code}  ${meaning}`, 80, "     "));
  return command.addHelpText("after", `\nExit codes:\n${lines.join("\n")}\n`);
}

/** `text` broken at spaces into lines of at most `width` characters, the later ones after `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/(?<=\S) (?=\S)/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join("\n");
}

/**
 * Makes commander throw instead of exiting (1) on its own errors, on `program` and every command
 * below it, and words them as ours (`gateway-presence list: option ...`, not `error: option ...`);
 * `exitCodeOf` then maps what `parseAsync` rejects with. Call after registering commands.
 */
export function throwUsageErrors(program: Command, argv: readonly string[] = process.argv): void {
  program.exitOverride();
  // commander quotes a refused value ("option '--url <url>' argument 'ws://u:p@h/?token=...' is
  // invalid"): URLs given on the command line are shown redacted in every error it prints.
  // Only a text that quotes one (or its secrets) is touched: a message that masks a URL its own way
  // (serve's `--redis ... got "redis://***@host"`) is left as it is.
  const urls = urlArguments(argv);
  const quotes = (text: string) => urls.some((url) => text.includes(url) || urlSecrets(url).some((secret) => secret.length >= MIN_LITERAL_LENGTH && text.includes(secret)));
  // commander starts its own messages with "error: "; ours name the command (`gateway-presence list: ...`).
  const prefix = `${commandPath(program)}: `;
  const worded = (text: string) => (text.startsWith("error: ") ? prefix + oneSentence(text.slice("error: ".length)) : text);
  program.configureOutput({ outputError: (text, write) => write(worded(quotes(text) ? redactUrlsIn(text, urls) : text)) });
  for (const command of program.commands) throwUsageErrors(command, argv);
}

/**
 * commander words a refused value as two sentences, the second in lower case: "option '--timeout-ms
 * <ms>' argument 'abc' is invalid. must be an integer ..." (our parser's message after its full stop;
 * its own choices check: "... is invalid. Allowed choices are html, markdown."). Said as one, and a
 * choices check in our parsers' words (arguments.ts mustBeOneOf, e.g. --binding):
 * "... is invalid: must be an integer ...", "... is invalid: must be one of html, markdown".
 */
export function oneSentence(text: string): string {
  return text
    .replace(
      /^((?:option '[^']*' (?:argument|value) '.*?'(?: from env '[^']*')?|command-argument value '.*?') is invalid(?: for argument '[^']*')?)\. (?:([A-Z])(?=[a-z]))?/s,
      (_, head: string, capital: string | undefined) => `${head}: ${capital?.toLowerCase() ?? ""}`,
    )
    .replace(/^(.* is invalid(?: for argument '[^']*')?): allowed choices are (.*)\.$/m, "$1: must be one of $2");
}

/** Command-line values that are URLs (`--url U`, `--upstream=U`, ...), which may hold a token or `user:password@`. */
export function urlArguments(argv: readonly string[]): string[] {
  return argv.map((arg) => /^--[^=]+=(.*)$/s.exec(arg)?.[1] ?? arg).filter((value) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value));
}

/** The exit code for what `program.parseAsync` rejected with, or undefined when it is not a usage error. */
export function exitCodeOf(error: unknown): number | undefined {
  if (!(error instanceof CommanderError)) return undefined;
  // --help and --version end with exit code 0 and stay 0.
  return error.exitCode === 0 ? 0 : EXIT_USAGE;
}

/** Our own option checks (e.g. two options that exclude each other): one line on stderr, then exit 2 via commander. */
export function usageError(command: Command, message: string): never {
  command.error(`${commandPath(command)}: ${message}`, { exitCode: EXIT_USAGE, code: "gateway-presence.usage" });
}

/** How errors name a command: `gateway-presence list`, `gateway-presence report compare`, `gateway-presence`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
