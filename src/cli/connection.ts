/**
 * What list, watch and doctor share to reach a gateway: one definition of their connection options
 * (`--url`, `--binding`, `--identity`, `--token`/`--token-file`/`$GATEWAY_PRESENCE_TOKEN`,
 * `--timeout-ms`), the client options those flags give, and the one-line description of a failure.
 */
import { printable } from "../validation/printable.js";
import { readFileSync } from "node:fs";
import { STATUS_CODES } from "node:http";
import type { Command } from "commander";
import { BINDING_HELP, bindingName, gatewayUrl, milliseconds } from "./arguments.js";
import { createNodeOpenClawBinding, defaultDeviceIdentityPath, fileDeviceIdentityStore, nodeDeviceIdentity } from "../client/node.js";
import { addTokenOptions, commandToken, FILE_ERRORS, GIVE_TOKEN, type TokenFlags } from "./token.js";
import { usageError } from "./usage.js";
import { redactUrl, redactUrlsIn } from "../transport/redact.js";
import { connectionRefused, noHandshakeWith, NOTHING_LISTENS, OPENCLAW_FRAMES_GUESS, START_A_GATEWAY, waitSayable } from "../client/errors.js";
import { formatAge } from "../client/status.js";
import { DEFAULT_GATEWAY_URL, GatewayError, REFUSALS_FOR_A_PERSON, REFUSED_FOR_NOW, TLS_PROBLEM_HINTS, tlsProblem, TransportError, type PresenceClientOptions } from "../index.js";

export interface ConnectionFlags extends TokenFlags {
  url: string;
  binding?: "jsonrpc" | "openclaw";
  /** The device identity file of the openclaw binding. */
  identity?: string;
  /** `--timeout-ms`: the bound of each step (socket and handshake, a listing); see TIMEOUT_HELP. */
  timeoutMs?: number;
}

/** Each step's bound when `--timeout-ms` is not given (the client SDK's default request timeout). */
export const DEFAULT_TIMEOUT_MS = 10_000;

const TIMEOUT_HELP =
  `give up on a step after this long: opening the socket and the handshake, each listing (default: ${DEFAULT_TIMEOUT_MS}; ` +
  "the openclaw binding's wait for connect.challenge: 5000 unless given)";

/**
 * Adds the connection options to a command. `timeoutNote`: what --timeout-ms means beyond the
 * steps for this command (watch: it also ends the wait for a gateway that is not up).
 */
export function addConnectionOptions(command: Command, timeoutNote = ""): Command {
  command
    .option("--url <url>", "gateway WebSocket URL", gatewayUrl, DEFAULT_GATEWAY_URL)
    .option("--binding <binding>", BINDING_HELP, bindingName)
    .option("--identity <file>", `openclaw binding: the device identity file, created on first use (default: ${defaultDeviceIdentityPath()})`);
  return addTokenOptions(command, "gateway token").option("--timeout-ms <ms>", `${TIMEOUT_HELP}${timeoutNote}`, milliseconds(1));
}

/**
 * The client options the connection flags give: how the CLI identifies itself (mode "cli", which
 * the gateway never records, SPEC P3, so looking at the list does not add a row to it; read scope
 * only), the token, the binding (openclaw: with this machine's device identity) and the timeouts:
 * `requestTimeoutMs` (and with it the client's connect timeout) is --timeout-ms or
 * DEFAULT_TIMEOUT_MS; a given --timeout-ms also bounds the wait for connect.challenge.
 * A bad token option (both given, an unreadable or empty file) is a usage error: exit 2, and the
 * message never holds the token; so is a device identity file that cannot be read (checkIdentityFile).
 */
export async function cliClientOptions(command: Command, flags: ConnectionFlags): Promise<PresenceClientOptions & { requestTimeoutMs: number }> {
  const name = command.name();
  if (flags.binding === "openclaw") await checkIdentityFile(command, flags.identity);
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const token = commandToken(command, flags);
  return {
    url: flags.url,
    token,
    client: { id: "cli", displayName: `gateway-presence ${name}`, version, platform: process.platform, mode: "cli" },
    scopes: ["operator.read"],
    requestTimeoutMs: flags.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // OpenClaw 2026.9.x grants a CLI read access only with a signed device: one kept in a file, so the
    // gateway sees the same device on every run (and pairs it once).
    ...(flags.binding === "openclaw"
      ? { binding: createNodeOpenClawBinding({ identityPath: flags.identity ?? defaultDeviceIdentityPath(), ...(flags.timeoutMs ? { challengeTimeoutMs: flags.timeoutMs } : {}) }) }
      : {}),
  };
}

/**
 * The openclaw binding's device identity file, read and checked before connecting: one that exists
 * but cannot be read or used (not JSON, a folder, keys that do not match) is a usage error naming the
 * file and its flag (`--identity /x/id.json: stored device identity: not valid JSON (at position 1)`,
 * exit 2), not a failure to reach the gateway (`cannot reach the gateway at ws://...: EISDIR: illegal
 * operation on a directory, read`, exit 1, as before). A missing file is created on first use, as
 * before. The key material is never quoted: the messages name a field at most.
 */
async function checkIdentityFile(command: Command, given: string | undefined): Promise<void> {
  const path = given ?? defaultDeviceIdentityPath();
  const what = given !== undefined ? `--identity ${path}` : `the device identity file ${path} (give another with --identity FILE)`;
  try {
    const stored = await fileDeviceIdentityStore(path).load();
    if (stored) await nodeDeviceIdentity(stored);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code ? (FILE_ERRORS[code] ?? code) : (error as Error).message.replace(`${path}: `, "");
    usageError(command, `cannot use ${what}: ${why}`);
  }
}

/**
 * What to do about UNAUTHORIZED: with no token given, how to give one; with one, that it is not the
 * gateway's (when the gateway's message is about a token: an OpenClaw device refusal is not).
 */
function unauthorizedHint(message: string, tokenGiven: boolean | undefined): string {
  if (tokenGiven === undefined) return ` (missing or wrong token: ${GIVE_TOKEN})`;
  if (!tokenGiven) return ` (the gateway wants a token: give it with ${GIVE_TOKEN})`;
  return /token/i.test(message) ? " (the token given is not the gateway's)" : "";
}

/**
 * A one-line explanation of a failure, with a hint for the usual causes. `tokenGiven`: whether the
 * command sent a token (the UNAUTHORIZED hint then says it is wrong, else how to give one). The URL
 * is shown redacted, and so is any part of it an error quotes (its `user:password@`, a `?token=`).
 */
export function describeFailure(url: string, error: unknown, binding: ConnectionFlags["binding"] = "jsonrpc", tokenGiven?: boolean): string {
  // The gateway's own words (an error's message) are printed on a terminal: its escape sequences are shown, not acted on.
  return printable(redactUrlsIn(failureText(url, error, binding, tokenGiven), [url]));
}

function failureText(url: string, error: unknown, binding: ConnectionFlags["binding"], tokenGiven: boolean | undefined): string {
  if (error instanceof GatewayError) {
    // OpenClaw answers UNAVAILABLE "gateway starting" (retryable) for a few seconds after it starts.
    const native = error.data?.native as { code?: unknown; retryable?: unknown } | undefined;
    const retry = native?.retryable === true || native?.code === "UNAVAILABLE" || error.retryAfterMs !== undefined;
    const hint =
      error.code === "UNAUTHORIZED" ? unauthorizedHint(error.message, tokenGiven)
      : error.code === "FORBIDDEN" ? " (the token lacks a scope)"
      : retry ? " (the gateway asks to retry: it is starting or busy; try again in a moment)"
      : "";
    return `gateway at ${url} refused: ${error.message}${hint}`;
  }
  const message = (error as Error).message;
  // The client recognised another binding's frames: it names the binding itself.
  if (error instanceof TransportError && error.kind === "protocol") return `cannot use the gateway at ${url}: ${message}`;
  // A binding hint means the socket opened and the handshake got no answer it could read: the gateway was reached.
  // An HTTP answer to the upgrade: the gateway (or a proxy in front of it) was reached and said no.
  const refusal = upgradeRefusal(error);
  if (refusal) return `the gateway at ${url} ${refusal.said}${refusal.hint ? ` (${refusal.hint})` : ""}`;
  const hint = bindingHint(message, binding);
  return `${hint ? noHandshakeWith(url) : `cannot reach the gateway at ${url}`}: ${withoutUrl(url, message)}${hint || tlsHint(error) || refusedHint(error)}`;
}

/** Nothing listens at the URL's address (ECONNREFUSED): said as conform says it, and how to start a gateway (`REFUSED_HINT`). */
export const REFUSED_HINT = `${NOTHING_LISTENS}; ${START_A_GATEWAY}`;
function refusedHint(error: unknown): string {
  return connectionRefused(error) ? ` (${REFUSED_HINT})` : "";
}

/** A wait a gateway asked for, in whole seconds rounded up (at least 1 s): `1m 40s`, or `more than a week`. */
export function askedWait(ms: number): string {
  if (!waitSayable(ms)) return "more than a week";
  return formatAge(Math.max(1, Math.ceil(ms / 1000)) * 1000);
}

/**
 * A WebSocket upgrade answered with an HTTP status (TransportError.httpStatus: Node only): `said`,
 * `refused the WebSocket upgrade: HTTP 503 Service Unavailable, saying "<the server's reason>"`, and
 * `hint`, what the status means: 429 and 503 are for now (with the wait a Retry-After asked for);
 * 401, 403 and 404 need a person (REFUSALS_FOR_A_PERSON); any other: none. Undefined for any other failure.
 */
export function upgradeRefusal(error: unknown): { status: number; said: string; hint: string } | undefined {
  if (!(error instanceof TransportError) || error.httpStatus === undefined) return undefined;
  const status = error.httpStatus;
  const statusText = STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : "";
  const said = `refused the WebSocket upgrade: HTTP ${status}${statusText}${error.httpReason ? `, saying "${error.httpReason}"` : ""}`;
  const temporary = status === 429 || status === 503;
  const wait = error.retryAfterMs === undefined ? "" : `: it asks to retry in ${askedWait(error.retryAfterMs)}`;
  return { status, said, hint: temporary ? `${REFUSED_FOR_NOW}${wait}` : (REFUSALS_FOR_A_PERSON[status] ?? "") };
}

/** The client's `cannot open <url>: ECONNREFUSED` as `ECONNREFUSED`, for a line that names the URL already. */
export function withoutUrl(url: string, message: string): string {
  const prefix = `cannot open ${redactUrl(url)}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** The hint for a failed wss:// attempt (`cannot open wss://...: CERT_HAS_EXPIRED`, `...: EPROTO`). */
function tlsHint(error: unknown): string {
  const problem = tlsProblem(error);
  return problem ? ` (${TLS_PROBLEM_HINTS[problem]})` : "";
}

/**
 * A gateway that speaks the other wire binding opens the socket and then does not answer the
 * handshake: OpenClaw closes 1008 "invalid request frame" on a JSON-RPC connect (a reference
 * gateway's openclaw listener answers in its own frames, which JSON-RPC cannot read), and a JSON-RPC
 * gateway sends no connect.challenge. Said as a guess: a slow gateway looks the same.
 */
export function bindingHint(message: string, binding: ConnectionFlags["binding"]): string {
  if (binding === "openclaw") return /connect\.challenge/.test(message) ? " (no OpenClaw connect.challenge came: if the gateway speaks JSON-RPC, leave out --binding openclaw)" : "";
  return /no answer within|invalid request frame/.test(message) ? ` (${OPENCLAW_FRAMES_GUESS})` : "";
}
