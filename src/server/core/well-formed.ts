/**
 * Strings the gateway stores must be well-formed Unicode. JSON lets a client send a lone surrogate
 * (`"\udc00"`), which UTF-8 cannot carry: a cluster's Redis got `U+FFFD` in its place, so
 * `"k\udc00"` and `"k\udc01"` were one row there (the second beacon overwrote the first's row) and
 * two on a gateway alone, a role `"\udc00"` vanished, and the CLI, the page and recordings each showed
 * something else. Refused on every gateway alike, as INVALID_PARAMS naming the field (SPEC B1).
 */
import type { ValidationIssue } from "../../protocol/errors.js";

/** The params strings a method stores in a row (connect: P2; system-event: M2). Unknown fields are ignored as before. */
const STORED_POINTERS: Record<string, { fields: readonly string[]; lists: readonly string[] }> = {
  connect: {
    fields: ["/client/id", "/client/displayName", "/client/version", "/client/platform", "/client/deviceFamily", "/client/modelIdentifier", "/client/mode", "/client/instanceId"],
    lists: ["/scopes"],
  },
  "system-event": {
    fields: ["/instanceId", "/text", "/host", "/ip", "/version", "/platform", "/deviceFamily", "/modelIdentifier", "/mode", "/reason"],
    lists: ["/roles", "/scopes"],
  },
};

/** A pointer and its keys, split once here: this runs on every beacon and every connect. */
type Pointer = { path: string; keys: readonly string[] };
const pointer = (path: string): Pointer => ({ path, keys: path.slice(1).split("/") });
const STORED: Record<string, { fields: readonly Pointer[]; lists: readonly Pointer[] }> = Object.fromEntries(
  Object.entries(STORED_POINTERS).map(([method, { fields, lists }]) => [method, { fields: fields.map(pointer), lists: lists.map(pointer) }]),
);

function at(value: unknown, { keys }: Pointer): unknown {
  let here = value;
  for (const key of keys) {
    if (here === null || typeof here !== "object" || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

function issue(path: string, text: string): ValidationIssue | undefined {
  // The usual case, answered natively without a regex (String.prototype.isWellFormed, Node >= 20).
  // (ES2024: not in this project's ES2022 lib typings, hence the cast.)
  if ((text as string & { isWellFormed(): boolean }).isWellFormed()) return undefined;
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
  for (const field of stored.fields) {
    const value = at(params, field);
    const found = typeof value === "string" ? issue(field.path, value) : undefined;
    if (found) return found;
  }
  for (const field of stored.lists) {
    const list = at(params, field);
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const item: unknown = list[i];
      const found = typeof item === "string" ? issue(`${field.path}/${i}`, item) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
