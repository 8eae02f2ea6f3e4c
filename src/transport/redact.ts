/**
 * Secrets never reach a recording, a fixture or a conformance report: values under secret-named keys,
 * secrets inside text (a logged JSON object, a capability URL) and known secret strings (the gateway
 * token a run was given) are replaced by REDACTED. The URL part is redact-url.ts (all the browser
 * client needs); `redactUrl` and `redactUrlsIn` here finish with the full `redactText`.
 */
import { isSecretKey, redactLiterals, redactUrl as redactUrlWith, redactUrlParts, redactUrlsIn as redactUrlsInWith, REDACTED, SECRET_KEYS } from "./redact-url.js";

export { isSecretKey, MIN_LITERAL_LENGTH, parseUrl, REDACTED, SECRET_KEYS, urlSecrets } from "./redact-url.js";

const KEY_ALTERNATION = SECRET_KEYS.join("|");
/** `"deviceToken":"..."` or `\"token\": \"...\"` inside a string (a logged JSON object). */
const JSON_IN_TEXT = new RegExp(`(\\\\?"(?:${KEY_ALTERNATION})\\\\?"\\s*:\\s*\\\\?")((?:[^"\\\\]|\\\\(?!"))*)(\\\\?")`, "gi");
/** `token=...` / `token: ...` in free text. */
const ASSIGNMENT_IN_TEXT = new RegExp(`\\b((?:${KEY_ALTERNATION})\\s*[=:]\\s*)(?!<REDACTED>)([A-Za-z0-9._~+/=-]{8,})`, "gi");
/** Bearer credentials. */
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]+/g;

/** Known secrets, secret-named keys' values in JSON or `key=value` text, URL secrets, bearer credentials. */
export function redactText(text: string, literals: readonly string[] = []): string {
  const out = redactLiterals(text, literals)
    .replace(JSON_IN_TEXT, (_m, head: string, value: string, tail: string) => (value === REDACTED ? `${head}${value}${tail}` : `${head}${REDACTED}${tail}`))
    .replace(ASSIGNMENT_IN_TEXT, (_m, head: string) => `${head}${REDACTED}`);
  return redactUrlParts(out).replace(BEARER, `$1${REDACTED}`);
}

/**
 * A gateway URL as a recording or a report may show it: credentials (`ws://user:pass@host`) and
 * every query value replaced (a token in a URL is common: OpenClaw's dashboard takes `?token=`),
 * parameter names kept; a URL without them is returned as it is. Not a URL: redactText.
 */
export function redactUrl(url: string, literals: readonly string[] = []): string {
  return redactUrlWith(url, literals, redactText);
}

/**
 * `text` (a message, an error, a status line) as output may show it when it may quote the URLs the
 * user gave: each URL as redactUrl shows it, then redactText with the URLs' secrets as literals (an
 * error that quotes only part of a URL).
 */
export function redactUrlsIn(text: string, urls: readonly string[], literals: readonly string[] = []): string {
  return redactUrlsInWith(text, urls, literals, redactText);
}

export interface RedactOptions {
  /** Keep device signatures (they are bound to a one-time nonce; for signature-replay tests only). */
  keepSignatures?: boolean;
  /** Secret strings replaced wherever they occur (e.g. the gateway token). */
  literals?: readonly string[];
  /** URLs the user gave (a run's gateway URLs): shown as redactUrl shows them wherever text quotes them. */
  urls?: readonly string[];
}

/**
 * Deepest nesting redactValue looks into. A frame from a hostile peer can nest 250,000 levels in
 * 500 KB: walking it recursively overflowed the stack (the recording proxy died of it), so a value
 * nested deeper is replaced by TOO_DEEP (it cannot be checked for secrets, so it is not kept).
 */
export const MAX_REDACT_DEPTH = 64;

export const TOO_DEEP = `<REDACTED: nested deeper than ${MAX_REDACT_DEPTH} levels>`;

/** A deep copy with every secret replaced (and anything nested deeper than MAX_REDACT_DEPTH: TOO_DEEP). */
export function redactValue(value: unknown, options: RedactOptions = {}, depth = 0): unknown {
  if (typeof value === "string") return options.urls ? redactUrlsIn(value, options.urls, options.literals) : redactText(value, options.literals);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_REDACT_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, options, depth + 1));
  // fromEntries, not assignment: a gateway's `"__proto__"` key stays a key of the copy (assigning it
  // would set the copy's prototype and drop it from the report).
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const keep = options.keepSignatures === true && key === "signature";
      return [key, isSecretKey(key) && !keep && inner !== undefined && inner !== null && inner !== "" ? REDACTED : redactValue(inner, options, depth + 1)];
    }),
  );
}
