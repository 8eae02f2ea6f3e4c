/**
 * Matching expected values (from fixtures, variables already resolved) against what the gateway
 * sent. A literal object matches partially (listed keys only), a literal array element by element,
 * a primitive by equality. An object whose keys all start with `$` is an operator matcher; several
 * operators in one object must all hold (`{"$type": "integer", "$gte": 0}`).
 */

export interface Mismatch {
  /** JSON Pointer of the value that did not match. */
  path: string;
  message: string;
}

const TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"] as const;

export function isOperatorMatcher(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith("$"));
}

export function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

export function matches(expected: unknown, actual: unknown): boolean {
  return match(expected, actual).length === 0;
}

/** Every way `actual` differs from `expected`; empty when it matches. */
export function match(expected: unknown, actual: unknown, path = ""): Mismatch[] {
  if (isOperatorMatcher(expected)) return matchOperators(expected, actual, path);
  const fail = (message: string): Mismatch[] => [{ path, message }];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return fail(`expected an array, got ${show(actual)}`);
    if (actual.length !== expected.length) return fail(`expected ${expected.length} items, got ${actual.length}: ${show(actual)}`);
    return expected.flatMap((e, i) => match(e, actual[i], `${path}/${i}`));
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return fail(`expected an object, got ${show(actual)}`);
    return Object.entries(expected).flatMap(([key, e]) => match(e, (actual as Record<string, unknown>)[key], `${path}/${key}`));
  }
  return Object.is(expected, actual) ? [] : fail(`expected ${show(expected)}, got ${show(actual)}`);
}

function numberCheck(op: string, bound: unknown, actual: unknown, path: string): Mismatch[] {
  if (typeof bound !== "number") return [{ path, message: `${op} needs a number, the fixture has ${show(bound)}` }];
  if (typeof actual !== "number") return [{ path, message: `expected a number ${op} ${bound}, got ${show(actual)}` }];
  const ok = op === "$gt" ? actual > bound : op === "$gte" ? actual >= bound : op === "$lt" ? actual < bound : actual <= bound;
  return ok ? [] : [{ path, message: `expected ${op.slice(1)} ${bound}, got ${actual}` }];
}

function matchOperators(ops: Record<string, unknown>, actual: unknown, path: string): Mismatch[] {
  const out: Mismatch[] = [];
  const fail = (message: string) => out.push({ path, message });
  for (const [op, arg] of Object.entries(ops)) {
    switch (op) {
      case "$any":
        if (actual === undefined) fail("expected a value, got none");
        break;
      case "$absent":
        if (actual !== undefined) fail(`expected no value, got ${show(actual)}`);
        break;
      case "$regex": {
        const re = new RegExp(String(arg), typeof ops.$flags === "string" ? ops.$flags : "");
        if (typeof actual !== "string" || !re.test(actual)) fail(`expected a string matching /${String(arg)}/, got ${show(actual)}`);
        break;
      }
      case "$flags":
        break;
      case "$range": {
        const { min, max } = (arg ?? {}) as { min?: unknown; max?: unknown };
        if (min !== undefined) out.push(...numberCheck("$gte", min, actual, path));
        if (max !== undefined) out.push(...numberCheck("$lte", max, actual, path));
        break;
      }
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        out.push(...numberCheck(op, arg, actual, path));
        break;
      case "$type":
        if (!TYPES.includes(arg as (typeof TYPES)[number])) fail(`$type must be one of ${TYPES.join(", ")}`);
        else if (!(typeOf(actual) === arg || (arg === "number" && typeof actual === "number"))) fail(`expected ${String(arg)}, got ${show(actual)}`);
        break;
      case "$contains":
        if (!Array.isArray(arg)) fail(`$contains needs an array of matchers, got ${show(arg)}`);
        else if (!Array.isArray(actual)) fail(`expected an array, got ${show(actual)}`);
        else for (const item of arg as unknown[]) if (!actual.some((a) => matches(item, a))) fail(`no item matches ${show(item)} in ${show(actual)}`);
        break;
      case "$notContains":
        if (!Array.isArray(arg)) fail(`$notContains needs an array of matchers, got ${show(arg)}`);
        else if (!Array.isArray(actual)) fail(`expected an array, got ${show(actual)}`);
        else for (const item of arg as unknown[]) {
          const hit = actual.find((a) => matches(item, a));
          if (hit !== undefined) fail(`expected no item matching ${show(item)}, found ${show(hit)}`);
        }
        break;
      case "$len": {
        const length = Array.isArray(actual) || typeof actual === "string" ? actual.length : undefined;
        if (length === undefined) fail(`expected an array or string, got ${show(actual)}`);
        else out.push(...match(arg, length, `${path}/length`));
        break;
      }
      case "$exact":
        out.push(...matchExact(arg, actual, path));
        break;
      case "$eq":
        if (JSON.stringify(arg) !== JSON.stringify(actual)) fail(`expected exactly ${show(arg)}, got ${show(actual)}`);
        break;
      case "$not":
        if (matches(arg, actual)) fail(`expected anything but ${show(arg)}, got ${show(actual)}`);
        break;
      case "$oneOf":
        if (!(arg as unknown[]).some((m) => matches(m, actual))) fail(`expected one of ${show(arg)}, got ${show(actual)}`);
        break;
      default:
        fail(`unknown matcher ${op}`);
    }
  }
  return out;
}

/** Like a literal object match, but keys the expectation does not list must be absent. */
export function matchExact(expected: unknown, actual: unknown, path = ""): Mismatch[] {
  const out = match(expected, actual, path);
  if (out.length > 0 || expected === null || typeof expected !== "object" || Array.isArray(expected)) return out;
  const extra = Object.keys(actual as object).filter((k) => !(k in (expected as object)));
  return extra.length > 0 ? [{ path, message: `unexpected field(s) ${extra.join(", ")} in ${show(actual)}` }] : [];
}
