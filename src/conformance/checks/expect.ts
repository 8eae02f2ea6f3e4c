/** Checking an answer (result or error frame) against a step's Expectation. */
import { ERROR_CODES, type ErrorName } from "../../protocol/errors.js";
import type { InboundFrame } from "../../transport/frames.js";
import { match, show, type Mismatch } from "./matchers.js";
import type { ErrorExpectation, Expectation } from "../scenario/steps.js";

export type Answer = Extract<InboundFrame, { kind: "result" } | { kind: "error" }>;

/** The part of an answer that captures and reports look at. */
export function answerValue(answer: Answer): unknown {
  return answer.kind === "result" ? answer.result : { error: answer.error };
}

function describeError(error: Extract<InboundFrame, { kind: "error" }>["error"]): string {
  return `${error.name}${error.code !== undefined ? ` (${error.code})` : ""}: ${error.message}`;
}

export function checkError(expected: ErrorExpectation, error: Extract<InboundFrame, { kind: "error" }>["error"]): Mismatch[] {
  const spec = typeof expected === "string" ? { name: expected } : expected;
  const out: Mismatch[] = [];
  if (spec.name !== undefined) {
    if (error.name !== spec.name) out.push({ path: "/error/name", message: `expected error ${spec.name}, got ${describeError(error)}` });
    const code = ERROR_CODES[spec.name as ErrorName];
    // jsonrpc errors carry both the name (data.code) and the number; SPEC §10 ties them together.
    if (code !== undefined && error.code !== undefined && error.code !== code) {
      out.push({ path: "/error/code", message: `expected code ${code} for ${spec.name}, got ${error.code}` });
    }
  }
  if (spec.message !== undefined) out.push(...match(spec.message, error.message, "/error/message"));
  if (spec.data !== undefined) out.push(...match(spec.data, error.data, "/error/data"));
  return out;
}

/** Mismatches between an answer and the expectation (default: any result). */
export function checkAnswer(expected: Expectation | undefined, answer: Answer): Mismatch[] {
  if (expected?.error !== undefined) {
    if (answer.kind === "result") return [{ path: "", message: `expected error ${show(expected.error)}, got a result: ${show(answer.result)}` }];
    return checkError(expected.error, answer.error);
  }
  if (answer.kind === "error") return [{ path: "", message: `expected a result, got error ${describeError(answer.error)}` }];
  return expected?.result === undefined ? [] : match(expected.result, answer.result, "/result");
}
