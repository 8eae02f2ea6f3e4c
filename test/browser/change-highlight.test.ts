// The change highlight, as an operator watching a busy list sees it: a row that appears or whose shown
// fields change is marked about 1.5 s (a strong mark, a lighter one, then none), the first list and
// ticking ages mark nothing, a refresh that changes no shown field marks nothing, and with
// prefers-reduced-motion the mark stays one colour. Every class change of a row is recorded in the page
// (a MutationObserver set up before the page's own script).
import { describe, expect, it } from "vitest";
import type { PresenceClient } from "../../src/client/index.js";
import { MARK_MS } from "../../src/web/view/changes.js";
import { startLatenessProbe, stopLatenessProbe } from "./lateness.js";
import { axe, CHROMIUM, cell, nodeClient, openPage, pageUrl, skipNote, startGateway, useChromium, waitLive } from "./harness.js";
import { classesOf, marksOf, recordMarks } from "./marks.js";

const beacon = (sender: PresenceClient, n: number, fields: { version?: string; lastInputSeconds?: number } = {}) =>
  sender.systemEvent({ instanceId: `b-${n}`, host: `build-${n}`, mode: "webchat", version: "1.0", reason: "periodic", ...fields });

describe.skipIf(!CHROMIUM.path)(`the change highlight${skipNote}`, () => {
  const browser = useChromium();

  it("marks a new row and a changed row about 1.5 s, in two steps; the first list, ticks and a refresh mark nothing", async () => {
    const gw = await startGateway();
    const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
    const firstAt = Date.now();
    await beacon(sender, 1, { lastInputSeconds: 30 });
    await beacon(sender, 2);
    const page = await openPage(browser(), pageUrl(gw), { initScript: recordMarks });
    await waitLive(page);
    await expect.poll(() => page.locator("#rows tr").count()).toBe(5);

    // Ages tick for 2 s; build-1 is refreshed with nothing shown changed (same fields; the idle time grew
    // with the time since, so the input instant stays within the whole second the field is given in).
    await page.waitForTimeout(1_200);
    await beacon(sender, 1, { lastInputSeconds: 30 + Math.floor((Date.now() - firstAt) / 1000) });
    await expect.poll(() => cell(page, "build-1", "age").textContent()).toMatch(/^[01]s$/);
    await page.waitForTimeout(800);
    expect(await classesOf(page, "id:b-1")).toEqual([""]); // added unmarked, never marked
    expect(await classesOf(page, "id:b-2")).toEqual([""]);

    // A shown field changes: build-2's version.
    await startLatenessProbe(page);
    await beacon(sender, 2, { version: "2.0" });
    await expect.poll(() => classesOf(page, "id:b-2")).toEqual(["", "changed", "changed-fading", ""]);
    const [, on, fading, off] = await marksOf(page, "id:b-2");
    expect(fading.at - on.at).toBeGreaterThan(500);
    expect(off.at - on.at).toBeGreaterThan(1_300);
    // About 1.5 s: MARK_MS, give or take the marks' 100 ms step, plus as late as the page's timers ran
    // meanwhile (measured beside them), plus the probe's 50 ms step. A fixed 3 s was both too tight for
    // a machine busy enough to hold the page's timers 1.5 s and too loose to see a mark 1 s too long.
    const late = await stopLatenessProbe(page);
    expect(off.at - on.at, `timers up to ${Math.round(late)} ms late`).toBeLessThan(MARK_MS + 100 + late + 50);

    // A new row: added marked.
    await nodeClient(gw, { host: "kiosk-9" });
    await expect.poll(() => classesOf(page, "id:kiosk-9")).toEqual(["changed", "changed-fading", ""]);
    // build-1 again: its last input moved (the client was used), the version did not.
    await beacon(sender, 1, { lastInputSeconds: 0 });
    await expect.poll(() => classesOf(page, "id:b-1")).toEqual(["", "changed", "changed-fading", ""]);
  });

  for (const reducedMotion of ["no-preference", "reduce"] as const) {
    it(`with prefers-reduced-motion: ${reducedMotion}, the mark ${reducedMotion === "reduce" ? "keeps one colour" : "lightens half-way"} and no CSS animation runs`, async () => {
      const gw = await startGateway();
      const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
      const page = await openPage(browser(), pageUrl(gw), { reducedMotion });
      await waitLive(page);
      const row = page.locator("#rows tr", { hasText: "build-7" });
      const look = () =>
        row.evaluate((tr) => ({ cls: tr.className, background: getComputedStyle(tr).backgroundColor, animations: tr.getAnimations().length }));
      await beacon(sender, 7);
      await expect.poll(async () => (await look()).cls).toBe("changed");
      const first = await look();
      await expect.poll(async () => (await look()).cls, { interval: 20 }).toBe("changed-fading");
      const second = await look();
      await expect.poll(async () => (await look()).cls).toBe("");
      const after = await look();
      expect([first.animations, second.animations, after.animations]).toEqual([0, 0, 0]);
      expect(first.background).not.toBe(after.background);
      if (reducedMotion === "reduce") expect(second.background).toBe(first.background);
      else expect(new Set([first.background, second.background, after.background]).size).toBe(3);
    });
  }

  it("keeps a marked row's text readable: axe-core finds no violation while a row without a host (muted id) is marked, light and dark", async () => {
    const gw = await startGateway();
    const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
    for (const colorScheme of ["light", "dark"] as const) {
      const page = await openPage(browser(), pageUrl(gw), { colorScheme });
      await waitLive(page);
      await sender.systemEvent({ instanceId: `no-host-${colorScheme}`, mode: "webchat", version: "1.0", reason: "periodic" });
      const marked = page.locator("#rows tr.changed, #rows tr.changed-fading").filter({ hasText: `no-host-${colorScheme}` });
      await expect.poll(() => marked.count()).toBe(1);
      const { violations, passes } = await axe(page);
      expect(violations).toEqual([]);
      expect(passes).toContain("color-contrast");
    }
  });

  it("under churn (about 20 pushes a second) renders the table at most about 4 times a second, every change still shown", async () => {
    const gw = await startGateway({ rateLimit: { burst: 1_000, perSecond: 1_000 } });
    const sender = await nodeClient(gw, { host: "sender", mode: "backend" });
    for (let n = 1; n <= 20; n++) await beacon(sender, n);
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    await expect.poll(() => page.locator("#rows tr").count()).toBe(23);
    // Renderings of the table: each is one synchronous pass, so one observer callback with rows moved or texts
    // changed (the marks' timer only changes classes; the 1 s ticks render too).
    await page.evaluate(() => {
      const w = window as unknown as { renders: number };
      w.renders = 0;
      new MutationObserver((records) => {
        if (records.some((r) => r.type !== "attributes")) w.renders++;
      }).observe(document.getElementById("rows")!, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    let round = 0;
    const timer = setInterval(() => {
      round++;
      for (let i = 0; i < 5; i++) void beacon(sender, 1 + ((round * 5 + i) % 20), { version: `v${round}` }).catch(() => {});
    }, 100);
    await page.waitForTimeout(3_000);
    clearInterval(timer);
    const renders = await page.evaluate(() => (window as unknown as { renders: number }).renders);
    // 3 s: at most 12 renderings of pushes and 6 of ticks (the page's and the gateway's, 1 s each); rendering every push made 29.
    expect(renders).toBeGreaterThan(5);
    expect(renders).toBeLessThanOrEqual(20);
    await expect.poll(() => cell(page, `build-${1 + ((round * 5 + 4) % 20)}`, "version").textContent()).toBe(`v${round}`);
  });
});
