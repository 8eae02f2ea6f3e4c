/**
 * Strings the gateway stores must be well-formed Unicode. JSON lets a client send a lone surrogate
 * (`"\udc00"`), which UTF-8 cannot carry: a cluster's Redis got `U+FFFD` in its place, so
 * `"k\udc00"` and `"k\udc01"` were one row there (the second beacon overwrote the first's row) and
 * two on a gateway alone, a role `"\udc00"` vanished, and the CLI, the page and recordings each showed
 * something else. Refused on every gateway alike, as INVALID_PARAMS naming the field (SPEC B1).
 */
import type { ValidationIssue } from "../../protocol/errors.js";

/** The params strings a method stores in a row (connect: P2; system-event: M2). Unknown fields are ignored as before. */
const STORED: Record<string, { fields: readonly string[]; lists: readonly string[] }> = {
  connect: {
    fields: ["/client/id", "/client/displayName", "/client/version", "/client/platform", "/client/deviceFamily", "/client/modelIdentifier", "/client/mode", "/client/instanceId"],
    lists: ["/scopes"],
  },
  "system-event": {
    fields: ["/instanceId", "/text", "/host", "/ip", "/version", "/platform", "/deviceFamily", "/modelIdentifier", "/mode", "/reason"],
    lists: ["/roles", "/scopes"],
  },
};

function at(value: unknown, pointer: string): unknown {
  let here = value;
  for (const key of pointer.slice(1).split("/")) {
    if (here === null || typeof here !== "object" || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

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
  for (const path of stored.fields) {
    const value = at(params, path);
    const found = typeof value === "string" ? issue(path, value) : undefined;
    if (found) return found;
  }
  for (const path of stored.lists) {
    const list = at(params, path);
    if (!Array.isArray(list)) continue;
    for (const [i, item] of list.entries()) {
      const found = typeof item === "string" ? issue(`${path}/${i}`, item) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}
