/**
 * `${...}` variables in scenario values: run values (`run`, `token`), actors (`a.instanceId`,
 * `a.connId`, `a.hello...`), captured values, generators (`gen.uuid`, `gen.str:N`) and filters
 * (`|upper`, `|lower`), integer offsets (`${now - 1000}`) and number-variable offsets written with spaces
 * (`${wall.now - config.halfTtlMs}`); `${wall.now}` is the harness's clock (ms) when the step runs. A string that
 * is exactly one variable keeps the value's type.
 */

export type Vars = Record<string, unknown>;

export class VariableError extends Error {
  /** `unset`: the variable (its first segment, `v0` of `${v0}`) was never set. */
  constructor(
    message: string,
    readonly unset?: string,
  ) {
    super(message);
    this.name = "VariableError";
  }
}

const WHOLE = /^\$\{([^{}]+)\}$/;
const PART = /\$\{([^{}]+)\}/g;
const MAX_GENERATED = 4 * 1024 * 1024;

function generate(expr: string): unknown {
  if (expr === "gen.uuid") return globalThis.crypto.randomUUID();
  const str = /^gen\.str:(\d+)$/.exec(expr);
  if (str) {
    const length = Number(str[1]);
    if (length > MAX_GENERATED) throw new VariableError(`\${${expr}}: at most ${MAX_GENERATED} characters`);
    return "x".repeat(length);
  }
  throw new VariableError(`unknown generator \${${expr}} (known: gen.uuid, gen.str:N)`);
}

/** Follows a dotted path (`a.hello.policy.maxPayload`, `rows.length`, `rows.0.host`). */
export function lookup(path: string, vars: Vars): unknown {
  const [head, ...rest] = path.split(".");
  if (!(head in vars)) throw new VariableError(`unknown variable \${${path}} (not set: is the step that sets it missing or failed?)`, head);
  let value: unknown = vars[head];
  for (const segment of rest) {
    if (value === null || typeof value !== "object") throw new VariableError(`\${${path}}: "${segment}" of a non-object`);
    if (!(segment in value)) throw new VariableError(`\${${path}}: no "${segment}"`);
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** `${now - 1000}`, `${t0 + 60000}`, `${wall.now - config.halfTtlMs}`: a number plus or minus an integer or a number variable. */
const ARITHMETIC = /^(.+?)\s+([+-])\s+(\d+|[A-Za-z_$][\w.$]*)$|^(.+?)([+-])(\d+)$/;

function evaluate(expr: string, vars: Vars): unknown {
  const [path, ...filters] = expr.split("|").map((s) => s.trim());
  const sum = ARITHMETIC.exec(path);
  if (sum && !path.startsWith("gen.")) {
    const [left, op, right] = sum[1] !== undefined ? [sum[1], sum[2]!, sum[3]!] : [sum[4]!, sum[5]!, sum[6]!];
    const base = lookup(left, vars);
    if (typeof base !== "number") throw new VariableError(`\${${expr}}: ${left} is not a number`);
    const offset = /^\d+$/.test(right) ? Number(right) : lookup(right, vars);
    if (typeof offset !== "number") throw new VariableError(`\${${expr}}: ${right} is not a number`);
    return op === "+" ? base + offset : base - offset;
  }
  let value = path.startsWith("gen.") ? generate(path) : lookup(path, vars);
  for (const filter of filters) {
    if (typeof value !== "string") throw new VariableError(`\${${expr}}: filter "${filter}" needs a string`);
    if (filter === "upper") value = value.toUpperCase();
    else if (filter === "lower") value = value.toLowerCase();
    else throw new VariableError(`\${${expr}}: unknown filter "${filter}" (known: upper, lower)`);
  }
  return value;
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Replaces variables in every string of a JSON value (object keys are left alone). */
export function resolve<T = unknown>(value: T, vars: Vars): T {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return evaluate(whole[1], vars) as T;
    return value.replace(PART, (_m, expr: string) => asText(evaluate(expr, vars))) as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, vars)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = resolve(inner, vars);
    return out as T;
  }
  return value;
}

/** Resolves a value that must be a number (a `withinMs` given as a variable). */
export function resolveNumber(value: number | string, vars: Vars, what: string): number {
  const resolved = resolve(value, vars);
  const n = typeof resolved === "string" ? Number(resolved) : resolved;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new VariableError(`${what}: ${JSON.stringify(value)} is not a number`);
  return n;
}

/** Reads a JSON Pointer (RFC 6901) out of a value; "" is the value itself. */
export function pointer(value: unknown, path: string): unknown {
  if (path === "") return value;
  if (!path.startsWith("/")) throw new VariableError(`capture: "${path}" is not a JSON Pointer (starts with "/")`);
  let current = value;
  for (const raw of path.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object" || !(segment in current)) {
      throw new VariableError(`capture: nothing at ${path}`);
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
