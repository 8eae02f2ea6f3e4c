/** Checking an answer (result or error frame) against a step's Expectation. */
import { ERROR_CODES, type ErrorName } from "../../protocol/errors.js";
import { errorCodeText, type InboundFrame } from "../../transport/frames.js";
import { match, show, type Mismatch } from "./matchers.js";
import type { ErrorExpectation, Expectation } from "../scenario/steps.js";

export type Answer = Extract<InboundFrame, { kind: "result" } | { kind: "error" }>;

/** The part of an answer that captures and reports look at. */
export function answerValue(answer: Answer): unknown {
  return answer.kind === "result" ? answer.result : { error: answer.error };
}

/**
 * An error as received: the code the gateway sent (OpenClaw's string code, with the SPEC §10 name it
 * maps to when they differ; see errorCodeText), the jsonrpc number when there is one, the message.
 */
export function describeError(error: Extract<InboundFrame, { kind: "error" }>["error"]): string {
  // A number outside SPEC §10 without data.code is its own name (jsonRpcErrorName): said once.
  const number = error.code !== undefined && String(error.code) !== error.name ? ` (${error.code})` : "";
  return `${errorCodeText(error)}${number}: ${error.message}`;
}

/** A binding's stand-ins for SPEC §10 names it has no code for (ClientBinding.errorEquivalents). */
export type ErrorEquivalents = Readonly<Partial<Record<ErrorName, ErrorName>>>;

export function checkError(expected: ErrorExpectation, error: Extract<InboundFrame, { kind: "error" }>["error"], equivalents: ErrorEquivalents = {}): Mismatch[] {
  const spec = typeof expected === "string" ? { name: expected } : expected;
  const out: Mismatch[] = [];
  if (spec.name !== undefined) {
    const equivalent = equivalents[spec.name as ErrorName];
    const named = error.name === spec.name || (equivalent !== undefined && error.name === equivalent);
    if (!named) out.push({ path: "/error/name", message: `expected error ${spec.name}${equivalent ? ` (or the binding's ${equivalent})` : ""}, got ${describeError(error)}` });
    // jsonrpc errors carry both the name (data.code) and the number; SPEC §10 ties them together. Only
    // they do: an openclaw error has no number (WireError.code absent), so nothing here can quote one.
    // A wrong name is one mismatch, already reported above with the number received.
    const code = named ? ERROR_CODES[error.name as ErrorName] : undefined;
    if (code !== undefined && error.code !== undefined && error.code !== code) {
      out.push({ path: "/error/code", message: `expected code ${code} for ${error.name}, got ${error.code}` });
    }
  }
  if (spec.message !== undefined) out.push(...match(spec.message, error.message, "/error/message"));
  if (spec.data !== undefined) out.push(...match(withoutNameCode(spec.data, spec.name, error), error.data, "/error/data"));
  return out;
}

/**
 * The data expectation less `code` when that only repeats the expected name and the error's
 * `data.code` is its name: /error/name has judged it, quoting what the gateway sent. A second
 * `/error/data/code` line would repeat that mismatch, and over openclaw quote a `data.code` the
 * gateway never sent (the binding fills it with the mapped SPEC name; OpenClaw sends no data).
 * A jsonrpc `data.code` that is absent, or not the name it was read as, is still checked here.
 */
function withoutNameCode(data: unknown, name: string | undefined, error: Extract<InboundFrame, { kind: "error" }>["error"]): unknown {
  if (name === undefined || data === null || typeof data !== "object" || Array.isArray(data)) return data;
  const { code, ...rest } = data as Record<string, unknown>;
  return code === name && error.data?.code === error.name ? rest : data;
}

/** Mismatches between an answer and the expectation (default: any result). */
export function checkAnswer(expected: Expectation | undefined, answer: Answer, equivalents: ErrorEquivalents = {}): Mismatch[] {
  if (expected?.error !== undefined) {
    if (answer.kind === "result") return [{ path: "", message: `expected error ${show(expected.error)}, got a result: ${show(answer.result)}` }];
    return checkError(expected.error, answer.error, equivalents);
  }
  if (answer.kind === "error") return [{ path: "", message: `expected a result, got error ${describeError(answer.error)}` }];
  return expected?.result === undefined ? [] : match(expected.result, answer.result, "/result");
}
