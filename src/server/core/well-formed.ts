/**
 * Strings the gateway stores must be well-formed Unicode. JSON lets a client send a lone surrogate
 * (`"\udc00"`), which UTF-8 cannot carry: a cluster's Redis got `U+FFFD` in its place, so
 * `"k\udc00"` and `"k\udc01"` were one row there (the second beacon overwrote the first's row) and
 * two on a gateway alone, a role `"\udc00"` vanished, and the CLI, the page and recordings each showed
 * something else. Refused on every gateway alike, as INVALID_PARAMS naming the field (SPEC B1).
 */
import type { ValidationIssue } from "../../protocol/errors.js";

/**
 * The params strings a method stores in a row (connect: P2; system-event: M2), by the object that
 * holds them (`""`: params itself; `"client"`: params.client) and name: 1 for a string, 2 for a list
 * of strings. Unknown fields are ignored as before.
 */
const STORED_FIELDS: Record<string, Record<string, Record<string, 1 | 2>>> = {
  connect: {
    client: { id: 1, displayName: 1, version: 1, platform: 1, deviceFamily: 1, modelIdentifier: 1, mode: 1, instanceId: 1 },
    "": { scopes: 2 },
  },
  "system-event": {
    "": { instanceId: 1, text: 1, host: 1, ip: 1, version: 1, platform: 1, deviceFamily: 1, modelIdentifier: 1, mode: 1, reason: 1, roles: 2, scopes: 2 },
  },
};

/**
 * The same as lookup tables without a prototype (`__proto__`, `constructor` are no field). This runs
 * on every beacon and every connect: the params' keys are walked once (for...in: JSON.parse gives
 * plain objects, whose prototype has no enumerable key, and an own `__proto__` key is looked up here
 * as no field), each looked up in these tables, rather than each field looked up in the params with
 * Object.hasOwn: a third of the time (0.4 against 1.3 µs a beacon, more than the schema check took).
 */
const STORED: Record<string, readonly { at: string; kinds: Readonly<Record<string, 1 | 2>> }[]> = Object.fromEntries(
  Object.entries(STORED_FIELDS).map(([method, holders]) => [
    method,
    Object.entries(holders).map(([at, kinds]) => ({ at, kinds: Object.assign(Object.create(null) as Record<string, 1 | 2>, kinds) })),
  ]),
);

/** String.prototype.isWellFormed (Node >= 20; ES2024, not in this project's ES2022 lib typings, hence the cast): native, no regex. */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** The issue of `text`, a string isWellFormed refused. */
function issue(path: string, text: string): ValidationIssue | undefined {
  // With the u flag a surrogate pair is one code point, outside this range: only a lone one matches.
  const index = text.search(/[\ud800-\udfff]/u);
  if (index < 0) return undefined;
  const code = text.charCodeAt(index).toString(16);
  return { path, message: `must be well-formed Unicode: a lone surrogate \\u${code} at index ${index} (no character; UTF-8 cannot carry it)`, keyword: "wellFormed" };
}

/** The first stored string of `method`'s (schema-valid) params that is not well-formed Unicode, or undefined. */
export function illFormedString(method: string, params: unknown): ValidationIssue | undefined {
  const stored = STORED[method];
  if (stored === undefined) return undefined;
  for (const { at, kinds } of stored) {
    const holder = at === "" ? params : (params as Record<string, unknown> | null)?.[at];
    if (holder === null || typeof holder !== "object") continue;
    for (const name in holder) {
      const kind = kinds[name];
      if (kind === undefined) continue;
      const value: unknown = (holder as Record<string, unknown>)[name];
      // A path is built only for a string that is refused (no string per field per request).
      if (kind === 1) {
        if (typeof value === "string" && !isWellFormed(value)) return issue(`${at === "" ? "" : `/${at}`}/${name}`, value);
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (typeof item === "string" && !isWellFormed(item)) return issue(`${at === "" ? "" : `/${at}`}/${name}/${i}`, item);
        }
      }
    }
  }
  return undefined;
}
