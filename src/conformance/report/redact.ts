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

/** Known secrets shorter than this are not replaced inside text (a 2-letter token would mangle every report). */
export const MIN_LITERAL_LENGTH = 6;

export function redactText(text: string, literals: readonly string[] = []): string {
  let out = text;
  for (const secret of literals) if (secret.length >= MIN_LITERAL_LENGTH) out = out.split(secret).join(REDACTED);
  return out
    .replace(JSON_IN_TEXT, (_m, head: string, value: string, tail: string) => (value === REDACTED ? `${head}${value}${tail}` : `${head}${REDACTED}${tail}`))
    .replace(ASSIGNMENT_IN_TEXT, (_m, head: string) => `${head}${REDACTED}`)
    .replace(CAPABILITY_PATH, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`);
}

export interface RedactOptions {
  /** Keep device signatures (they are bound to a one-time nonce; for signature-replay tests only). */
  keepSignatures?: boolean;
  /** Secret strings replaced wherever they occur (e.g. the gateway token). */
  literals?: readonly string[];
}

/** A deep copy with every secret replaced. */
export function redactValue(value: unknown, options: RedactOptions = {}): unknown {
  if (typeof value === "string") return redactText(value, options.literals);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, options));
  if (value === null || typeof value !== "object") return value;
  // fromEntries, not assignment: a gateway's `"__proto__"` key stays a key of the copy (assigning it
  // would set the copy's prototype and drop it from the report).
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const keep = options.keepSignatures === true && key === "signature";
      return [key, isSecretKey(key) && !keep && inner !== undefined && inner !== null && inner !== "" ? REDACTED : redactValue(inner, options)];
    }),
  );
}
