import { describe, expect, it } from "vitest";
import { formatAge } from "../../../src/client/status.js";
import { presenceAge, presenceStatus } from "../../../src/index.js";

describe("C1 presenceStatus", () => {
  const now = 1_800_000_000_000;
  const at = (ageMs: number) => ({ ts: now - ageMs });

  it("is Active up to and including 120 s", () => {
    expect(presenceStatus(at(0), now)).toBe("Active");
    expect(presenceStatus(at(120_000), now)).toBe("Active");
    expect(presenceStatus(at(120_001), now)).toBe("Idle");
  });

  it("is Idle up to and including 300 s, Stale after", () => {
    expect(presenceStatus(at(300_000), now)).toBe("Idle");
    expect(presenceStatus(at(300_001), now)).toBe("Stale");
    expect(presenceStatus(at(86_400_000), now)).toBe("Stale");
  });

  it("treats a ts in the future (clock skew) as age 0", () => {
    expect(presenceAge(at(-5000), now)).toBe(0);
    expect(presenceStatus(at(-5000), now)).toBe("Active");
  });

  it("defaults now to the local clock", () => {
    expect(presenceStatus({ ts: Date.now() })).toBe("Active");
    expect(presenceStatus({ ts: Date.now() - 200_000 })).toBe("Idle");
  });
});

describe("formatAge: ages and idle times in the CLI's tables and on the Instances page", () => {
  it("reads short and truncates to whole seconds, never negative; '-' for no number", () => {
    expect([0, 999, 42_000, 60_000, 185_000, 3_600_000, 3_660_000, 86_400_000, 93_600_000, -5, Number.NaN].map(formatAge)).toEqual([
      "0s",
      "0s",
      "42s",
      "1m 0s",
      "3m 5s",
      "1h 0m",
      "1h 1m",
      "1d 0h",
      "1d 2h",
      "0s",
      "-",
    ]);
  });
});
