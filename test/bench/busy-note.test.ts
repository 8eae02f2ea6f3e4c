// The bench's report warns when other work shared the machine (docs/performance.md "How far one run
// can be trusted"): a 1-minute load average above the number of cores when the run started (the
// bench's own processes raise the load during the run, so the end does not count).
import { describe, expect, it } from "vitest";
import { busyNote } from "../../bench/lib/report.js";

const machine = (loadAverage: number[], loadAverageEnd?: number[]) => ({ cpu: "test", cores: 2, memoryGb: 1, node: "v20", loadAverage, loadAverageEnd });

describe("bench report: busy machine note", () => {
  it("says nothing on a quiet machine, nor for the load the bench itself makes or leaves", () => {
    expect(busyNote(machine([0.4, 1, 1], [0.9, 1, 1]))).toBeUndefined();
    expect(busyNote(machine([1.4, 1, 1], [2.6, 1, 1]))).toBeUndefined();
  });

  it("names the load at the start when it was above the number of cores", () => {
    expect(busyNote(machine([4.76, 3.8, 3.5], [0.5, 1, 1]))).toMatch(/^NOTE: the machine was busy \(1-minute load 4\.76 at the start, 0\.50 at the end, 2 cores\)/);
  });

  it("reads older files without an end figure", () => {
    expect(busyNote(machine([2.5, 0, 0]))).toMatch(/load 2\.50 at the start, 2 cores\)/);
  });
});
