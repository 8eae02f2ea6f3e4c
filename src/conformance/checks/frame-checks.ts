/**
 * Every frame received is validated against the contract's schemas, as checks of their own:
 * one check per schema (`frames:HelloOk`, `frames:PresenceEvent`, ...), plus `frames:decode` for
 * frames the binding could not read and `frames:error-codes` for jsonrpc codes that disagree with
 * their SPEC §10 name.
 */
import type { SchemaName } from "../../generated/validate.js";
import { ERROR_CODES, type ErrorName } from "../../protocol/errors.js";
import { EVENTS, METHODS } from "../../protocol/methods.js";
import { formatIssues, validate } from "../../validation/index.js";
import type { CheckResult, WireRecord } from "../report/results.js";
import type { InboundFrame, RequestId } from "../../transport/frames.js";
import type { Level, RuleId } from "../scenario/scenario.js";

type FrameCheck = Omit<CheckResult, "status">;

/** What one connection received (the run's WireConnection has these). */
export interface ReceivedFrames {
  received: readonly { frame: InboundFrame; record: WireRecord }[];
  decodeErrors: readonly { message: string; record: WireRecord }[];
  /** Request id -> method, so results are validated against the method's schema. */
  methods: ReadonlyMap<RequestId, string>;
}

const RULES: Partial<Record<SchemaName, { rules: RuleId[]; level: Level }>> = {
  HelloOk: { rules: ["H4"], level: "MUST" },
  SystemPresenceResult: { rules: ["M1"], level: "MUST" },
  SystemEventResult: { rules: ["M2"], level: "MUST" },
  TestClockAdvanceResult: { rules: ["S3"], level: "MUST" },
  PresenceEvent: { rules: ["E1"], level: "MUST" },
  TickEvent: { rules: ["E3"], level: "SHOULD" },
  ErrorData: { rules: ["B1"], level: "MUST" },
};

const RESULT_SCHEMA = new Map(METHODS.map((m) => [m.name, m.result as SchemaName]));
const EVENT_SCHEMA = new Map(EVENTS.map((e) => [e.name, e.payload as SchemaName]));
const MAX_EVIDENCE = 3;

interface Tally {
  count: number;
  bad: { record: WireRecord; message: string }[];
}

export function frameChecks(connections: readonly ReceivedFrames[], bindingName: string): FrameCheck[] {
  const tallies = new Map<string, Tally>();
  const note = (key: string, record: WireRecord, problem: string | undefined) => {
    const t = tallies.get(key) ?? { count: 0, bad: [] };
    t.count++;
    if (problem !== undefined) t.bad.push({ record, message: problem });
    tallies.set(key, t);
  };
  const check = (schema: SchemaName, value: unknown, record: WireRecord) => {
    const result = validate(schema, value);
    note(schema, record, result.ok ? undefined : formatIssues(result.issues));
  };

  for (const conn of connections) {
    for (const { message, record } of conn.decodeErrors) note("decode", record, message);
    for (const { frame, record } of conn.received) {
      if (frame.kind === "result") {
        const method = conn.methods.get(frame.id);
        const schema = method === undefined ? undefined : RESULT_SCHEMA.get(method);
        if (schema) check(schema, frame.result, record);
      } else if (frame.kind === "event") {
        const schema = EVENT_SCHEMA.get(frame.event);
        if (schema) check(schema, frame.payload, record);
      } else if (bindingName === "jsonrpc") {
        check("ErrorData", frame.error.data, record);
        const expected = ERROR_CODES[frame.error.name as ErrorName];
        note("error-codes", record, expected === undefined || expected === frame.error.code ? undefined : `${frame.error.name} must have code ${expected}, got ${frame.error.code}`);
      }
    }
  }

  return [...tallies.entries()].map(([key, t]) => {
    const meta = RULES[key as SchemaName] ?? (key === "decode" ? { rules: ["T1", "T2"] as RuleId[], level: "MUST" as Level } : { rules: ["B1"] as RuleId[], level: "MUST" as Level });
    const title =
      key === "decode" ? "every frame is a decodable text frame of the binding"
      : key === "error-codes" ? "every jsonrpc error code agrees with its SPEC §10 name (data.code)"
      : `every ${key} frame validates against schemas/${key}.schema.json`;
    return {
      id: `frames:${key}`,
      title,
      rules: meta.rules,
      level: meta.level,
      ...(t.bad.length
        ? {
            message: `${t.bad.length} of ${t.count} frames invalid: ${t.bad[0].message}`,
            actual: t.bad.slice(0, MAX_EVIDENCE).map((b) => b.message),
            frames: t.bad.slice(0, MAX_EVIDENCE).map((b) => b.record),
          }
        : {}),
    };
  });
}
