// The bench's report prints, beside each rate and CPU ratio, a 90 % bootstrap interval of
// median(gateway) / median(echo) over the rounds (bench/lib/stats.ts ratioInterval), and says when a
// target's limit lies inside it. Nothing is measured here: the figures are made up.
import { describe, expect, it } from "vitest";
import { ratioInterval } from "../../bench/lib/stats.js";

describe("bench report: ratio interval over the rounds", () => {
  it("is one point when every round gave the same figures", () => {
    expect(ratioInterval([800, 800, 800], [1000, 1000, 1000])).toEqual([0.8, 0.8]);
  });

  it("holds the medians' ratio and widens with the rounds' spread", () => {
    const echo = [1000, 1010, 990, 1005, 995, 1000, 1002, 998, 1001];
    const narrow = ratioInterval([800, 810, 790, 805, 795, 800, 802, 798, 801], echo);
    const wide = ratioInterval([600, 1000, 700, 950, 650, 800, 900, 750, 850], echo);
    for (const [low, high] of [narrow, wide]) {
      expect(low).toBeLessThanOrEqual(0.8);
      expect(high).toBeGreaterThanOrEqual(0.8);
    }
    expect(narrow[1] - narrow[0]).toBeLessThan(0.03);
    expect(wide[1] - wide[0]).toBeGreaterThan(0.1);
    expect(wide[0]).toBeGreaterThanOrEqual(0.6);
    expect(wide[1]).toBeLessThanOrEqual(1000 / 990);
  });

  it("prints the same interval for the same figures (seeded)", () => {
    const gateway = [700, 900, 800, 850, 750];
    const echo = [1000, 950, 1050, 1000, 980];
    expect(ratioInterval(gateway, echo)).toEqual(ratioInterval(gateway, echo));
  });

  it("gives none with fewer than three rounds a side", () => {
    expect(ratioInterval([800, 900], [1000, 1000, 1000]).every(Number.isNaN)).toBe(true);
    expect(ratioInterval([800, 900, 850], [1000]).every(Number.isNaN)).toBe(true);
  });
});
