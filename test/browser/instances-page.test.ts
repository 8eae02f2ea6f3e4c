// The Instances page in a real Chromium against a real gateway (test-clock mode, ephemeral loopback
// port), with real SDK clients in Node making the rows: the view follows the list live.
import { describe, expect, it } from "vitest";
import { axe, CHROMIUM, useChromium, cell, nodeClient, openPage, pageBeacons, pageErrors, pageUrl, row, skipNote, startGateway, stopGateway, waitLive } from "./harness.js";

describe.skipIf(!CHROMIUM.path)(`Instances page${skipNote}`, () => {
  const browser = useChromium();

  it("shows rows as clients connect, newest first, with counts, rows / cap, and ages that tick", async () => {
    const gw = await startGateway({ maxEntries: 50 });
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    // The gateway's own row and the page's own row (the SDK in the page is a presence client too).
    await expect.poll(() => cell(page, "Instances page", "reason").textContent()).toBe("launch");
    await expect.poll(() => cell(page, "Instances page", "mode").textContent()).toBe("webchat");
    await expect.poll(() => page.locator("#rows tr").count()).toBe(2);

    await nodeClient(gw, { host: "build-agent-3", mode: "backend" });
    await expect.poll(() => cell(page, "build-agent-3", "reason").textContent()).toBe("connect");
    await nodeClient(gw, { host: "Anna's MacBook Pro", mode: "ui", platform: "darwin 24.1", version: "2.0.1" });
    await expect.poll(() => row(page, "Anna's MacBook Pro").count()).toBe(1);
    await nodeClient(gw, { host: "iPhone 15", mode: "node", role: "node", platform: "ios 18.2" });
    await expect.poll(() => cell(page, "iPhone 15", "roles").textContent()).toBe("node");
    expect(await cell(page, "iPhone 15", "reason").textContent()).toBe("node-connected");
    expect(await cell(page, "Anna's MacBook Pro", "version").textContent()).toBe("2.0.1");
    expect(await cell(page, "Anna's MacBook Pro", "platform").textContent()).toBe("darwin 24.1");
    expect(await cell(page, "Anna's MacBook Pro", "status").textContent()).toBe("Active");

    // Newest first: the order of the rows is the order of their ts, as the gateway lists them.
    const hosts = await page.locator("#rows th").allTextContents();
    const listed = (await gw.store.list()).map((r) => r.host);
    expect(hosts).toEqual(listed);
    expect(hosts.indexOf("iPhone 15")).toBeLessThan(hosts.indexOf("build-agent-3"));

    await expect.poll(() => page.locator("#count-active").textContent()).toBe("5");
    expect(await page.locator("#count-idle").textContent()).toBe("0");
    expect(await page.locator("#count-rows").textContent()).toBe("5 / 50 rows");

    // Ages tick on their own (no push needed).
    const age = cell(page, "build-agent-3", "age");
    const before = await age.textContent();
    await expect.poll(() => age.textContent(), { timeout: 5_000 }).not.toBe(before);
    expect(pageErrors(page)).toEqual([]);
  });

  it("shows a beacon's last input, and the page's own beacons report the visitor's input", async () => {
    const gw = await startGateway();
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    const anna = await nodeClient(gw, { host: "Anna's MacBook Pro" });
    await expect.poll(() => row(page, "Anna's MacBook Pro").count()).toBe(1);
    expect(await cell(page, "Anna's MacBook Pro", "lastInput").textContent()).toBe("");

    await anna.systemEvent({ instanceId: anna.instanceId, lastInputSeconds: 42, ip: "192.168.1.23", reason: "periodic" });
    await expect.poll(() => cell(page, "Anna's MacBook Pro", "lastInput").textContent()).toMatch(/^4[2-5]s ago$/);
    expect(await cell(page, "Anna's MacBook Pro", "ip").textContent()).toBe("192.168.1.23");
    expect(await cell(page, "Anna's MacBook Pro", "reason").textContent()).toBe("periodic");

    await anna.systemEvent({ instanceId: anna.instanceId, lastInputSeconds: 3600 });
    await expect.poll(() => cell(page, "Anna's MacBook Pro", "lastInput").textContent()).toMatch(/^1h 0m ago$/);

    // A beacon row without a host (SPEC K2) is named by its instanceId, set apart as an id: no blank row header.
    await anna.systemEvent({ instanceId: "kiosk-lobby-2", mode: "ui", lastInputSeconds: 5 });
    await expect.poll(() => row(page, "kiosk-lobby-2").count()).toBe(1);
    const header = row(page, "kiosk-lobby-2").getByRole("rowheader");
    expect(await header.getAttribute("class")).toContain("host-is-id");
    expect(await header.getAttribute("title")).toBe("instanceId kiosk-lobby-2 (the row has no host)");
    expect(await row(page, "Anna's MacBook Pro").getByRole("rowheader").getAttribute("class")).not.toContain("host-is-id");

    // The page's own launch beacon (sent by the SDK's startBeacons) carries lastInputSeconds.
    await expect.poll(() => cell(page, "Instances page", "lastInput").textContent()).toMatch(/^\d+s ago$/);
    const own = (await gw.store.list()).find((r) => r.host === "Instances page");
    expect(own?.lastInputSeconds).toBeTypeOf("number");
    // One beacon at start: `launch` when the connection opens (not `launch` and `connect` together).
    expect(own?.reason).toBe("launch");
    expect(pageBeacons(page).map((b) => b.reason)).toEqual(["launch"]);
  });

  it("turns a row Idle, then Stale, as test.clock.advance moves the gateway's clock", async () => {
    const gw = await startGateway();
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    const ops = await nodeClient(gw, { host: "ops-console" });
    // A row no open connection keeps alive (a beacon for another instanceId, SPEC K2).
    await ops.systemEvent({ instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic" });
    await expect.poll(() => cell(page, "kiosk-7", "status").textContent()).toBe("Active");

    // Record every status the page gives the live row from now on (every DOM change): it must never flicker Idle.
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { opsStatuses: Set<string> }).opsStatuses = seen;
      const note = () => {
        const row = Array.from(document.querySelectorAll<HTMLElement>("#rows tr")).find((tr) => tr.querySelector("th")?.textContent === "ops-console");
        if (row) seen.add(row.dataset.status ?? "");
      };
      note();
      new MutationObserver(note).observe(document.getElementById("rows")!, { subtree: true, attributes: true, childList: true, characterData: true });
    });
    await ops.testClockAdvance({ ms: 150_000 });
    await expect.poll(() => cell(page, "kiosk-7", "status").textContent()).toBe("Idle");
    expect(await cell(page, "kiosk-7", "age").textContent()).toMatch(/^2m (3\d|29)s$/);
    // Rows of open connections count as kept alive (SPEC S3, P7): still Active, and never shown otherwise.
    expect(await cell(page, "ops-console", "status").textContent()).toBe("Active");
    expect(await page.evaluate(() => [...(window as unknown as { opsStatuses: Set<string> }).opsStatuses])).toEqual(["Active"]);
    expect(await page.locator("#count-idle").textContent()).toBe("1");

    await ops.testClockAdvance({ ms: 200_000 });
    await expect.poll(() => cell(page, "kiosk-7", "status").textContent()).toBe("Stale");
    expect(await row(page, "kiosk-7").getAttribute("data-status")).toBe("Stale");
    expect(await page.locator("#count-stale").textContent()).toBe("1");

    // The status filter (a native select) shows only Stale rows.
    await page.locator("#filter-status").selectOption("Stale");
    await expect.poll(() => page.locator("#rows th").allTextContents()).toEqual(["kiosk-7"]);
    expect(await page.locator("#count-shown").textContent()).toMatch(/^showing 1 of \d+$/);
  });

  it("shows `disconnect` when a client leaves, and says so in the aria-live region", async () => {
    const gw = await startGateway();
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    const laptop = await nodeClient(gw, { host: "field-laptop" });
    await expect.poll(() => cell(page, "field-laptop", "reason").textContent()).toBe("connect");
    await laptop.close();
    await expect.poll(() => cell(page, "field-laptop", "reason").textContent()).toBe("disconnect");
    await expect.poll(() => page.locator("#live").textContent(), { timeout: 5_000 }).toContain("field-laptop disconnected");
  });

  it("says it cannot connect, naming the URL (not that it lost the connection), when the first connect never opens", async () => {
    // A gateway that answers `connect` "gateway starting; retry shortly" for its first 3 s (a test-only fault).
    const gw = await startGateway({ faults: { startsSlowly: true } });
    const page = await openPage(browser(), pageUrl(gw));
    const banner = page.locator("#banner");
    await expect.poll(() => banner.getAttribute("data-kind")).toBe("unreachable");
    const text = await page.locator("#banner-text").textContent();
    expect(text).toMatch(/^Cannot connect to the gateway at ws:\/\/127\.0\.0\.1:\d+ \(.*gateway starting; retry shortly\)\. (Reconnecting in \d+ s|Trying again now)/);
    expect(text).not.toContain("Lost");
    // No list has come yet: nothing to call "last known".
    expect(await page.locator("#table-note").textContent()).toBe("(no list yet)");
    await waitLive(page);
    expect(await page.locator("#table-note").textContent()).toBe("");
    expect(await banner.isHidden()).toBe(true);
    expect(pageErrors(page)).toEqual([]);
  });

  it("waits at most 5 s between attempts while the gateway is down, so it is live again soon after a restart", async () => {
    const gw = await startGateway();
    const page = await openPage(browser(), pageUrl(gw));
    await waitLive(page);
    // Every banner text, as the page shows it (the countdown is read when each state is drawn).
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
      const text = document.getElementById("banner-text")!;
      new MutationObserver(() => seen.push(text.textContent ?? "")).observe(text, { childList: true, characterData: true, subtree: true });
    });
    await stopGateway(gw);
    // The SDK's backoff (250 ms doubling, x0.7-1): the wait announced with attempt 6 is 5.6-8 s
    // without the page's cap (it grew to 21-30 s in a longer outage), and it comes 5.4-7.8 s after the stop.
    const seen = () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    await expect.poll(async () => (await seen()).some((t) => /Reconnecting in \d+ s \(attempt 6\)/.test(t)), { timeout: 10_000 }).toBe(true);
    const waits = (await seen()).map((t) => Number(/Reconnecting in (\d+) s/.exec(t)?.[1] ?? 0));
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...waits)).toBeLessThanOrEqual(5);
  });

  it("shows a banner while the gateway restarts, then recovers on the same port (reconnect, resync, beacons)", async () => {
    const first = await startGateway();
    const page = await openPage(browser(), pageUrl(first));
    await waitLive(page);
    await nodeClient(first, { host: "build-agent-3", mode: "backend" });
    await expect.poll(() => row(page, "build-agent-3").count()).toBe(1);
    const banner = page.locator("#banner");
    expect(await banner.isHidden()).toBe(true);

    await stopGateway(first);
    await expect.poll(() => banner.getAttribute("data-kind")).toMatch(/^(reconnecting|unreachable)$/);
    if ((await banner.getAttribute("data-kind")) === "reconnecting") {
      expect(await page.locator("#banner-text").textContent()).toMatch(/^Lost the connection to the gateway at ws:\/\/127\.0\.0\.1:\d+ \(/);
    }
    expect(await banner.isVisible()).toBe(true);
    expect(await page.locator("#table-region").getAttribute("data-live")).toBe("false");
    expect(await page.locator("#table-note").textContent()).toBe("(last known list, not live)");
    await expect.poll(() => banner.getAttribute("data-kind"), { timeout: 10_000 }).toBe("unreachable");
    // The banner and the muted last-known list stay readable (AA contrast) while not live.
    expect((await axe(page)).violations).toEqual([]);
    expect(await page.locator("#banner-text").textContent()).toMatch(/^Cannot reach the gateway at ws:\/\/127\.0\.0\.1:\d+ \(.*\)\. (Reconnecting in \d+ s|Trying again now)/);

    const second = await startGateway({ port: first.port });
    await waitLive(page);
    expect(await banner.isHidden()).toBe(true);
    // The Node client came back too (its own reconnect), and the page's mirror follows the new gateway.
    await expect.poll(() => row(page, "build-agent-3").count(), { timeout: 10_000 }).toBe(1);
    // The page re-sent its beacon after reconnecting: its row on the new gateway has lastInputSeconds.
    await expect.poll(async () => (await second.store.list()).find((r) => r.host === "Instances page")?.lastInputSeconds, { timeout: 10_000 }).toBeTypeOf("number");
    expect(pageErrors(page)).toEqual([]);
  });
});
