/** `gateway-presence list`: the Instances table (or JSON), newest first, from one system-presence call. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { bindingName, gatewayUrl, integer } from "../arguments.js";
import { createNodeOpenClawBinding, defaultDeviceIdentityPath } from "../../client/node.js";
import { addTokenOptions, GIVE_TOKEN, resolveToken, type TokenFlags } from "../token.js";
import { usageError } from "../usage.js";
import { redactUrlsIn } from "../../transport/redact.js";
import {
  createPresenceClient,
  DEFAULT_GATEWAY_URL,
  GatewayError,
  presenceAge,
  TransportError,
  presenceStatus,
  type PresenceClientOptions,
  type PresenceEntry,
} from "../../index.js";

export interface ConnectionFlags extends TokenFlags {
  url: string;
  binding?: "jsonrpc" | "openclaw";
  /** The device identity file of the openclaw binding. */
  identity?: string;
}

/**
 * How the CLI identifies itself: mode "cli", which the gateway never records (SPEC P3), so looking
 * at the list does not add a row to it. Read scope only. `challengeTimeoutMs`: the openclaw
 * binding's wait for connect.challenge (default 5000 ms; list/doctor pass a --timeout-ms given).
 */
export function cliClientOptions(command: string, flags: ConnectionFlags, challengeTimeoutMs?: number): PresenceClientOptions {
  const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return {
    url: flags.url,
    token: resolveToken(flags, process.env, (warning) => process.stderr.write(`gateway-presence ${command}: ${warning}\n`)),
    client: { id: "cli", displayName: `gateway-presence ${command}`, version, platform: process.platform, mode: "cli" },
    scopes: ["operator.read"],
    // OpenClaw 2026.9.x grants a CLI read access only with a signed device: one kept in a file, so the
    // gateway sees the same device on every run (and pairs it once).
    ...(flags.binding === "openclaw"
      ? { binding: createNodeOpenClawBinding({ identityPath: flags.identity ?? defaultDeviceIdentityPath(), ...(challengeTimeoutMs ? { challengeTimeoutMs } : {}) }) }
      : {}),
  };
}

export function addConnectionOptions(command: Command): Command {
  command
    .option("--url <url>", "gateway WebSocket URL", gatewayUrl, DEFAULT_GATEWAY_URL)
    .option("--binding <binding>", "wire binding: jsonrpc (default) or openclaw (OpenClaw's native frames)", bindingName)
    .option("--identity <file>", `openclaw binding: the device identity file, created on first use (default: ${defaultDeviceIdentityPath()})`);
  return addTokenOptions(command, "gateway token");
}

/** The gateway's clock at the time of a listing: its self row is fresh in every listing (SPEC P1). */
export function gatewayNow(entries: readonly PresenceEntry[], fallback = Date.now()): number {
  return entries.find((e) => e.reason === "self" && e.mode === "gateway")?.ts ?? fallback;
}

export function newestFirst(entries: readonly PresenceEntry[]): PresenceEntry[] {
  return [...entries].sort((a, b) => b.ts - a.ts);
}

/** "42s", "3m 5s", "2h 1m", "3d 4h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const [m, h, d] = [Math.floor(s / 60), Math.floor(s / 3600), Math.floor(s / 86400)];
  if (s < 3600) return `${m}m ${s % 60}s`;
  if (s < 86400) return `${h}h ${m % 60}m`;
  return `${d}d ${h % 24}h`;
}

const COLUMNS = ["STATUS", "HOST", "IP", "MODE", "VERSION", "LAST INPUT", "REASON", "AGE"] as const;
/** The widest a cell gets; a longer value is cut and ends in "…" (`--json` has it whole). */
const CELL_WIDTH = 40;

function fit(text: string, width = CELL_WIDTH): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * The HOST cell. A cluster lists one self row per gateway, told apart by the gateway id in instanceId
 * (docs/cluster.md); OpenClaw's self row carries a UUID there. The id is what gets cut, inside its
 * parentheses, so the cell still reads as host (id).
 */
function hostCell(e: PresenceEntry): string {
  if (e.reason !== "self" || e.instanceId === undefined) return fit(e.host ?? e.instanceId ?? "-");
  const host = fit(e.host ?? "-", CELL_WIDTH - 4);
  return `${host} (${fit(e.instanceId, CELL_WIDTH - host.length - 3)})`;
}

/** The Instances table as text, newest first; `now` is on the gateway's clock. */
export function renderInstances(entries: readonly PresenceEntry[], now: number): string {
  const rows = newestFirst(entries).map((e) => [
    presenceStatus(e, now),
    hostCell(e),
    e.ip ?? "-",
    e.mode ?? "-",
    e.version ?? "-",
    e.lastInputSeconds === undefined ? "-" : formatDuration(e.lastInputSeconds * 1000),
    e.reason ?? "-",
    formatDuration(presenceAge(e, now)),
  ]);
  const all = [[...COLUMNS], ...rows].map((r) => r.map((cell) => fit(cell)));
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** The rows as JSON: each entry as the gateway sent it, plus its `status` and `ageMs`. */
export function instancesJson(entries: readonly PresenceEntry[], now: number): Array<PresenceEntry & { status: string; ageMs: number }> {
  return newestFirst(entries).map((e) => ({ ...e, status: presenceStatus(e, now), ageMs: presenceAge(e, now) }));
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
  return redactUrlsIn(failureText(url, error, binding, tokenGiven), [url]);
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
  const hint = bindingHint(message, binding);
  return `${hint ? "no handshake with" : "cannot reach"} the gateway at ${url}: ${message}${hint}`;
}

/**
 * A gateway that speaks the other wire binding opens the socket and then does not answer the
 * handshake: OpenClaw closes 1008 "invalid request frame" on a JSON-RPC connect (a reference
 * gateway's openclaw listener answers in its own frames, which JSON-RPC cannot read), and a JSON-RPC
 * gateway sends no connect.challenge. Said as a guess: a slow gateway looks the same.
 */
export function bindingHint(message: string, binding: ConnectionFlags["binding"]): string {
  if (binding === "openclaw") return /connect\.challenge/.test(message) ? " (no OpenClaw connect.challenge came: if the gateway speaks JSON-RPC, leave out --binding openclaw)" : "";
  return /no answer within|invalid request frame/.test(message) ? " (if the gateway speaks OpenClaw's frames, e.g. an OpenClaw gateway or a listener started with --binding openclaw, add --binding openclaw)" : "";
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** --timeout-ms of list and doctor; given, it also bounds the openclaw binding's wait for connect.challenge. */
export const TIMEOUT_HELP = `give up on the handshake or a listing after this long (default: ${DEFAULT_TIMEOUT_MS}; the openclaw binding's wait for connect.challenge: 5000 unless given)`;

export function register(program: Command): void {
  addConnectionOptions(program.command("list").description("print the presence list (Instances table), newest first"))
    .option("--json", "print JSON: the entries with status and ageMs")
    .option("--timeout-ms <ms>", TIMEOUT_HELP, integer(1))
    .action(async (flags: ConnectionFlags & { json?: boolean; timeoutMs?: number }, command: Command) => {
      let options: PresenceClientOptions;
      try {
        options = cliClientOptions("list", flags, flags.timeoutMs);
      } catch (error) {
        // --token with --token-file, an unreadable or empty token file (the message never holds the token).
        usageError(command, (error as Error).message);
      }
      let client: ReturnType<typeof createPresenceClient> | undefined;
      try {
        client = createPresenceClient({ ...options, requestTimeoutMs: flags.timeoutMs ?? DEFAULT_TIMEOUT_MS, reconnect: false });
        await client.connect();
        const entries = await client.systemPresence();
        const now = gatewayNow(entries);
        process.stdout.write(
          flags.json ? `${JSON.stringify(instancesJson(entries, now), null, 2)}\n` : `${renderInstances(entries, now)}\n`,
        );
      } catch (error) {
        process.stderr.write(`gateway-presence list: ${describeFailure(flags.url, error, flags.binding, options.token !== undefined)}\n`);
        process.exitCode = 1;
      } finally {
        await client?.close();
      }
    });
}
