// What the page costs the browser's main thread on a churning gateway: 300 beacon rows, 100 changes a
// second (the gateway pushes the list up to 20 times a second), measured as Chromium's own
// Performance.getMetrics TaskDuration (all main-thread tasks: script, style, layout, paint) per second
// of wall time over 10 s, after 3 s of churn. A measurement, not part of npm test (minutes of CPU on a
// shared machine): `GP_MEASURE_CHURN=1 npx vitest run --project browser test/browser/churn-cost.test.ts`.
// `GP_BASELINE_WEB=DIR[,DIR...]` measures other builds of the page beside this one (e.g. main's:
// `tsx scripts/web/build.ts /tmp/web-main` in a checkout of it), alternating runs; the page built from
// this tree must cost at most 15 % more than the first baseline. It also measures this page in a
// hidden tab (a tab opened over it), which should cost next to nothing.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { Gateway } from "../../src/server/index.js";
import { CHROMIUM, nodeClient, pageUrl, startGateway, useChromiumWithTabs, waitLive } from "./harness.js";
import { WEB_OUT_DIR } from "../../scripts/web/build.js";

const ROWS = 300;
const CHANGES_PER_SECOND = 100;
const WARM_MS = 3_000;
const WINDOW_MS = 10_000;
const RUNS = Number(process.env.GP_CHURN_RUNS ?? 3);
const baselines = (process.env.GP_BASELINE_WEB ?? "").split(",").filter(Boolean);
const measuring = process.env.GP_MEASURE_CHURN === "1";

interface Cost {
  task: number;
  script: number;
  layout: number;
  style: number;
}

/** A gateway serving `webRoot`'s page, with ROWS beacon rows and CHANGES_PER_SECOND changes to them. */
async function churningGateway(webRoot: string): Promise<{ gw: Gateway; stop: () => void }> {
  const gw = await startGateway({ webRoot, maxEntries: ROWS + 50, rateLimit: { burst: 100_000, perSecond: 100_000 } });
  const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
  let round = 0;
  const beacon = (n: number) =>
    sender.systemEvent({
      instanceId: `c-${n}`,
      host: `host-${n}`,
      ip: `10.0.${n % 250}.${n % 7}`,
      mode: n % 3 ? "webchat" : "ui",
      platform: "linux 6.18.44-fc-v595",
      version: `2026.${n % 12}.6`,
      lastInputSeconds: (round * 13 + n) % 600,
      reason: "periodic",
    });
  for (let n = 0; n < ROWS; n += 50) await Promise.all(Array.from({ length: Math.min(50, ROWS - n) }, (_, i) => beacon(n + i)));
  const timer = setInterval(() => {
    round++;
    for (let i = 0; i < CHANGES_PER_SECOND / 10; i++) void beacon((round * 37 + i * 29) % ROWS).catch(() => {});
  }, 100);
  return { gw, stop: () => clearInterval(timer) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe.skipIf(!CHROMIUM.path || !measuring)(`the page's main-thread cost under churn (measurement: GP_MEASURE_CHURN=1)`, () => {
  const browser = useChromiumWithTabs();

  async function measure(webRoot: string, hidden: boolean): Promise<Cost> {
    const { gw, stop } = await churningGateway(webRoot);
    const context = browser().contexts()[0];
    const page: Page = await context.newPage();
    let cover: Page | undefined;
    try {
      await page.setViewportSize({ width: 1280, height: 640 });
      await page.goto(pageUrl(gw));
      await waitLive(page);
      await expect.poll(() => page.locator("#rows tr").count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(ROWS);
      if (hidden) {
        cover = await context.newPage();
        expect(await page.evaluate(() => document.hidden)).toBe(true);
      }
      await new Promise((resolve) => setTimeout(resolve, WARM_MS));
      const cdp = await context.newCDPSession(page);
      await cdp.send("Performance.enable");
      const read = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
      const [before, started] = [await read(), performance.now()];
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      const [after, seconds] = [await read(), (performance.now() - started) / 1000];
      const perSecond = (name: string) => ((after[name] - before[name]) / seconds) * 1000;
      return { task: perSecond("TaskDuration"), script: perSecond("ScriptDuration"), layout: perSecond("LayoutDuration"), style: perSecond("RecalcStyleDuration") };
    } finally {
      stop();
      await cover?.close();
      await page.close();
    }
  }

  it(`reports ms of main-thread task time per second (${RUNS} runs each, alternating)`, { timeout: 30 * 60_000 }, async () => {
    const builds = [...baselines, WEB_OUT_DIR];
    const costs = new Map<string, Cost[]>(builds.map((b) => [b, []]));
    const hiddenCosts: Cost[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (const build of builds) costs.get(build)!.push(await measure(build, false));
      hiddenCosts.push(await measure(WEB_OUT_DIR, true));
    }
    const line = (name: string, runs: Cost[]) =>
      `${name}: task ${runs.map((c) => c.task.toFixed(0)).join(" / ")} ms/s (median ${median(runs.map((c) => c.task)).toFixed(0)}); ` +
      `script ${median(runs.map((c) => c.script)).toFixed(0)}, layout ${median(runs.map((c) => c.layout)).toFixed(0)}, style ${median(runs.map((c) => c.style)).toFixed(0)} (medians)`;
    for (const [build, runs] of costs) console.log(line(build === WEB_OUT_DIR ? "this tree" : build, runs));
    console.log(line("this tree, hidden tab", hiddenCosts));
    const mine = median(costs.get(WEB_OUT_DIR)!.map((c) => c.task));
    if (baselines.length > 0) expect(mine).toBeLessThanOrEqual(1.15 * median(costs.get(baselines[0])!.map((c) => c.task)));
    expect(median(hiddenCosts.map((c) => c.task))).toBeLessThan(0.25 * mine);
  });
});
