/** Checking an answer (result or error frame) against a step's Expectation. */
import { ERROR_CODES, type ErrorName } from "../../protocol/errors.js";
import { errorCodeText, sentCode, sentError, sentErrorCode, type InboundFrame, type WireError } from "../../transport/frames.js";
import { match, show, type Mismatch } from "./matchers.js";
import type { ErrorExpectation, Expectation } from "../scenario/steps.js";

export type Answer = Extract<InboundFrame, { kind: "result" } | { kind: "error" }>;

/** The part of an answer that captures read: a result, or the error as the binding decoded it. */
export function answerValue(answer: Answer): unknown {
  return answer.kind === "result" ? answer.result : { error: answer.error };
}

/** An answer as a check's `actual` records it: a result as is, an error as reportedError shows it. */
export function reportedAnswer(answer: Answer): unknown {
  return answer.kind === "result" ? answer.result : reportedError(answer.error);
}

/** What the harness read an error as, beside the error as sent (reportedError). */
export interface HarnessReading {
  /** The SPEC §10 name (what a check judges at /error/name). */
  name: string;
  /** Fields the binding derived from the error (openclaw: `missingScope`, `errors`, ...; the /error/data paths a check judges). */
  data?: Record<string, unknown>;
}

/**
 * An error as reports record it: `error`, the object exactly as the gateway sent it, and, labelled as
 * such, `harnessReading`: the SPEC §10 name it maps to and any data the binding derived. Nothing the
 * gateway did not send is shown inside `error` (over openclaw the decoded `data.code` is the mapped
 * name, which OpenClaw never sends).
 */
export function reportedError(error: WireError): { error: unknown; harnessReading: HarnessReading } {
  const harnessReading: HarnessReading = { name: error.name };
  const sent = sentError(error);
  const sentData = (sent as { data?: unknown } | null | undefined)?.data;
  if (error.data !== undefined && error.data !== sentData) {
    // Left out: `code` repeating the name, `native` being the error as sent.
    const derived = Object.entries(error.data).filter(([key, value]) => !(key === "code" && value === error.name) && value !== sent);
    if (derived.length > 0) harnessReading.data = Object.fromEntries(derived);
  }
  return { error: sent, harnessReading };
}

/**
 * An error as received: the code the gateway sent (OpenClaw's string code, a JSON-RPC `data.code` or,
 * without one, the number), with the SPEC §10 name it maps to when that differs (errorCodeText), the
 * number beside a `data.code` name, the message.
 */
export function describeError(error: WireError): string {
  // The code as sent, beside a data.code name (`INTERNAL_ERROR (-32603)`; a string code quoted:
  // `FORBIDDEN ("BUSY")`). One the text already shows (no data.code: `-32603 (INTERNAL_ERROR in SPEC
  // §10)`, or one outside SPEC §10, its own name) is said once.
  const code = sentCode(error);
  const beside = code !== undefined && code !== sentErrorCode(error) ? ` (${typeof code === "number" ? code : JSON.stringify(code)})` : "";
  return `${errorCodeText(error)}${beside}: ${error.message}`;
}

/** A binding's stand-ins for SPEC §10 names it has no code for (ClientBinding.errorEquivalents). */
export type ErrorEquivalents = Readonly<Partial<Record<ErrorName, ErrorName>>>;

export function checkError(expected: ErrorExpectation, error: WireError, equivalents: ErrorEquivalents = {}): Mismatch[] {
  const spec = typeof expected === "string" ? { name: expected } : expected;
  const out: Mismatch[] = [];
  if (spec.name !== undefined) {
    const equivalent = equivalents[spec.name as ErrorName];
    const named = error.name === spec.name || (equivalent !== undefined && error.name === equivalent);
    if (!named) out.push({ path: "/error/name", message: `expected error ${spec.name}${equivalent ? ` (or the binding's ${equivalent})` : ""}, got ${describeError(error)}` });
    // jsonrpc errors carry both the name (data.code) and the number; SPEC §10 ties them together. Only
    // they do: an openclaw error has no number (WireError.code absent), so nothing here can quote one.
    // A jsonrpc code that is missing or not a number is no number either (WireError.code holds numbers
    // only): the W1 error-codes finding reports it, quoting what was sent.
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
function withoutNameCode(data: unknown, name: string | undefined, error: WireError): unknown {
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
