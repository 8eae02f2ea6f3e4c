/**
 * Secrets never reach a recording, a fixture or a conformance report: values under secret-named keys,
 * secrets inside text (a logged JSON object, a capability URL) and known secret strings (the gateway
 * token a run was given) are replaced by REDACTED.
 */

export const REDACTED = "<REDACTED>";

/** Key names whose values are secrets (compared case-insensitively). */
export const SECRET_KEYS: readonly string[] = [
  "token",
  "deviceToken",
  "bootstrapToken",
  "accessToken",
  "refreshToken",
  "sessionToken",
  "password",
  "secret",
  "signature",
  "privateKey",
  "privateKeyPkcs8",
  "recoveryScope",
  "setupCode",
  "apiKey",
  "authorization",
  "cookie",
];

const SECRET_KEY_SET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(key.toLowerCase());
}

const KEY_ALTERNATION = SECRET_KEYS.join("|");
/** `"deviceToken":"..."` or `\"token\": \"...\"` inside a string (a logged JSON object). */
const JSON_IN_TEXT = new RegExp(`(\\\\?"(?:${KEY_ALTERNATION})\\\\?"\\s*:\\s*\\\\?")((?:[^"\\\\]|\\\\(?!"))*)(\\\\?")`, "gi");
/** `token=...` / `token: ...` in free text. */
const ASSIGNMENT_IN_TEXT = new RegExp(`\\b((?:${KEY_ALTERNATION})\\s*[=:]\\s*)(?!<REDACTED>)([A-Za-z0-9._~+/=-]{8,})`, "gi");
/** OpenClaw's capability URLs (`/__openclaw__/cap/<token>`) and bearer credentials. */
const CAPABILITY_PATH = /(\/__openclaw__\/cap\/)[A-Za-z0-9_-]+/g;
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]+/g;

/**
 * `user:password@` (or a lone user, often a token) after `://` anywhere in text. Anchored on `://`,
 * not on the scheme: a scheme pattern (`[a-z][a-z0-9+.-]*://`) took 0.4 s on 40 KB of `a.a.a.`
 * (each word boundary a new start scanning to the end), a minute on a 500 KB frame.
 */
const URL_CREDENTIALS = /(:\/\/)([^\s/?#@"'<>]+)@/g;
/** A query parameter (`?token=...`, `&access_token=...`) anywhere in text; judged by its name (querySecret). */
const QUERY_PARAM = /([?&])([A-Za-z0-9_.-]+)=([^&#\s"'<>]*)/g;
/** Query parameter names that carry credentials besides SECRET_KEYS (compared without `_`, `-`, `.`). */
const QUERY_SECRET_NAMES = new Set([...SECRET_KEY_SET, "auth", "key", "accesstoken", "sig"]);
const querySecret = (name: string) => QUERY_SECRET_NAMES.has(name.replace(/[_.-]/g, "").toLowerCase());

/** Known secrets shorter than this are not replaced inside text (a 2-letter token would mangle every report). */
export const MIN_LITERAL_LENGTH = 6;

export function redactText(text: string, literals: readonly string[] = []): string {
  let out = text;
  for (const secret of literals) if (secret.length >= MIN_LITERAL_LENGTH) out = out.split(secret).join(REDACTED);
  return out
    .replace(JSON_IN_TEXT, (_m, head: string, value: string, tail: string) => (value === REDACTED ? `${head}${value}${tail}` : `${head}${REDACTED}${tail}`))
    .replace(ASSIGNMENT_IN_TEXT, (_m, head: string) => `${head}${REDACTED}`)
    .replace(URL_CREDENTIALS, (m, scheme: string, credentials: string) => (credentials === REDACTED ? m : `${scheme}${REDACTED}@`))
    .replace(QUERY_PARAM, (m, sep: string, name: string, value: string) => (value === "" || value === REDACTED || !querySecret(name) ? m : `${sep}${name}=${REDACTED}`))
    .replace(CAPABILITY_PATH, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`);
}

/**
 * A gateway URL as a recording or a report may show it: credentials (`ws://user:pass@host`) and
 * every query value replaced (a token in a URL is common: OpenClaw's dashboard takes `?token=`),
 * parameter names kept; a URL without them is returned as it is. Not a URL: redactText.
 */
export function redactUrl(url: string, literals: readonly string[] = []): string {
  const parsed = parseUrl(url);
  if (!parsed) return redactText(url, literals);
  if (!parsed.username && !parsed.password && !parsed.search && !parsed.hash) return redactText(url, literals);
  const credentials = parsed.username || parsed.password ? `${REDACTED}@` : "";
  const query = [...new Set(parsed.searchParams.keys())].map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join("&");
  const hash = parsed.hash ? `#${REDACTED}` : "";
  return redactText(`${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname}${query ? `?${query}` : ""}${hash}`, literals);
}

/**
 * The secrets `url` holds that text elsewhere may echo: its user name and password and the values of
 * its credential-named query parameters (`token`, `access_token`, `key`, ... as redactText judges
 * them), as written and percent-decoded. Other query values are not listed: redactUrl blanks them in
 * the URL, but a value such as `openclaw` replaced in every message would garble the message.
 */
export function urlSecrets(url: string): string[] {
  const parsed = parseUrl(url);
  if (!parsed) return [];
  const found = [parsed.username, parsed.password];
  for (const pair of parsed.search.slice(1).split("&")) {
    const [name = "", value = ""] = pair.split(/=(.*)/s);
    if (querySecret(decoded(name))) found.push(value);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set([...found, ...found.map(decoded)])].filter((s) => s !== "").sort((a, b) => b.length - a.length);
}

/**
 * `text` (a message, an error, a status line) as output may show it when it may quote the URLs the
 * user gave: each URL as redactUrl shows it, then redactText with the URLs' secrets as literals (an
 * error that quotes only part of a URL).
 */
export function redactUrlsIn(text: string, urls: readonly string[], literals: readonly string[] = []): string {
  let out = text;
  for (const url of urls) if (url !== "") out = out.split(url).join(redactUrl(url));
  return redactText(out, [...literals, ...urls.flatMap(urlSecrets)]);
}

/** Percent-decoded (a query's `+` as a space), or as written when it does not decode. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** The URL, or undefined when it is not one (URL.canParse is newer than some browsers the client SDK runs in). */
export function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
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
