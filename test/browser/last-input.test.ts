// Last input after keep-alives: a keep-alive refresh moves an open connection's ts and keeps the stored
// lastInputSeconds as the client reported it (SPEC P7, K3), so "reported seconds plus the row's age"
// dropped back at every refresh the page saw. The page keeps the report's instant while the value stays
// the same, and says in the tooltip whether it saw the report come or found it listed (then the input may
// be earlier). Real keep-alives here: a gateway that pings every 300 ms, its pongs refreshing ts.
import { describe, expect, it } from "vitest";
import { ageSeconds, expectWithin, slowdown } from "../support/timing.js";
import { CHROMIUM, cell, nodeClient, openPage, pageErrors, pageUrl, row, skipNote, startGateway, useChromium, waitLive } from "./harness.js";
import { markedSince, pageNow, recordMarks } from "./marks.js";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const idleSeconds = (text: string | null) => ageSeconds((text ?? "").replace(/ ago$/, ""));
/** Whole seconds a cell may lag real time: the page renders once a second, later on a loaded machine. */
const lag = () => 1 + Math.ceil(slowdown());

describe.skipIf(!CHROMIUM.path)(`Last input after keep-alives${skipNote}`, () => {
  const browser = useChromium();

  it("keeps counting from the report through keep-alives and a disconnect; a new value starts again", async () => {
    const gw = await startGateway({ keepAliveIntervalMs: 300 });
    const page = await openPage(browser(), pageUrl(gw), { initScript: recordMarks });
    await waitLive(page);
    const anna = await nodeClient(gw, { host: "anna-laptop" });
    const reportAt = Date.now();
    await anna.systemEvent({ instanceId: anna.instanceId, lastInputSeconds: 200, reason: "periodic" });
    // Read at once: a keep-alive (every 300 ms) may move the row's ts later, never earlier.
    const reported = (await gw.store.list()).find((r) => r.host === "anna-laptop")!;
    await expect.poll(() => cell(page, "anna-laptop", "lastInput").textContent()).toMatch(/^3m 2\ds ago$/);
    const since = await pageNow(page);

    // Keep-alives move anna's ts for a while (longer than a cell may lag here, so the old reading, which
    // dropped back by that much, cannot pass); another row's beacon then pushes the list with that ts.
    const slack = lag();
    await wait(4_000 + 1_000 * slack);
    await anna.systemEvent({ instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic" });
    await expect.poll(() => row(page, "kiosk-7").count()).toBe(1);
    const refreshed = (await gw.store.list()).find((r) => r.host === "anna-laptop")!;
    expect(refreshed.ts - reported.ts).toBeGreaterThan(1_000 * (slack + 2)); // the keep-alives did move it
    expect(refreshed.lastInputSeconds).toBe(200); // and kept the value (K3)
    const elapsed = () => (Date.now() - reportAt) / 1000;
    let idle = idleSeconds(await cell(page, "anna-laptop", "lastInput").textContent());
    // Read against the refreshed ts it was about 200 + 1 s.
    expectWithin(idle, 200 + Math.floor(elapsed()) - slack, 200 + Math.ceil(elapsed()) + 1, "anna's idle time after keep-alives (s)");
    // The report's instant, in whole seconds: from the beacon's write, at or before the row's ts read
    // just after it (read later, a keep-alive had moved it: 03:53:31 expected where 03:53:30 was true).
    const title = await cell(page, "anna-laptop", "lastInput").getAttribute("title");
    const shownAt = Date.parse(/^reported 200 s idle at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$/.exec(title ?? "")?.[1]?.replace(" ", "T") + "Z");
    expectWithin(shownAt, Math.floor(reportAt / 1000) * 1000, reported.ts, `the report's time in the tooltip (${title})`);
    expect(await markedSince(page, since)).toEqual(["id:kiosk-7"]); // anna's row: no new input, no mark

    // She leaves: a disconnect moves ts and keeps the value too.
    await anna.close();
    await expect.poll(() => cell(page, "anna-laptop", "reason").textContent()).toBe("disconnect");
    idle = idleSeconds(await cell(page, "anna-laptop", "lastInput").textContent());
    expectWithin(idle, 200 + Math.floor(elapsed()) - slack, 200 + Math.ceil(elapsed()) + 1, "anna's idle time after her disconnect (s)");

    // A new value is a new report: idle from it.
    const bob = await nodeClient(gw, { host: "bob-desktop" });
    await bob.systemEvent({ instanceId: anna.instanceId, lastInputSeconds: 4 });
    await expect.poll(async () => idleSeconds(await cell(page, "anna-laptop", "lastInput").textContent())).toBeLessThanOrEqual(6);

    // A page that finds the row listed cannot know whether its ts is the report's: it says so.
    const other = await openPage(browser(), pageUrl(gw));
    await waitLive(other);
    await expect.poll(() => cell(other, "anna-laptop", "lastInput").getAttribute("title")).toMatch(/^reported 4 s idle at .* UTC or earlier \(ts may be a keep-alive's\)$/);
    expect(pageErrors(page)).toEqual([]);
  });
});
