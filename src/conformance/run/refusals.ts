/**
 * A WebSocket upgrade the server refused with an HTTP answer instead of `101` (a gateway's
 * new-connection rate limit answers 503 + Retry-After, docs/security.md): what it answered (status,
 * the wait `Retry-After` asked for, its body's text: transport/refused-upgrade.ts reads them), and the words the probe and the run
 * error use for it. A refusal of 429 or 503 says "not now", not "this gateway breaks a rule": a
 * scenario that meets one waits what it asks and tries again (actors.ts), and one still refused is
 * not run and ends the run (runner.ts), as an unreachable gateway does.
 */
import { STATUS_CODES } from "node:http";
import { waitSayable } from "../../client/errors.js";
import { upgradeRefusalMeaning } from "../report/pretty.js";
import type { WireError } from "../../transport/frames.js";
import type { RefusedUpgradeAnswer } from "../../transport/refused-upgrade.js";

/** The probe's waits for a gateway that says "try again" without saying how long it asks (or asks out of bounds). */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;
export const RETRY_DEFAULT_MS = 500;

/** Connection errors worth waiting out: nothing listens yet, or the server is restarting. HTTP refusals: RETRYABLE_STATUSES. */
export const RETRYABLE_OPEN = /ECONNREFUSED|ECONNRESET|socket hang up|closed \((1006|1013)\) before it opened/;
/** Upgrade answers that say "not now": rate limits (429, 503) and a proxy whose gateway is not up yet (502, 504). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** OpenClaw's `retryable` / `UNAVAILABLE`, or any error carrying `retryAfterMs`: the gateway says "try again". */
export function retryAfter(error: WireError): number | undefined {
  const data = error.data ?? {};
  const native = (data.native ?? {}) as Record<string, unknown>;
  const after = [data.retryAfterMs, native.retryAfterMs].find((v): v is number => typeof v === "number" && Number.isFinite(v));
  const retryable = native.retryable === true || data.retryable === true || native.code === "UNAVAILABLE" || after !== undefined;
  if (!retryable) return undefined;
  return Math.min(Math.max(Math.floor(after ?? RETRY_DEFAULT_MS), RETRY_MIN_MS), RETRY_MAX_MS);
}

/** The statuses that say "too many, try later" (RFC 6585 §4, RFC 9110 §15.6.4). */
export const RATE_STATUSES: ReadonlySet<number> = new Set([429, 503]);
/** The harness's own wait before trying again when the refusal asked for none. */
export const REFUSED_BACKOFF_MS = 500;
/** At most this many opens per actor's connection in a scenario (the first and the retries). */
export const MAX_REFUSED_ATTEMPTS = 5;
/** What a refused upgrade said: its status, the wait `Retry-After` asked for (ms), the body's text as its reason. */
export type Refusal = RefusedUpgradeAnswer;

/** A wait in seconds, to a tenth: `10 s`, `0.5 s`. */
export const secondsText = (ms: number): string => `${+(ms / 1000).toFixed(1)} s`;

/** A wait a gateway asked for: `a 10 s wait`; past a week (or a Retry-After too large to be a number), `a wait of more than a week`. */
export const askedWaitText = (ms: number): string => (waitSayable(ms) ? `a ${secondsText(ms)} wait` : "a wait of more than a week");

/** Opening failed because the upgrade was answered with an HTTP status: ws's words, and what was answered. */
export class RefusedUpgradeError extends Error {
  override readonly name = "RefusedUpgradeError";
  constructor(
    url: string,
    readonly refusal: Refusal,
  ) {
    super(`could not open ${url}: Unexpected server response: ${refusal.httpStatus}`);
  }
}

/** A scenario's actor still refused (429/503) after waiting what was asked: the scenario is not run, the run ends. */
export class GatewayRefusedError extends Error {
  override readonly name = "GatewayRefusedError";
  constructor(
    readonly refusal: Refusal,
    readonly detail: string,
  ) {
    super(refusedConnectionsText(refusal, detail));
  }
}

/**
 * Nothing listens at the gateway's address any more (ECONNREFUSED) in a scenario, after the probe and
 * the scenarios before connected there: the gateway stopped, crashed or is restarting. No verdict on
 * the rules of the scenario that met it (it is not run, and the run ends, as after refusals): every
 * later scenario would otherwise fail its first connect, each naming its own rules.
 */
export class GatewayGoneError extends Error {
  override readonly name = "GatewayGoneError";
  /** `what`: what the scenario met (`actor "app" of k3-... could not open its connection`), said after the cause. */
  constructor(url: string, what: string, reason: string) {
    super(
      `the gateway at ${url} stopped accepting connections during the run (${reason}: nothing listens there any more; ` +
        `it stopped, crashed or is restarting): ${what}, so it and the scenarios after it were not run`,
    );
  }
}

/**
 * `refused the WebSocket upgrade: HTTP 503 Service Unavailable, saying "too many new connections ...",
 * asking for a 1 s wait (Retry-After)`: what the gateway answered (as list and watch word it) and its
 * reason; for 429 and 503 ("not now") the wait it asked for (or that it asked none), for 401, 403 and
 * 404 what list says the status means (REFUSALS_FOR_A_PERSON: `(wrong path: ...; check --url)`).
 */
export function refusalText(refusal: Refusal): string {
  const name = STATUS_CODES[refusal.httpStatus] ? ` ${STATUS_CODES[refusal.httpStatus]}` : "";
  const said = `refused the WebSocket upgrade: HTTP ${refusal.httpStatus}${name}${refusal.reason ? `, saying "${refusal.reason}"` : ""}`;
  const meaning = upgradeRefusalMeaning(refusal.httpStatus);
  if (!RATE_STATUSES.has(refusal.httpStatus)) return meaning ? `${said} (${meaning})` : said;
  const wait = refusal.retryAfterMs === undefined ? "with no Retry-After" : `asking for ${askedWaitText(refusal.retryAfterMs)} (Retry-After)`;
  return `${said}, ${wait}`;
}

/**
 * The run error of a run that met a refusal it could not wait out: one line with what was answered,
 * what was tried (`detail`) and what to change on a test instance.
 */
export function refusedConnectionsText(refusal: Refusal, detail: string): string {
  const what = refusal.httpStatus === 429 || refusal.retryAfterMs !== undefined ? "rate-limited" : "refused";
  return (
    `the gateway ${what} new connections: it ${refusalText(refusal)}; ${detail}; on a test instance raise or switch off ` +
    `its connection limits (e.g. serve --connection-rate off)`
  );
}
