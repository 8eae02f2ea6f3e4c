// The page kept open across a reconnect, as an operator leaves it all day: the gateway stopped and
// started again on the same port, and (separately) the page's socket dropped while the gateway stays
// up. While it is down the page says so and keeps the last known list, its ages still counting, and
// marks nothing; once back it shows the new list, marks only the rows whose data changed (a row whose
// client comes back later than the page, unchanged, is not marked), and counts ages on the gateway's
// clock (a restarted gateway's, here an hour behind the old one's).
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ageSeconds, expectWithin, scaled, slowdown } from "../support/timing.js";
import { CHROMIUM, cell, nodeClient, openPage, pageErrors, pageUrl, row, skipNote, startGateway, stopGateway, useChromium, waitLive } from "./harness.js";
import { startLink } from "./link.js";
import { markedSince, pageNow, recordMarks } from "./marks.js";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The page's own row's key (`id:` and its instanceId). */
const ownKey = async (page: Page) => (await row(page, "Instances page").getAttribute("data-key")) ?? "";
const ageOf = async (page: Page, host: string) => ageSeconds((await cell(page, host, "age").textContent()) ?? "");

/** While not connected: the banner, the muted last known list and its note. */
async function expectShownDown(page: Page, kinds: RegExp): Promise<void> {
  await expect.poll(() => page.locator("#table-region").getAttribute("data-live")).toBe("false");
  expect(await page.locator("#banner").getAttribute("data-kind")).toMatch(kinds);
  expect(await page.locator("#banner").isVisible()).toBe(true);
  expect(await page.locator("#table-note").textContent()).toBe("(last known list, not live)");
}

/** Whole seconds a cell may lag real time: the page renders once a second, later on a loaded machine. */
const lag = () => 1 + Math.ceil(slowdown());

/** An age keeps counting with real time (the page renders it once a second). */
async function expectAgeCounting(page: Page, host: string): Promise<void> {
  const [a, at] = [await ageOf(page, host), Date.now()];
  await wait(2_200);
  const [b, bt] = [await ageOf(page, host), Date.now()];
  expectWithin(b - a, Math.floor((bt - at) / 1000) - lag(), Math.ceil((bt - at) / 1000) + 1, `${host}'s age change over ${bt - at} ms`);
}

describe.skipIf(!CHROMIUM.path)(`the page across a reconnect${skipNote}`, () => {
  const browser = useChromium();

  it("gateway restarted on the same port: the new list, marks only for what changed, ages on the new gateway's clock", async () => {
    const first = await startGateway();
    // late-desktop reaches the gateway through a link kept down until the page is back: a client that
    // reconnects later than the page (the SDK's clients wait up to 30 s between attempts, the page 5 s).
    const lateLink = await startLink();
    lateLink.target = first.port;
    const page = await openPage(browser(), pageUrl(first), { initScript: recordMarks });
    await waitLive(page);
    const anna = await nodeClient(first, { host: "anna-laptop" });
    await nodeClient({ url: `ws://127.0.0.1:${lateLink.port}` }, { host: "late-desktop" });
    // The old gateway's clock an hour ahead of the new one's; kiosk-7 (a beacon row) 5 s from Idle.
    await anna.testClockAdvance({ ms: 3_600_000 });
    await anna.systemEvent({ instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic" });
    await anna.testClockAdvance({ ms: 115_000 });
    await expect.poll(() => ageOf(page, "kiosk-7")).toBeGreaterThanOrEqual(115);
    expect(await cell(page, "kiosk-7", "status").textContent()).toBe("Active");
    await expect.poll(() => page.locator("#rows tr").count()).toBe(5);
    const before = await pageNow(page);

    lateLink.cut();
    await stopGateway(first);
    await expectShownDown(page, /^(reconnecting|unreachable)$/);
    // The last known list stays, its ages counting on the old gateway's clock: kiosk-7 turns Idle, unmarked.
    await expectAgeCounting(page, "kiosk-7");
    await expect.poll(() => cell(page, "kiosk-7", "status").textContent(), { timeout: scaled(15_000) }).toBe("Idle");
    expect(await page.locator("#rows tr").count()).toBe(5);
    expect(await markedSince(page, before)).toEqual([]);

    const second = await startGateway({ port: first.port });
    const newcomerAt = Date.now();
    await nodeClient(second, { host: "newcomer" });
    await waitLive(page);
    expect(await page.locator("#banner").isHidden()).toBe(true);
    expect(await page.locator("#table-note").textContent()).toBe("");
    // The new list: kiosk-7 was the old gateway's alone.
    await expect.poll(() => row(page, "kiosk-7").count()).toBe(0);
    await expect.poll(() => row(page, "anna-laptop").count()).toBe(1);
    expect(await row(page, "late-desktop").count()).toBe(0);
    // late-desktop comes back, as it was.
    lateLink.target = second.port;
    lateLink.restore();
    await expect.poll(() => row(page, "late-desktop").count()).toBe(1);
    await wait(300);
    // Marked: the new row and the page's own (launch, now connect); not anna, late-desktop or the self row.
    expect(await markedSince(page, before)).toEqual(["id:newcomer", await ownKey(page)].sort());
    expect(await page.locator("#rows th").allTextContents()).toEqual((await second.store.list()).map((r) => r.host));

    // Ages on the new gateway's clock (an hour behind the old one's), still counting.
    const newcomerAge = await ageOf(page, "newcomer");
    expectWithin(newcomerAge, 0, Math.ceil((Date.now() - newcomerAt) / 1000) + 1, "newcomer's age (s)");
    expect(await cell(page, "anna-laptop", "status").textContent()).toBe("Active");
    await expectAgeCounting(page, "newcomer");
    expect(pageErrors(page)).toEqual([]);
  });

  it("socket dropped while the gateway stays up: says so, then marks only the rows that changed meanwhile", async () => {
    const link = await startLink();
    const gw = await startGateway({ allowOrigins: [`http://127.0.0.1:${link.port}`] });
    link.target = gw.port;
    // The page (and its WebSocket) through the link: cutting it drops the page's socket alone.
    const page = await openPage(browser(), `http://127.0.0.1:${link.port}/`, { initScript: recordMarks });
    await waitLive(page);
    const anna = await nodeClient(gw, { host: "anna-laptop" });
    const bob = await nodeClient(gw, { host: "bob-desktop", version: "1.4.0" });
    const reportAt = Date.now();
    await anna.systemEvent({ instanceId: anna.instanceId, lastInputSeconds: 200, reason: "periodic" });
    await anna.systemEvent({ instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic" });
    await expect.poll(() => page.locator("#rows tr").count()).toBe(5);
    await expect.poll(() => cell(page, "anna-laptop", "lastInput").textContent()).toMatch(/^3m 2\ds ago$/);
    const before = await pageNow(page);

    link.cut();
    // First "Lost the connection" (it was open), then "Cannot reach" while the link refuses.
    await expectShownDown(page, /^(reconnecting|unreachable)$/);
    await expect.poll(() => page.locator("#banner").getAttribute("data-kind")).toBe("unreachable");
    expect(await page.locator("#banner-text").textContent()).toMatch(/^Cannot reach the gateway at ws:\/\/127\.0\.0\.1:\d+ .*(Reconnecting in \d+ s|Trying again now)/);
    await expectAgeCounting(page, "kiosk-7");
    // Meanwhile: bob's version changes; the gateway's clock moves a minute (open rows refreshed, SPEC S3).
    await bob.systemEvent({ instanceId: bob.instanceId, version: "2.0.0" });
    await anna.testClockAdvance({ ms: 60_000 });
    expect(await markedSince(page, before)).toEqual([]);

    link.restore();
    await waitLive(page);
    await expect.poll(() => cell(page, "bob-desktop", "version").textContent()).toBe("2.0.0");
    await wait(300);
    // Marked: bob (version) and the page's own row (disconnect, then connect); not anna, kiosk-7 or the self row.
    expect(await markedSince(page, before)).toEqual(["id:bob-desktop", await ownKey(page)].sort());
    // Ages on the gateway's clock: kiosk-7 is a minute older than the time that passed here.
    const kioskAge = await ageOf(page, "kiosk-7");
    expect(kioskAge).toBeGreaterThanOrEqual(60 + Math.floor((Date.now() - reportAt) / 1000) - lag());
    // anna's last input: 200 s at her beacon, a minute and the real time since; her row's ts moved at the
    // minute's refresh (a keep-alive's, SPEC S3/P7) but she reported nothing new.
    const idle = ageSeconds((await cell(page, "anna-laptop", "lastInput").textContent())?.replace(/ ago$/, ""));
    expectWithin(idle, 260 + Math.floor((Date.now() - reportAt) / 1000) - lag(), 260 + Math.ceil((Date.now() - reportAt) / 1000) + 1, "anna's idle time (s)");
    expect(pageErrors(page)).toEqual([]);
  });

  it("a silent drop (no close reaches the page): live until the SDK's watchdog gives up after 3 tick intervals, then says it lost the connection", async () => {
    const link = await startLink();
    // Ticks every 2 s: the watchdog closes a socket silent for 6 s.
    const gw = await startGateway({ tickIntervalMs: 2_000, allowOrigins: [`http://127.0.0.1:${link.port}`] });
    link.target = gw.port;
    const page = await openPage(browser(), `http://127.0.0.1:${link.port}/`);
    await waitLive(page);
    const banner = page.locator("#banner");
    // Every banner text with the page's Date.now() (the retry after "Lost" may replace it within 0.2 s).
    await page.evaluate(() => {
      const seen: Array<{ text: string; at: number }> = ((window as unknown as { seen: typeof seen }).seen = []);
      const text = document.getElementById("banner-text")!;
      new MutationObserver(() => seen.push({ text: text.textContent ?? "", at: Date.now() })).observe(text, { childList: true, characterData: true, subtree: true });
    });
    const lost = async () =>
      (await page.evaluate(() => (window as unknown as { seen: Array<{ text: string; at: number }> }).seen)).find((s) => s.text.startsWith("Lost the connection"));
    const stalledAt = Date.now();
    link.stall();
    expect(await page.locator("#table-region").getAttribute("data-live")).toBe("true"); // nothing says otherwise yet
    await expect.poll(lost, { timeout: scaled(15_000) }).toBeDefined();
    const said = (await lost())!;
    // Not before 3 tick intervals of silence (the last tick may have come up to one interval before the stall).
    expect(said.at - stalledAt).toBeGreaterThanOrEqual(6_000 - 2_000);
    expect(said.text).toMatch(/^Lost the connection to the gateway at ws:\/\/127\.0\.0\.1:\d+ \(.*\)\. (Reconnecting in \d+ s|Trying again now)/);
    await expectShownDown(page, /^(reconnecting|unreachable)$/);
    link.restore();
    await waitLive(page);
    expect(await banner.isHidden()).toBe(true);
    expect(await page.locator("#table-note").textContent()).toBe("");
    expect(pageErrors(page)).toEqual([]);
  });
});
