/**
 * The fuzzer's frames, for both bindings: requests built from the schemas (schema-arbitrary.ts), then
 * mutated (truncated, nested deep, numbers too large for JSON, odd Unicode, wrong types, duplicated
 * keys, prototype keys, oversize), raw junk, batches, binary and invalid UTF-8. Every beacon and
 * connect carries an instanceId of its own (`<tag>-<n>`), so the fuzzer can tell afterwards that a
 * refused frame left no row behind.
 */
import fc from "fast-check";
import { arbitraryFor, loadSchema } from "./schema-arbitrary.js";

export type FuzzBinding = "jsonrpc" | "openclaw";

export interface FuzzFrame {
  /** What the frame is, for the tallies: `valid:system-event`, `mutated:truncate`, `raw`, ... */
  kind: string;
  text: string | Buffer;
  /** Sent as a binary frame. */
  binary?: boolean;
  /** The request id the answer will carry, when the frame still has one. */
  id?: string | number;
  /** The instanceId a beacon or connect in this frame would write, if it is accepted. */
  writes?: string;
  /** The gateway must refuse it whatever else it holds (an id it cannot answer): its write is a trace. */
  refused?: boolean;
}

const SCHEMAS = {
  connect: loadSchema("ConnectParams"),
  "system-event": loadSchema("SystemEventParams"),
  "system-presence": loadSchema("SystemPresenceParams"),
};
const PARAMS = {
  connect: arbitraryFor(SCHEMAS.connect) as fc.Arbitrary<Record<string, any>>,
  "system-event": arbitraryFor(SCHEMAS["system-event"]) as fc.Arbitrary<Record<string, any>>,
  "system-presence": arbitraryFor(SCHEMAS["system-presence"]) as fc.Arbitrary<Record<string, any>>,
};

/**
 * Numerals JSON cannot carry exactly, written into the text as they are. As a request id each is
 * refused: Infinity, an unsafe integer, -0, or a numeral JSON.parse changes (1e-400 -> 0,
 * 1.00000000000000001 -> 1; src/transport/id-numeral.ts).
 */
const LOSSY_NUMERALS = ["1e400", "-1e400", "9007199254740993", "-0", "1e-400", "123456789012345678901234567890", "1.7976931348623157e309", "0.1e-99999", "1.00000000000000001"];
const JUNK = ["", " ", "null", "true", "42", '"text"', "{}", "[]", "[1,2,3]", "{not json", '{"jsonrpc":"2.0"', "\u0000", "{\"a\":}", "[[[]]", "\ufeff{}", "{\"jsonrpc\":\"2.0\",\"method\":\"connect\"}"];
const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, "", " ", true, [], {}, [1, "a"], { nested: { deeper: [null] } }, "x".repeat(300)];
const MUTATIONS = ["truncate", "deep-nesting", "lossy-number", "wrong-type", "duplicate-key", "prototype-keys", "unknown-field", "drop-field", "lossy-id", "oversize"] as const;

interface Plan {
  method: "connect" | "system-event" | "system-presence" | "other";
  params: Record<string, any> | undefined;
  otherMethod: string;
  mutation: (typeof MUTATIONS)[number] | "none";
  /** Random numbers for the mutation's choices. */
  r: number[];
  junk: string;
  wrong: unknown;
  batchSize: number;
  shape: "request" | "raw" | "batch" | "binary" | "bad-utf8";
}

const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  method: fc.constantFrom("connect", "system-event", "system-event", "system-event", "system-presence", "other"),
  params: fc.oneof(PARAMS.connect, PARAMS["system-event"], PARAMS["system-presence"]),
  otherMethod: fc.oneof(fc.constantFrom("test.clock.advance", "presence.resync", "health", "", "system-presence ", "CONNECT"), fc.string({ maxLength: 12 })),
  // Oversized frames (512 KiB each) and deep nesting are rare: they are costly and close connections.
  mutation: fc.oneof(
    { weight: 100, arbitrary: fc.constant("none" as const) },
    { weight: 18, arbitrary: fc.constantFrom("truncate" as const, "lossy-number" as const, "wrong-type" as const) },
    { weight: 12, arbitrary: fc.constantFrom("duplicate-key" as const, "prototype-keys" as const, "unknown-field" as const, "drop-field" as const, "lossy-id" as const) },
    { weight: 4, arbitrary: fc.constant("deep-nesting" as const) },
    { weight: 1, arbitrary: fc.constant("oversize" as const) },
  ),
  r: fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 4, maxLength: 4 }),
  junk: fc.oneof(fc.constantFrom(...JUNK), fc.string({ unit: "binary", maxLength: 40 })),
  wrong: fc.constantFrom(...WRONG_VALUES),
  batchSize: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(100, 101, 150)),
  shape: fc.oneof({ weight: 20, arbitrary: fc.constant("request" as const) }, { weight: 2, arbitrary: fc.constantFrom("raw" as const, "batch" as const) }, { weight: 1, arbitrary: fc.constantFrom("binary" as const, "bad-utf8" as const) }),
});

/** Builds frames for one binding; ids and instanceIds count up from where the last call stopped. */
export class FrameFactory {
  #seq = 0;

  constructor(
    readonly binding: FuzzBinding,
    /** Prefix of every instanceId the fuzzer writes (one run's rows are then told apart). */
    readonly tag: string,
    /** The gateway's maxPayload: `oversize` frames go one byte past it. */
    readonly maxPayload: number,
  ) {}

  /** `count` frames from `seed` (the same seed gives the same frames). */
  frames(count: number, seed: number): FuzzFrame[] {
    return fc.sample(planArbitrary, { seed, numRuns: count }).map((plan) => this.#build(plan));
  }

  /** A valid connect that this binding's gateway accepts (protocol in range). */
  connect(mode = "backend"): FuzzFrame {
    const writes = this.#nextInstanceId();
    const params = { minProtocol: 1, maxProtocol: 4, client: { id: "fuzz", version: "1.0.0", platform: "fuzz", mode, instanceId: writes } };
    return this.#request("connect", params, "valid:connect", writes);
  }

  /** A request whose answer shows that every frame sent before it was handled. */
  sentinel(): FuzzFrame {
    return this.#request("system-presence", {}, "sentinel");
  }

  #nextInstanceId(): string {
    return `${this.tag}-${(this.#seq++).toString().padStart(7, "0")}`;
  }

  #nextId(): string | number {
    const n = this.#seq++;
    return this.binding === "openclaw" || n % 2 === 0 ? `r${n}` : n;
  }

  #request(method: string, params: unknown, kind: string, writes?: string): FuzzFrame {
    const id = this.#nextId();
    const frame = this.binding === "openclaw" ? { type: "req", id: String(id), method, params } : { jsonrpc: "2.0", id, method, params };
    return { kind, text: JSON.stringify(frame), id: this.binding === "openclaw" ? String(id) : id, ...(writes ? { writes } : {}) };
  }

  #build(plan: Plan): FuzzFrame {
    switch (plan.shape) {
      case "raw":
        return { kind: "raw", text: plan.junk };
      case "binary":
        return { kind: "binary", text: Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "system-presence" })), binary: true };
      case "bad-utf8":
        return { kind: "bad-utf8", text: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) };
      case "batch":
        return this.#batch(plan);
      default:
        return this.#mutated(plan);
    }
  }

  #batch(plan: Plan): FuzzFrame {
    const entries: string[] = [];
    for (let i = 0; i < plan.batchSize; i++) {
      const f = this.#mutated({ ...plan, mutation: i % 3 === 2 ? "wrong-type" : "none", method: i % 2 === 0 ? "system-event" : "system-presence" });
      entries.push(typeof f.text === "string" ? f.text : "null");
    }
    // A repeated id now and then: the whole batch must then be refused.
    if (plan.r[0]! < 0.2 && entries.length >= 2) entries.push(entries[0]!);
    return { kind: `batch:${plan.batchSize}`, text: `[${entries.join(",")}]` };
  }

  #mutated(plan: Plan): FuzzFrame {
    const method = plan.method === "other" ? plan.otherMethod : plan.method;
    let params: Record<string, any> | undefined = plan.params;
    let writes: string | undefined;
    if (method === "connect") {
      writes = this.#nextInstanceId();
      const base = plan.params && "client" in plan.params ? plan.params : {};
      params = { ...base, client: { id: "fuzz", version: "1", platform: "fuzz", mode: "ui", ...base.client, instanceId: writes } };
      if (plan.r[1]! < 0.8) Object.assign(params, { minProtocol: 1, maxProtocol: 4 });
    } else if (method === "system-event") {
      writes = this.#nextInstanceId();
      params = { ...(plan.params && !("client" in plan.params) ? plan.params : {}), instanceId: writes };
    } else if (method === "system-presence") {
      params = plan.r[1]! < 0.5 ? undefined : {};
    }
    const frame = this.#request(method, params, plan.mutation === "none" ? `valid:${plan.method}` : `mutated:${plan.mutation}`, writes);
    const text = frame.text as string;
    const at = (r: number, n: number) => Math.floor(r * n);
    switch (plan.mutation) {
      case "none":
        return frame;
      case "truncate":
        return { ...frame, text: text.slice(0, at(plan.r[2]!, text.length)), id: undefined };
      case "deep-nesting": {
        const depth = [10, 1_000, 20_000][at(plan.r[2]!, 3)]!;
        const nest = plan.r[3]! < 0.5 ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
        return { ...frame, text: replaceValue(text, plan.r[1]!, nest) };
      }
      case "lossy-number":
        return { ...frame, text: replaceValue(text, plan.r[1]!, LOSSY_NUMERALS[at(plan.r[2]!, LOSSY_NUMERALS.length)]!) };
      case "lossy-id":
        // No answer can carry this id (it is answered with null), and nothing the frame asks may run.
        return { ...frame, id: undefined, refused: true, text: text.replace(/"id":("[^"]*"|-?\d+)/, `"id":${LOSSY_NUMERALS[at(plan.r[2]!, LOSSY_NUMERALS.length)]}`) };
      case "wrong-type":
        return { ...frame, text: replaceValue(text, plan.r[1]!, JSON.stringify(plan.wrong)) };
      case "duplicate-key": {
        const extra = plan.r[2]! < 0.5 ? `"method":${JSON.stringify(plan.otherMethod)}` : `"params":${JSON.stringify(plan.wrong)}`;
        return { ...frame, text: `${text.slice(0, -1)},${extra}}` };
      }
      case "prototype-keys":
        return { ...frame, text: text.replace(/"params":\{/, '"params":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},') };
      case "unknown-field":
        return { ...frame, text: text.replace(/"params":\{/, '"params":{"deviceId":"x","bogus":1,') };
      case "drop-field":
        return { ...frame, text: text.replace(/"(minProtocol|client|jsonrpc|type|method)":("[^"]*"|\d+|\{[^{}]*\}),?/, "") };
      case "oversize":
        // One in four is really oversized (it closes the connection); the others sit just under the cap.
        return { ...frame, text: `${text.slice(0, -1)},"pad":"${"p".repeat(plan.r[3]! < 0.25 ? this.maxPayload : this.maxPayload - text.length - 16)}"}` };
    }
  }
}

/** Replaces the `r`-th JSON value in `text` (a number, string, true/false/null) with `value`. */
function replaceValue(text: string, r: number, value: string): string {
  const spots = [...text.matchAll(/:(-?\d[\d.eE+-]*|"(?:[^"\\]|\\.)*"|true|false|null)/g)];
  if (spots.length === 0) return text;
  const spot = spots[Math.floor(r * spots.length)]!;
  return `${text.slice(0, spot.index! + 1)}${value}${text.slice(spot.index! + spot[0].length)}`;
}
