// The fuzzer in `npm test`: 2,000 frames (built from the schemas and mutated) over many connections to
// a live gateway process on both bindings; `npm run fuzz` is the 100,000-frame run (docs/security.md).
// Each run uses a new seed, printed on failure so the frames can be replayed (`npm run fuzz -- --seed N`).
import { describe, expect, it } from "vitest";
import { numberOptions, UsageError } from "../../../scripts/hardening/cli.js";
import { failuresOf, runFuzz } from "../../../scripts/hardening/fuzz.js";
import { scaled } from "../../support/timing.js";

describe("fuzz", () => {
  it("2,000 frames on jsonrpc and openclaw: no crash, no internal error, list within the cap, valid rows, no trace of refused frames, memory flat", { timeout: scaled(120_000) }, async () => {
    const seed = Date.now() % 1_000_000;
    const report = await runFuzz({ frames: 2_000, connections: 16, batch: 1_000, seed });
    expect(report.failures, `seed ${seed}`).toEqual([]);
    expect(report.framesSent).toBeGreaterThanOrEqual(2_000);
    expect(report.batches).toHaveLength(2);
    for (const b of report.batches) {
      expect(b.listLength).toBeLessThanOrEqual(200);
      expect(b.invalidRows).toBe(0);
      expect(b.traces).toEqual([]);
    }
    // The run exercised what it claims: both bindings answered, mutations were refused, some frames accepted.
    expect(report.answers.result).toBeGreaterThan(100);
    expect(report.answers.INVALID_REQUEST).toBeGreaterThan(10);
    expect(report.refusedWrites).toBeGreaterThan(10);
    expect(Object.keys(report.byKind).filter((k) => k.startsWith("mutated:")).length).toBeGreaterThanOrEqual(6);
    expect(report.connectionsOpened).toBeGreaterThan(16);
  });

  it("its checks catch a trace, an over-full list, an invalid row, an internal error and heap growth", () => {
    const batch = { frames: 1, listLength: 200, invalidRows: 0, traces: [] as string[], probeMs: { jsonrpc: 1, openclaw: 1 }, rss: 100e6, heapUsed: 10e6 };
    const clean = { internalErrors: [], invalidAnswers: [], unresponsive: 0, gatewayErrors: [], batches: [batch] } as unknown as Parameters<typeof failuresOf>[0];
    const memory = { rss: 100e6, heapUsed: 10e6 } as Parameters<typeof failuresOf>[2];
    expect(failuresOf(clean, 200, memory)).toEqual([]);
    const broken = { ...clean, internalErrors: ["x"], batches: [{ ...batch, listLength: 201, invalidRows: 1, traces: ["fz1-0000003"], heapUsed: 40e6 }] } as typeof clean;
    expect(failuresOf(broken, 200, memory).join("\n")).toMatch(/INTERNAL_ERROR[\s\S]*201 rows[\s\S]*fail PresenceEntry[\s\S]*fz1-0000003[\s\S]*heap after GC grew/);
  });
});

describe("the command line of npm run fuzz / soak / floods", () => {
  const spec = { minutes: { fallback: 10, describe: "d" }, seed: { fallback: 7, describe: "d" } };

  it("takes --name N and --name=N, and the fallback without the option", () => {
    expect(numberOptions("soak", spec, ["--minutes", "1"])).toEqual({ minutes: 1, seed: 7 });
    expect(numberOptions("soak", spec, ["--minutes=0.5", "--seed=3"])).toEqual({ minutes: 0.5, seed: 3 });
    expect(numberOptions("soak", spec, [])).toEqual({ minutes: 10, seed: 7 });
  });

  it("refuses, with the usage, an unknown option (a typo must not start the default run), a stray argument and a value that is not a positive number", () => {
    expect(() => numberOptions("soak", spec, ["--minute", "1"])).toThrow(UsageError);
    expect(() => numberOptions("soak", spec, ["--minute", "1"])).toThrow(/Unknown option '--minute'[^]*usage: npm run soak -- \[--minutes N\] \[--seed N\]/);
    expect(() => numberOptions("soak", spec, ["1"])).toThrow(UsageError);
    for (const bad of ["abc", "0", "-1", "", "Infinity"]) {
      expect(() => numberOptions("soak", spec, [`--minutes=${bad}`]), bad).toThrow(/--minutes must be a positive number/);
    }
    expect(() => numberOptions("soak", spec, ["--minutes"])).toThrow(UsageError);
    expect(() => numberOptions("floods", {}, ["--frames", "5"])).toThrow(/Unknown option '--frames'/);
  });
});
