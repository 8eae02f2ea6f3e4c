// The bench's report warns when other work shared the machine (docs/performance.md "How far one run
// can be trusted"): a 1-minute load average above half the cores at the start or at the end.
import { describe, expect, it } from "vitest";
import { busyNote } from "../../bench/lib/report.js";

const machine = (loadAverage: number[], loadAverageEnd?: number[]) => ({ cpu: "test", cores: 2, memoryGb: 1, node: "v20", loadAverage, loadAverageEnd });

describe("bench report: busy machine note", () => {
  it("says nothing on a quiet machine", () => {
    expect(busyNote(machine([0.4, 1, 1], [0.9, 1, 1]))).toBeUndefined();
  });

  it("names the load at the start when it was above half the cores", () => {
    expect(busyNote(machine([4.76, 3.8, 3.5], [0.5, 1, 1]))).toMatch(/^NOTE: the machine was busy \(1-minute load 4\.76 at the start, 0\.50 at the end, 2 cores\)/);
  });

  it("also warns when the load rose during the run, and reads older files without an end figure", () => {
    expect(busyNote(machine([0.2, 0, 0], [1.3, 1, 1]))).toContain("1.30 at the end");
    expect(busyNote(machine([1.5, 0, 0]))).toMatch(/load 1\.50 at the start, 2 cores\)/);
  });
});
