/**
 * `gateway-presence watch`: the Instances table kept live from presence events, with the connection
 * state; waits for a gateway that is not up yet and reconnects through gateway restarts; Ctrl-C exits
 * cleanly. `--json` prints one JSON line per state change or list change instead (for scripts); off a
 * terminal the table too is printed only when the list changed.
 * `--timeout-ms` bounds each step as for list and doctor, and the wait for the first list. A wss://
 * certificate problem (not trusted, expired, another host name), a wss:// URL to a port without
 * TLS or a TLS handshake the gateway refuses stops it at once, exit 1 (the SDK's tlsProblem()), as
 * does an upgrade refused with HTTP 401, 403 or 404 (429 and 503 are waited out, as asked).
 */
import { printable } from "../../validation/printable.js";
import type { Command } from "commander";
import { milliseconds } from "../arguments.js";
import { exitCodes } from "../usage.js";
import { redactUrl, redactUrlsIn } from "../../transport/redact.js";
import { connectionRefused } from "../../client/errors.js";
import { createPresenceClient, REFUSALS_FOR_A_PERSON, TransportError, tlsProblem, type MirrorChange, type PresenceClient, type PresenceEntry, type StateChange } from "../../index.js";
import { addConnectionOptions, askedWait, bindingHint, cliClientOptions, describeFailure, REFUSED_HINT, upgradeRefusal, withoutUrl, type ConnectionFlags } from "../connection.js";
import { DEGRADED_LINE, pollHealth } from "../health-poll.js";
import { instancesJson, renderInstances } from "./list.js";

/**
 * Someone is watching: back at most 5 s after a restarted gateway is (the SDK's default grows to 30 s:
 * a gateway down for 25 s had watch back 23 s after it), while a gateway that asks to be left alone
 * longer (Retry-After, RATE_LIMITED) is, up to 30 s.
 */
export const WATCH_RECONNECT = { maxDelayMs: 5_000, maxWaitAskedMs: 30_000 };

interface WatchFlags extends ConnectionFlags {
  json?: boolean;
  refreshMs: number;
  resyncMs: number;
}

export function register(program: Command): void {
  addConnectionOptions(
    exitCodes(program.command("watch").description("keep the presence list on screen, live"), {
      0: "stopped with Ctrl-C (SIGINT) or SIGTERM",
      1: "a fatal answer (e.g. UNAUTHORIZED), an upgrade refused with HTTP 401, 403 or 404, a wrong --binding, a wss:// certificate that is not trusted, expired or for another host name, a wss:// URL to a port without TLS or whose TLS refuses the handshake, or no list within --timeout-ms",
    }),
    "; given, watch also stops waiting for a gateway that is not up after this long, exit 1 (without: it waits as long as it takes; a wss:// certificate or TLS problem stops it at once); never a limit on how long it watches",
  )
    .option("--json", "print one JSON line per state or list change (a re-read that finds the same list prints none)")
    .option("--refresh-ms <ms>", "redraw interval for ages on a terminal", milliseconds(100), 5000)
    .option("--resync-ms <ms>", "re-read the whole list this often: keep-alives refresh rows without a push", milliseconds(1000), 30_000)
    .action((flags: WatchFlags, command: Command) => watch(flags, command));
}

/**
 * Why an attempt failed: nothing listens there (REFUSED_HINT), the --binding hint when the gateway may speak the other binding, or what
 * a refused upgrade's status means (with the wait its Retry-After asked for, and when the reconnect's
 * longest delay cut that wait short: the SDK's reconnect.maxDelayMs): watch keeps retrying (a gateway
 * may be starting or busy), so the hint must show while it does, not only at exit.
 */
function hintFor(change: StateChange, binding: WatchFlags["binding"]): string {
  if (change.state !== "reconnecting" || change.reason === undefined) return "";
  const refusal = upgradeRefusal(change.error);
  if (connectionRefused(change.error ?? new Error(change.reason))) return REFUSED_HINT;
  if (!refusal) return bindingHint(change.reason, binding).trim().replace(/^\((.*)\)$/s, "$1");
  const asked = (change.error as TransportError).retryAfterMs;
  const delayMs = change.delayMs ?? 0;
  const capped = asked !== undefined && asked > delayMs && (refusal.status === 429 || refusal.status === 503);
  return `${refusal.hint}${capped ? `; the next attempt is sooner, in ${askedWait(delayMs)}: the reconnect's longest delay` : ""}`;
}

/**
 * The state line; `failed` is the last failed attempt since the connection was last open, kept on
 * screen (with its hint) while the next attempt connects, so a wrong --binding is not just "connecting".
 */
const instanceCount = (n: number): string => `${n} ${n === 1 ? "instance" : "instances"}`;


function stateLine(flags: WatchFlags, change: StateChange, client: PresenceClient, failed: StateChange | undefined, degraded = false): string {
  // The URL may hold a token (`?token=`) or `user:password@`: shown redacted, here and in reasons.
  // The line names it once: not again in the client's `cannot open <url>: ...`.
  const url = redactUrl(flags.url);
  // A refused upgrade in the CLI's words (`refused the WebSocket upgrade: HTTP 503 ...`), not ws's.
  // A reason may quote the gateway (a close reason, an error's message): its control characters are shown, not acted on.
  const reasonOf = (f: StateChange) => printable(redactUrlsIn(upgradeRefusal(f.error)?.said ?? withoutUrl(flags.url, f.reason ?? ""), [flags.url]));
  const why = (f: StateChange) => {
    const hint = hintFor(f, flags.binding);
    return `${reasonOf(f)}${hint ? `\n  ${hint}` : ""}`;
  };
  switch (change.state) {
    case "open":
      return `● open  ${url}  ${instanceCount(client.presence.entries.length)}  v${client.presence.version}${degraded ? `\n${DEGRADED_LINE}` : ""}`;
    case "reconnecting":
      // `attempt` is the failed attempts in a row: 0 after a connection that stayed up minUptimeMs.
      return `○ reconnecting to ${url} in ${formatDelay(change.delayMs ?? 0)}${change.attempt ? ` (attempt ${change.attempt})` : ""}: ${why(change)}`;
    case "connecting":
      return failed ? `○ connecting  ${url} (attempt ${(change.attempt ?? 0) + 1})\n  the last attempt failed: ${why(failed)}` : `○ connecting  ${url}`;
    default:
      return `○ ${change.state}  ${url}${change.reason ? `: ${reasonOf(change)}` : ""}`;
  }
}

/** A reconnect delay: whole ms under 1 s, else rounded up to the second as askedWait does (never a sooner retry than planned: 1475 ms is "2s"). */
export const formatDelay = (ms: number) => (Math.ceil(ms) < 1000 ? `${Math.ceil(ms)}ms` : askedWait(ms));

/**
 * The list as watch prints it, for telling whether it changed: the version and each row without its
 * `ts` (keep-alives move it without a change, SPEC P7) but with its status (Active, Idle, Stale).
 */
function listKey(version: number | undefined, entries: readonly PresenceEntry[], now: number): string {
  return JSON.stringify([version, instancesJson(entries, now).map(({ ts: _ts, ageMs: _ageMs, ...row }) => row)]);
}

/**
 * --json's reason: the client's (`cannot open <url>: ECONNREFUSED`), except that a refused upgrade
 * says what the state line says (`refused the WebSocket upgrade: HTTP 503 Service Unavailable,
 * saying "..."`), not the client's "Unexpected server response: 503".
 */
function jsonReason(change: StateChange): string {
  const refusal = upgradeRefusal(change.error);
  const reason = change.reason ?? "";
  return refusal ? reason.replace(/Unexpected server response: \d+$/, refusal.said) : reason;
}

/** A refused upgrade's HTTP status, its Retry-After (ms) and its reason (secrets of `url` redacted), for --json's reconnecting state. */
function refusalFields(change: StateChange, url: string): { httpStatus?: number; retryAfterMs?: number; httpReason?: string } {
  const error = change.error;
  if (!(error instanceof TransportError) || error.httpStatus === undefined) return {};
  return {
    httpStatus: error.httpStatus,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.httpReason === undefined ? {} : { httpReason: redactUrlsIn(error.httpReason, [url]) }),
  };
}

/**
 * --timeout-ms is the time allowed to connect and get the first list (hello-ok's snapshot), as for
 * list and doctor; watch retries within it (a gateway may be starting), and a retry that would start
 * after it ends the watch instead. An attempt under way at the deadline may finish: each of its steps
 * has --timeout-ms too. Once a list has come, the watch goes on and reconnects for as long as it runs.
 */
function givesUp(flags: WatchFlags, change: StateChange, startedAt: number, opened: boolean): boolean {
  if (flags.timeoutMs === undefined || opened || change.state !== "reconnecting") return false;
  return Date.now() + (change.delayMs ?? 0) - startedAt > flags.timeoutMs;
}

/**
 * Why watch stops instead of retrying (in list's words, one line), or undefined to retry: a wss:// certificate that is not
 * trusted, expired or for another host name needs a person (the SDK retries it: a long-running app may
 * see it renewed; a person at a terminal is told now, in list's words), as does a wss:// URL whose port
 * answers without TLS (a plain gateway: the URL is wrong) or refuses the TLS handshake (any
 * tlsProblem()); and --timeout-ms (givesUp).
 * A gateway that is down or restarting is retried as before, and so is an upgrade refused for now (HTTP
 * 429, 503); one refused with 401, 403 or 404 needs a person too (credentials, an origin, the path).
 */
function stopReason(flags: WatchFlags, change: StateChange, startedAt: number, opened: boolean, tokenGiven: boolean): string | undefined {
  if (change.state !== "reconnecting") return undefined;
  const failure = () => describeFailure(flags.url, change.error ?? new Error(change.reason), flags.binding, tokenGiven);
  if (tlsProblem(change.error) || REFUSALS_FOR_A_PERSON[upgradeRefusal(change.error)?.status ?? 0]) return failure();
  if (!givesUp(flags, change, startedAt, opened)) return undefined;
  // After the failure's own hint, if any: one parenthesis, one sentence.
  return `${failure()}; stopped retrying after --timeout-ms ${flags.timeoutMs} with no list`;
}

async function watch(flags: WatchFlags, command: Command): Promise<void> {
  const startedAt = Date.now();
  const options = await cliClientOptions(command, flags);
  const tokenGiven = options.token !== undefined;
  const client = createPresenceClient({ ...options, reconnect: WATCH_RECONNECT });
  const tty = !flags.json && process.stdout.isTTY === true;
  let state: StateChange = { state: "idle" };
  let failed: StateChange | undefined;
  // Rows' ts are on the gateway's clock: ages and statuses read the SDK's estimate of it (client.gatewayClock,
  // fed by hello-ok's snapshot, every list and tick), the one clock logic the SDK, watch and the Instances page share.
  const gatewayNow = () => client.gatewayClock.now();
  let pending: ReturnType<typeof setTimeout> | undefined;
  let opened = false;
  let gaveUp = false;
  // The gateway's /healthz says its cluster's Redis is out of reach: asked on each connection, then every 2 s.
  let degraded = false;
  let stopHealth = () => {};
  const healthChanged = (now: boolean) => {
    degraded = now;
    if (flags.json) emit({ type: "health", status: now ? "degraded" : "ok", ...(now ? { note: DEGRADED_LINE.trim() } : {}) });
    else redraw();
  };

  // Off a terminal (a pipe, a file), a state line is printed when it changes and the table when the
  // list does (listKey): not again on each resync or redraw, and not before a list has come.
  let printedLine: string | undefined;
  let printedList: string | undefined;
  let listKnown = false;
  const draw = () => {
    pending = undefined;
    const now = gatewayNow();
    const line = stateLine(flags, state, client, failed, degraded);
    const header = `gateway-presence watch  ${new Date(now).toISOString()}\n${line}\n`;
    const table = renderInstances(client.presence.entries, now);
    if (tty) return void process.stdout.write(`\x1b[H\x1b[2J${header}\n${table}\n`);
    const list = listKnown ? listKey(client.presence.version, client.presence.entries, now) : undefined;
    const listChanged = list !== undefined && list !== printedList;
    if (!listChanged && line === printedLine) return;
    printedLine = line;
    if (listChanged) printedList = list;
    process.stdout.write(listChanged ? `${header}\n${table}\n\n` : `${header}\n`);
  };
  // Bursts of events give one redraw.
  const redraw = () => (pending ??= setTimeout(draw, 50));
  const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

  client.on("state", (change) => {
    if (gaveUp) return;
    const stop = stopReason(flags, change, startedAt, opened, tokenGiven);
    if (stop !== undefined) {
      gaveUp = true;
      // The closed state (--json's last line) says what stderr says.
      change = { state: "closed", reason: stop, ...(change.error ? { error: change.error } : {}) };
      void exit(1, stop);
    }
    if (change.state === "open") opened = true;
    state = change;
    if (change.state === "reconnecting") failed = change;
    else if (change.state === "open") failed = undefined;
    const hint = hintFor(change, flags.binding);
    const reason = change.reason === undefined ? undefined : redactUrlsIn(jsonReason(change), [flags.url]);
    if (flags.json) emit({ type: "state", state: change.state, reason, attempt: change.attempt, delayMs: change.delayMs, ...refusalFields(change, flags.url), ...(hint ? { hint } : {}) });
    else redraw();
    if (change.state === "open") {
      stopHealth();
      stopHealth = pollHealth(flags.url, degraded, healthChanged);
    }
  });
  client.presence.on("change", (change: MirrorChange) => {
    // The client has read this list's timestamps into gatewayClock before telling its listeners (a
    // snapshot starts the estimate over), so the first JSON line's status and ageMs are on the gateway's clock too.
    listKnown = true;
    if (!flags.json) return redraw();
    const now = gatewayNow();
    // One line per list change: a resync that finds the same list (keep-alives moved only ts) prints none.
    const list = listKey(change.version, change.entries, now);
    if (list === printedList) return;
    printedList = list;
    emit({ type: "presence", source: change.source, version: change.version, instances: instancesJson(change.entries, now) });
  });
  const ticker = tty ? setInterval(redraw, flags.refreshMs) : undefined;
  // A quiet client's row is kept fresh by keep-alives, which push nothing (SPEC P7): without a
  // re-read its age would grow here until it showed Stale while it is connected.
  const resyncer = setInterval(() => {
    if (state.state === "open") client.presence.resync().catch(() => {});
  }, flags.resyncMs);

  let exiting = false;
  const exit = async (code: number, message?: string) => {
    if (exiting) return;
    exiting = true;
    clearInterval(ticker);
    clearInterval(resyncer);
    clearTimeout(pending);
    stopHealth();
    await client.close();
    if (message) process.stderr.write(`gateway-presence watch: ${message}\n`);
    process.exitCode = code;
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
  const onSignal = () => void exit(0);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    await client.connect({ retry: true });
  } catch (error) {
    return exit(1, describeFailure(flags.url, error, flags.binding, tokenGiven));
  }
  // A fatal answer on a later re-handshake (e.g. the token was changed) ends the watch.
  client.on("state", (change) => {
    if (change.state === "closed" && change.error) void exit(1, describeFailure(flags.url, change.error, flags.binding, tokenGiven));
  });
}
