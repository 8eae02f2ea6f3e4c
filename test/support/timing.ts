/**
 * Timing for tests on a shared, sometimes busy machine (2 cores, load up to 40 from other runs): a
 * value that depends on how much real time passed is checked against timestamps taken around the
 * action, never against a fixed margin; a wait for a slow start (a child process, a browser, a
 * redis-server) gets a limit that grows with the machine's load.
 */
import { availableParallelism, loadavg } from "node:os";
import { expect } from "vitest";
import type { GatewayOptions } from "../../src/server/index.js";

/**
 * How much slower than a quiet machine this one is likely to run now: the 1-minute load per core,
 * at least 1 and at most 10. Read when called (the load changes during a run).
 */
export function slowdown(): number {
  return Math.min(10, Math.max(1, loadavg()[0]! / availableParallelism()));
}

/** A time limit for something that takes `ms` at most on a quiet machine, grown with its load. */
export function scaled(ms: number): number {
  return Math.round(ms * slowdown());
}

/** Asserts `min <= value <= max`; the message gives the value and both bounds. */
export function expectWithin(value: number | undefined, min: number, max: number, what: string): void {
  const message = `${what}: ${String(value)} should be within [${min}, ${max}]`;
  expect(value, message).toBeGreaterThanOrEqual(min);
  expect(value, message).toBeLessThanOrEqual(max);
}

/** The seconds of an age as the CLI prints it (`42s`, `6m 40s`); NaN for anything else. */
export function ageSeconds(age: string | undefined): number {
  const m = /^(?:(\d+)m )?(\d+)s$/.exec(age ?? "");
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : Number.NaN;
}

/**
 * Gateway options for a test whose subject is not overload shedding: shedding off unless the test
 * sets `limits.overload` itself. A gateway in a test measures the event-loop delay of the test's own
 * process, which a busy machine alone pushes over the 50 ms limit: it then refused new sockets (503)
 * and frames before `connect` (UNAVAILABLE), so a log-line count, a parse error or a connect failed.
 * Shedding has its own tests (test/server/hardening/overload.test.ts, crowd-flood.test.ts); conform's
 * embedded gateway runs without it for the same reason (test/conformance/gateways.ts).
 */
export function withoutShedding(options: GatewayOptions): GatewayOptions {
  return options.limits?.overload !== undefined ? options : { ...options, limits: { ...options.limits, overload: { enabled: false } } };
}
