/**
 * The URL part of redaction (redact.ts has the rest): what a gateway URL can hold that output must
 * not show, `user:password@`, credential query values (`?token=`), OpenClaw capability paths, and the
 * URL's own secrets wherever a message quotes them. Kept apart so the browser client, which only ever
 * shows URLs and messages that quote them, carries this and not the JSON/text patterns and value walk.
 * `redactUrl` and `redactUrlsIn` take the text redactor to finish with: here the URL-only
 * `redactUrlText`, in redact.ts its full `redactText`.
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

/** OpenClaw's capability URLs (`/__openclaw__/cap/<token>`). */
const CAPABILITY_PATH = /(\/__openclaw__\/cap\/)[A-Za-z0-9_-]+/g;

/** Known secrets shorter than this are not replaced inside text (a 2-letter token would mangle every report). */
export const MIN_LITERAL_LENGTH = 6;

/** `text` with each known secret (at least MIN_LITERAL_LENGTH long) replaced. */
export function redactLiterals(text: string, literals: readonly string[]): string {
  let out = text;
  for (const secret of literals) if (secret.length >= MIN_LITERAL_LENGTH) out = out.split(secret).join(REDACTED);
  return out;
}

/** URL credentials, credential query values and capability paths anywhere in `text`. */
export function redactUrlParts(text: string): string {
  return text
    .replace(URL_CREDENTIALS, (m, scheme: string, credentials: string) => (credentials === REDACTED ? m : `${scheme}${REDACTED}@`))
    .replace(QUERY_PARAM, (m, sep: string, name: string, value: string) => (value === "" || value === REDACTED || !querySecret(name) ? m : `${sep}${name}=${REDACTED}`))
    .replace(CAPABILITY_PATH, `$1${REDACTED}`);
}

/** The URL-only text redactor: known secrets, then the URL parts. */
export function redactUrlText(text: string, literals: readonly string[] = []): string {
  return redactUrlParts(redactLiterals(text, literals));
}

/** Finishes a redaction: `redactUrlText`, or redact.ts's `redactText`. */
export type TextRedactor = (text: string, literals?: readonly string[]) => string;

/**
 * A gateway URL as a recording or a report may show it: credentials (`ws://user:pass@host`) and
 * every query value replaced (a token in a URL is common: OpenClaw's dashboard takes `?token=`),
 * parameter names kept; a URL without them is returned as it is. Not a URL: `redactRest` alone.
 */
export function redactUrl(url: string, literals: readonly string[] = [], redactRest: TextRedactor = redactUrlText): string {
  const parsed = parseUrl(url);
  if (!parsed) return redactRest(url, literals);
  if (!parsed.username && !parsed.password && !parsed.search && !parsed.hash) return redactRest(url, literals);
  const credentials = parsed.username || parsed.password ? `${REDACTED}@` : "";
  const query = [...new Set(parsed.searchParams.keys())].map((name) => `${encodeURIComponent(name)}=${REDACTED}`).join("&");
  const hash = parsed.hash ? `#${REDACTED}` : "";
  return redactRest(`${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname}${query ? `?${query}` : ""}${hash}`, literals);
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
 * user gave: each URL as redactUrl shows it, then `redactRest` with the URLs' secrets as literals (an
 * error that quotes only part of a URL).
 */
export function redactUrlsIn(text: string, urls: readonly string[], literals: readonly string[] = [], redactRest: TextRedactor = redactUrlText): string {
  let out = text;
  for (const url of urls) if (url !== "") out = out.split(url).join(redactUrl(url, [], redactRest));
  return redactRest(out, [...literals, ...urls.flatMap(urlSecrets)]);
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
