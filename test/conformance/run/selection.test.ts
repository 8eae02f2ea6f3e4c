// The notes a run prints about the scenarios its mode leaves out (src/conformance/run/selection.ts).
import { describe, expect, it } from "vitest";
import { scenariosForMode, selectScenarios } from "../../../src/conformance/run/selection.js";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";

const all = loadScenarios();

describe("scenariosForMode", () => {
  it("counts what it leaves out in words that agree with the count (1 scenario is, 2 scenarios are)", () => {
    const one = scenariosForMode(selectScenarios(all, ["p1-self-row", "s1-ttl-expiry-real-time", "x1-connect-on-a-watch-on-b"]), false);
    expect(one.run.map(({ scenario }) => scenario.id)).toEqual(["p1-self-row"]);
    expect(one.notSelected).toBe("1 real-time scenario is left to a --real-time run; 1 cross-gateway scenario is left to a run against a cluster (--url A --url B)");
    const back = scenariosForMode(selectScenarios(all, ["p1-self-row", "s1-ttl-expiry-real-time"]), true);
    expect(back.notSelected).toBe("1 scenario that needs no long wait is left to the default run");
    const many = scenariosForMode(selectScenarios(all, ["S1"]), false);
    expect(many.notSelected).toMatch(/^\d+ real-time scenarios are left to a --real-time run$/);
    expect(Number(many.notSelected!.split(" ")[0])).toBeGreaterThan(1);
  });

  it("a real-time run counts what it leaves to the default run as that run counts it, and the cross-gateway ones apart", () => {
    const defaultRun = scenariosForMode(all, false).run;
    const realTime = scenariosForMode(all, true);
    const inBoth = realTime.run.filter((s) => defaultRun.includes(s)).map(({ scenario }) => scenario.id);
    expect(inBoth).toEqual(["e3-tick", "h1-handshake-timeout"]); // slow scenarios: in the default run with --slow
    const cluster = all.filter(({ scenario }) => scenario.requires?.includes("cluster")).length;
    expect(realTime.notSelected).toBe(
      `${defaultRun.length - 2} scenarios that need no long wait are left to the default run, which counts ${defaultRun.length}: e3-tick and h1-handshake-timeout run in both; ` +
        `${cluster} cross-gateway scenarios are left to a run against a cluster (--url A --url B)`,
    );
    // Against a cluster the cross-gateway scenarios are the default run's too.
    const clusterDefault = scenariosForMode(all, false, true).run.length;
    expect(scenariosForMode(all, true, true).notSelected).toBe(`${clusterDefault - 2} scenarios that need no long wait are left to the default run, which counts ${clusterDefault}: e3-tick and h1-handshake-timeout run in both`);
  });
});

describe("selectScenarios: the order of a run", () => {
  it("runs the scenarios marked runLast after the others, each group in file order: b1-oversized-frame's 600 KB row (kept by OpenClaw 2026.9.6) no longer weighs on the scenarios after it", () => {
    const ids = selectScenarios(all).map(({ scenario }) => scenario.id);
    expect(ids.at(-1)).toBe("b1-oversized-frame");
    expect(ids.indexOf("b2-rate-limit")).toBeLessThan(ids.indexOf("b1-oversized-frame"));
    const made = (id: string, runLast?: boolean) => ({ scenario: { ...all[0]!.scenario, id, ...(runLast ? { runLast } : {}) }, source: "" });
    const order = selectScenarios([made("a", true), made("b"), made("c", true), made("d")]).map(({ scenario }) => scenario.id);
    expect(order).toEqual(["b", "d", "a", "c"]);
  });
});
