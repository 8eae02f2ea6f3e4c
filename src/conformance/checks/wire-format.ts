/**
 * SPEC §11: every frame a scenario received is checked against the contract's schemas, and what
 * is wrong is collected for the whole run, once per kind (rule, keyword, message, path pattern),
 * with the number of frames and the scenarios it appeared in. W1 (MUST): a frame breaks its schema
 * (types, required fields, length caps), cannot be decoded, or a jsonrpc error code is not an
 * integer (JSON-RPC 2.0 §5.1) or disagrees with its §10 name. W2 (SHOULD): fields beyond the
 * contract (`additionalProperties`). Findings never change a scenario's verdict.
 */
import type { SchemaName } from "../../generated/validate.js";
import { ERROR_CODES, type ErrorName } from "../../protocol/errors.js";
import { EVENTS, METHODS } from "../../protocol/methods.js";
import { sentCode, type InboundFrame, type RequestId, type WireError } from "../../transport/frames.js";
import { validate } from "../../validation/index.js";
import type { WireFinding, WireRecord, WireRule } from "../report/results.js";
import { rowKey, type Row } from "./list-checks.js";
import { evidenceWindow } from "../report/evidence-window.js";

/** What one connection received and sent (the run's WireConnection has these). */
export interface ReceivedFrames {
  /** `text`: the whole frame, when `record` keeps only its start. */
  received: readonly { frame: InboundFrame; record: WireRecord; text?: string }[];
  decodeErrors: readonly { message: string; record: WireRecord }[];
  /** Request id -> method, so results are validated against the method's schema. */
  methods: ReadonlyMap<RequestId, string>;
}

const RESULT_SCHEMA = new Map(METHODS.map((m) => [m.name, m.result as SchemaName]));
const EVENT_SCHEMA = new Map(EVENTS.map((e) => [e.name, e.payload as SchemaName]));

/** Where rows sit in each message: a finding below one of these is a finding about a row. */
const ROW_CONTAINERS: Partial<Record<SchemaName, RegExp>> = {
  PresenceEvent: /^\/presence\/(\d+)(\/.*)?$/,
  SystemPresenceResult: /^\/(\d+)(\/.*)?$/,
  HelloOk: /^\/snapshot\/presence\/(\d+)(\/.*)?$/,
};

interface Problem {
  schema: string;
  path: string;
  /** Where in the frame (a JSON Pointer its own path ends with), for the evidence window. */
  at?: string;
  keyword?: string;
  message: string;
  /** The row the problem is in, when it is in one. */
  row?: Row;
}

/** A frame that shows a kind, and the message its problem had (a message may quote the frame's value). */
interface Example {
  record: WireRecord;
  message: string;
  /** The whole frame when the record is cut, and where the problem is in it (a JSON Pointer, evidenceWindow). */
  text?: string;
  at?: string;
}

interface Kind {
  finding: Omit<WireFinding, "status" | "scenarios" | "plantedBy" | "paths" | "evidence" | "message"> & {
    scenarios: Set<string>;
    plantedBy: Set<string>;
    paths: Set<string>;
    schemas: string[];
  };
  /** Receiving scenario -> the shortest frame it received that shows this kind. */
  examples: Map<string, Example>;
}

/** Array indices become `*`: `/presence/3/user/id` -> `/presence/` + `*` + `/user/id`. */
export function pathPattern(path: string): string {
  return path.replace(/\/\d+(?=\/|$)/g, "/*");
}

function problemsOf(schema: SchemaName, value: unknown): Problem[] {
  // Every problem, not the gateway's capped list: a frame's 51st problem may be the only one of its
  // kind, and each kind is counted in every frame that has it.
  const result = validate(schema, value, { allErrors: true });
  if (result.ok) return [];
  const container = ROW_CONTAINERS[schema];
  return result.issues.map((issue) => {
    const inRow = container?.exec(issue.path);
    const row = inRow ? rowAt(schema, value, Number(inRow[1])) : undefined;
    // Rows are named the way the presence event carries them, wherever the row was seen.
    const path = inRow ? `/presence/${inRow[1]}${inRow[2] ?? ""}` : issue.path;
    return { schema, path, at: issue.path, keyword: issue.keyword, message: issue.message, ...(row ? { row } : {}) };
  });
}

function rowAt(schema: SchemaName, value: unknown, index: number): Row | undefined {
  const rows = schema === "PresenceEvent" ? (value as { presence?: unknown })?.presence : schema === "HelloOk" ? (value as { snapshot?: { presence?: unknown } })?.snapshot?.presence : value;
  const row = Array.isArray(rows) ? rows[index] : undefined;
  return row !== null && typeof row === "object" && !Array.isArray(row) ? (row as Row) : undefined;
}

/** The instanceIds a scenario sent (connect's client.instanceId, a beacon's instanceId): the rows it planted. */
function plantedIds(sent: readonly WireRecord[]): string[] {
  const ids: string[] = [];
  for (const record of sent) {
    let frame: unknown;
    try {
      frame = JSON.parse(record.text);
    } catch {
      continue;
    }
    for (const message of Array.isArray(frame) ? frame : [frame]) {
      const params = (message as { params?: { instanceId?: unknown; client?: { instanceId?: unknown } } } | null)?.params;
      for (const id of [params?.instanceId, params?.client?.instanceId]) if (typeof id === "string" && id.trim()) ids.push(id.trim().toLowerCase());
    }
  }
  return ids;
}

/** Collects the findings of a run, scenario by scenario (scenarios may run concurrently). */
export class WireFindings {
  readonly #kinds = new Map<string, Kind>();
  /** Row instanceId (lower case) -> the scenario that sent it first. */
  readonly #plantedBy = new Map<string, string>();
  /** Finding kind + row key -> the scenario a row-borne finding was first attributed to. */
  readonly #origin = new Map<string, string>();

  constructor(private readonly strict: boolean) {}

  /** Checks every frame one scenario received; `sent` is its wire log (for who planted which row). */
  collect(scenario: string, connections: readonly ReceivedFrames[], sent: readonly WireRecord[], bindingName: string): void {
    for (const id of plantedIds(sent.filter((r) => r.dir === "send"))) if (!this.#plantedBy.has(id)) this.#plantedBy.set(id, scenario);
    for (const conn of connections) {
      for (const { message, record } of conn.decodeErrors) this.#note(scenario, record, [{ schema: "decode", path: "", message: `not a frame of the ${bindingName} binding: ${message}` }]);
      for (const { frame, record, text } of conn.received) this.#note(scenario, record, this.#problems(frame, conn, bindingName), text);
    }
  }

  #problems(frame: InboundFrame, conn: ReceivedFrames, bindingName: string): Problem[] {
    if (frame.kind === "result") {
      const method = conn.methods.get(frame.id);
      const schema = method === undefined ? undefined : RESULT_SCHEMA.get(method);
      return schema ? problemsOf(schema, frame.result) : [];
    }
    if (frame.kind === "event") {
      const schema = EVENT_SCHEMA.get(frame.event);
      return schema ? problemsOf(schema, frame.payload) : [];
    }
    if (bindingName !== "jsonrpc") return [];
    const problems: Problem[] = problemsOf("ErrorData", frame.error.data).map((p) => ({ ...p, path: `/error/data${p.path}`, at: `/error/data${p.at ?? ""}` }));
    const codeProblem = errorCodeProblem(frame.error);
    if (codeProblem) problems.push(codeProblem);
    return problems;
  }

  #note(scenario: string, record: WireRecord, problems: Problem[], text?: string): void {
    const counted = new Set<string>();
    for (const problem of problems) {
      const rule: WireRule = problem.keyword === "additionalProperties" ? "W2" : "W1";
      const path = pathPattern(problem.path);
      const id = `${rule}:${problem.keyword ?? problem.schema}:${path}`;
      let kind = this.#kinds.get(id);
      if (!kind) {
        kind = {
          finding: {
            id,
            rule,
            level: rule === "W1" ? "MUST" : "SHOULD",
            schemas: [],
            path,
            paths: new Set(),
            ...(problem.keyword ? { keyword: problem.keyword } : {}),
            frames: 0,
            scenarios: new Set(),
            plantedBy: new Set(),
          },
          examples: new Map(),
        };
        this.#kinds.set(id, kind);
      }
      const f = kind.finding;
      if (!f.schemas.includes(problem.schema)) f.schemas.push(problem.schema);
      f.paths.add(pathPattern(problem.row ? `${concretePrefix(problem.schema)}${problem.path.replace(/^\/presence/, "")}` : problem.path));
      if (!counted.has(id)) {
        counted.add(id);
        f.frames++;
      }
      const origin = this.#attribute(id, scenario, problem.row);
      f.scenarios.add(origin.scenario);
      if (origin.planted) f.plantedBy.add(origin.scenario);
      const example = kind.examples.get(scenario);
      if (!example || size(record) < size(example.record)) kind.examples.set(scenario, { record, message: problem.message, ...(text !== undefined ? { text } : {}), ...(problem.at ? { at: problem.at } : {}) });
    }
  }

  /** The scenario that planted the row (sent its instanceId), else the first one that saw it with this finding. */
  #attribute(id: string, scenario: string, row: Row | undefined): { scenario: string; planted: boolean } {
    if (!row) return { scenario, planted: false };
    const instanceId = typeof row.instanceId === "string" ? row.instanceId.trim().toLowerCase() : undefined;
    const planted = instanceId === undefined ? undefined : this.#plantedBy.get(instanceId);
    if (planted) return { scenario: planted, planted: true };
    const key = `${id}\u0000${rowKey(row)}`;
    const first = this.#origin.get(key);
    if (first) return { scenario: first, planted: false };
    this.#origin.set(key, scenario);
    return { scenario, planted: false };
  }

  findings(): WireFinding[] {
    return [...this.#kinds.values()]
      .map(({ finding: f, examples }) => {
        const [received, example] = evidenceOf(examples, f.plantedBy, f.scenarios);
        return {
          ...f,
          status: f.rule === "W1" || this.strict ? ("failed" as const) : ("warning" as const),
          paths: [...f.paths],
          scenarios: [...f.scenarios],
          plantedBy: [...f.plantedBy],
          // The message is the evidence frame's (an error-codes message quotes the code that frame carries).
          message: example.message,
          evidence: { ...example.record, text: evidenceText(example), scenario: received, ...(example.at ? { at: example.at } : {}) },
        };
      })
      .sort((a, b) => a.rule.localeCompare(b.rule) || b.frames - a.frames || a.id.localeCompare(b.id));
  }
}

/** A cut frame shows the wrong field: a window around it no longer than the cut (its text less the `…`), not only the frame's start. */
function evidenceText({ record, text, at }: Example): string {
  return (text !== undefined && at !== undefined && evidenceWindow(text, at, record.text.length - 1)) || record.text;
}

function size(record: WireRecord): number {
  return record.bytes ?? record.text.length;
}

/**
 * The evidence frame: one received in a scenario the finding is attributed to (first one that planted
 * the row, then any), so the example is from the scenario the report names; among those the shortest
 * (a 600 KB listing makes poor evidence). Only when no such scenario received one, the shortest of all.
 */
function evidenceOf(examples: ReadonlyMap<string, Example>, plantedBy: ReadonlySet<string>, scenarios: ReadonlySet<string>): [string, Example] {
  const rank = (scenario: string) => (plantedBy.has(scenario) ? 0 : scenarios.has(scenario) ? 1 : 2);
  let best: [string, Example] | undefined;
  for (const entry of examples) {
    if (!best || rank(entry[0]) < rank(best[0]) || (rank(entry[0]) === rank(best[0]) && size(entry[1].record) < size(best[1].record))) best = entry;
  }
  return best!;
}

/**
 * A jsonrpc error's `code` (the `error-codes` findings): JSON-RPC 2.0 §5.1 "MUST be an integer"
 * (keyword `required` when there is none, `type` for a string, a non-integer number, ...), and an
 * integer must be the one SPEC §10 gives the error's name. Read from the error as sent: the decoded
 * WireError.code holds numbers only. Only for jsonrpc: OpenClaw's codes are strings by design (SPEC T2).
 */
function errorCodeProblem(error: WireError): Problem | undefined {
  const code = sentCode(error);
  const expected = Object.hasOwn(ERROR_CODES, error.name) ? ERROR_CODES[error.name as ErrorName] : undefined;
  if (typeof code !== "number" || !Number.isInteger(code)) {
    const spec = expected === undefined ? "" : `; ${error.name} is ${expected} in SPEC §10`;
    return { schema: "error-codes", path: "/error/code", at: "/error/code", keyword: code === undefined ? "required" : "type", message: `error code must be an integer (JSON-RPC 2.0 §5.1${spec}), got ${describeCode(code)}` };
  }
  if (expected !== undefined && expected !== code) {
    return { schema: "error-codes", path: "/error/code", at: "/error/code", message: `${error.name} must have code ${expected} (SPEC §10), got ${code}` };
  }
  return undefined;
}

/** What a gateway sent as an error code, for a message: `none`, `a string: "BUSY"`, `a non-integer number: 1.5`. */
function describeCode(code: unknown): string {
  if (code === undefined) return "none";
  if (code === null) return "null";
  if (typeof code === "number") return `a non-integer number: ${code}`;
  const kind = Array.isArray(code) ? "an array" : typeof code === "object" ? "an object" : `a ${typeof code}`;
  return `${kind}: ${JSON.stringify(code)}`;
}

/** Where a schema keeps its rows, as a path prefix (`/snapshot/presence` in hello-ok). */
function concretePrefix(schema: string): string {
  return schema === "HelloOk" ? "/snapshot/presence" : schema === "SystemPresenceResult" ? "" : "/presence";
}
