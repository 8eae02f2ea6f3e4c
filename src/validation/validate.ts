/**
 * Run-time validation with the generated standalone validators: a typed result, and ajv's errors
 * turned into `ValidationIssue`s whose path names the failing value (SPEC B1).
 */
import type { ErrorObject } from "ajv";
import { MAX_ERRORS, VALIDATORS, type SchemaName, type SchemaTypes } from "../generated/validate.js";
import { errorLimit } from "../generated/validators.js";
import type { ValidationIssue } from "../protocol/errors.js";

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/**
 * Most problems a validator lists (scripts/gen/validators.ts capErrors): a value with more (an array
 * of 200,000 wrong items) is answered with these and a last issue saying that more were not listed,
 * so neither the work nor the answer grows with the number of bad values (docs/security.md).
 */
export const MAX_LISTED_ERRORS: number = MAX_ERRORS;

export interface ValidateOptions {
  /**
   * List every problem, however many (default false: at most MAX_LISTED_ERRORS). For a checker that
   * must report each kind of problem a value has (the conformance harness's wire-format check, SPEC
   * §11), never for answering a client: the work and the list grow with the number of bad values.
   */
  allErrors?: boolean;
}

export function validate<N extends SchemaName>(schema: N, data: unknown, options: ValidateOptions = {}): ValidationResult<SchemaTypes[N]> {
  const validator = VALIDATORS[schema];
  let valid: boolean;
  if (options.allErrors) {
    errorLimit.max = Infinity;
    try {
      valid = validator(data);
    } finally {
      errorLimit.max = MAX_ERRORS;
    }
  } else valid = validator(data);
  if (valid) return { ok: true, value: data as SchemaTypes[N] };
  const errors = validator.errors ?? [];
  if (options.allErrors) return { ok: false, issues: toIssues(errors) };
  const issues = toIssues(errors.slice(0, MAX_ERRORS));
  if (errors.length >= MAX_ERRORS) {
    issues.push({ path: "", message: `has more problems, not listed (at most ${MAX_ERRORS} are)`, keyword: "maxErrors" });
  }
  return { ok: false, issues };
}

export function isValid<N extends SchemaName>(schema: N, data: unknown): data is SchemaTypes[N] {
  return VALIDATORS[schema](data);
}

/** `required` and `additionalProperties` errors point at the object; point at the property instead, and say what is wrong with it. */
export function toIssues(errors: ErrorObject[]): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    const property = params.missingProperty ?? params.additionalProperty;
    const path = property === undefined ? error.instancePath : `${error.instancePath}/${escapePointer(property)}`;
    // The path names the property: ajv's "must have required property 'x'" would then read "/x must have required property 'x'".
    const message =
      error.keyword === "additionalProperties" ? "is not allowed (unknown property)" : error.keyword === "required" ? "is required (missing)" : (error.message ?? "is invalid");
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message, keyword: error.keyword });
  }
  return issues;
}

/** One line for humans: `/client/instanceId must NOT have more than 128 characters; ...`. */
export function formatIssues(issues: ValidationIssue[]): string {
  return issues.map((i) => `${i.path || "(root)"} ${i.message}`).join("; ");
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
