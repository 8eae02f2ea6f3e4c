// The Instances page in a real Chromium against a non-conforming gateway whose rows hold fields of the
// wrong type (host: 5, version: 7, null, an object instanceId, a string ts, ts 1e400, ...; see
// test/support/mistyped-rows.ts): every row is shown with its values as given, and the page does not
// crash. A scripted JSON-RPC gateway sends them, on a loopback HTTP server that also serves the built
// page and its /config.json as a gateway listener does (src/server/http).
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpFront } from "../../src/server/http/http-front.js";
import { DEFAULT_WEB_ROOT, loadPageAssets } from "../../src/server/http/page-assets.js";
import { helloFor, startScriptedGateway, type ScriptedGateway } from "../client/scripted-gateway.js";
import { answerRaw, badRows } from "../support/mistyped-rows.js";
import { CHROMIUM, cell, openPage, pageErrors, row, skipNote, useChromium, waitLive } from "./harness.js";

/** The built page (dist/web, built by the project's global setup) and a scripted gateway on one loopback port. */
async function scriptedPageGateway(hello: (rows: unknown[]) => unknown = (rows) => helloFor(rows as never, 1)): Promise<{ gw: ScriptedGateway; server: Server; pageUrl: string }> {
  const assets = await loadPageAssets(DEFAULT_WEB_ROOT);
  if (!assets) throw new Error(`the Instances page is not built (no ${DEFAULT_WEB_ROOT}index.html)`);
  let port = 0;
  const front = createHttpFront({
    assets,
    config: () => ({ binding: "jsonrpc", listeners: [{ binding: "jsonrpc", port }], maxEntries: 200 }),
    health: () => ({ status: "ok", store: { backend: "scripted", shared: false, healthy: true } }),
    checkOrigin: () => ({ ok: true, matchedBy: "own" }),
    onOriginRefused: () => {},
  });
  const server = createServer((request, response) => front.handleRequest(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
  const gw = await startScriptedGateway({ server });
  gw.handlers.connect = (req) => answerRaw(req, hello(badRows(Date.now())));
  gw.handlers["system-presence"] = (req) => answerRaw(req, badRows(Date.now()));
  return { gw, server, pageUrl: `http://127.0.0.1:${port}/` };
}

describe.skipIf(!CHROMIUM.path)(`Instances page on rows with wrongly typed fields${skipNote}`, () => {
  const browser = useChromium();
  let started: Awaited<ReturnType<typeof scriptedPageGateway>> | undefined;
  afterEach(async () => {
    await started?.gw.close();
    // The page is still open here (the harness closes it after this hook) and reconnects at once:
    // close its sockets too, or server.close waits for them (it timed out under load).
    if (started) {
      const { server } = started;
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
    }
    started = undefined;
  });

  it("shows every row with its values as given (a number as its JSON text, an object as compact JSON), and no page error", async () => {
    started = await scriptedPageGateway();
    const page = await openPage(browser(), started.pageUrl);
    await waitLive(page);
    // Newest first; the rows without a usable ts (none, "1700000000000", 1e400) last, in the gateway's order.
    // Polled with the page's errors, so a page that crashed on the rows fails saying why.
    const shown = async () => ({ hosts: await page.locator("#rows th").allTextContents(), errors: pageErrors(page) });
    await expect.poll(shown).toEqual({ hosts: ["gw", "desk", "5", "null", "ghost", "far", "odd"], errors: [] });
    await expect(row(page, "5").isVisible()).resolves.toBe(true);
    await expect(row(page, "odd").isVisible()).resolves.toBe(true);

    expect(await cell(page, "desk", "version").textContent()).toBe("7");
    expect(await cell(page, "5", "status").textContent()).toBe("Active");
    expect(await cell(page, "5", "mode").textContent()).toBe("ui");
    // host null (given, not absent), instanceId {"id":"tab"}: the other fields as their JSON text.
    expect(await cell(page, "null", "ip").textContent()).toBe('["10.0.0.7"]');
    expect(await cell(page, "null", "mode").textContent()).toBe("true");
    expect(await cell(page, "null", "platform").textContent()).toBe("12.5");
    expect(await cell(page, "null", "lastInput").textContent()).toBe("3");
    expect(await cell(page, "null", "roles").textContent()).toBe("operator");
    expect(await cell(page, "null", "reason").textContent()).toBe("periodic");
    expect(await row(page, "null").getByRole("rowheader").getAttribute("title")).toBe('instanceId {"id":"tab"}');
    // No usable ts: Stale, no age, and the age's title says what the ts held.
    for (const host of ["ghost", "far", "odd"]) {
      expect(await cell(page, host, "status").textContent(), host).toBe("Stale");
      expect(await cell(page, host, "age").textContent(), host).toBe("");
    }
    expect(await cell(page, "far", "lastInput").textContent()).toBe("Infinity");
    expect(await cell(page, "odd", "age").getAttribute("title")).toBe('ts "1700000000000": not a time (a non-conforming row)');
    expect(await cell(page, "ghost", "age").getAttribute("title")).toBe("ts absent (a non-conforming row)");

    // The counts and the filters work on such rows too: the host search finds the number host.
    await expect.poll(() => page.locator("#count-active").textContent()).toBe("4");
    await page.locator("#filter-host").fill("5");
    await expect.poll(() => page.locator("#rows th").allTextContents()).toEqual(["5"]);
    expect(pageErrors(page)).toEqual([]);
  });

  it("a hello-ok with only the snapshot (no server, features or policy) still shows the list, and no page error", async () => {
    started = await scriptedPageGateway((rows) => {
      const hello = helloFor(rows as never, 1) as unknown as Record<string, unknown>;
      delete hello.server, delete hello.features, delete hello.policy;
      return hello;
    });
    const page = await openPage(browser(), started.pageUrl);
    await waitLive(page);
    const shown = async () => ({ rows: (await page.locator("#rows th").allTextContents()).length, errors: pageErrors(page) });
    await expect.poll(shown).toEqual({ rows: 7, errors: [] });
    await expect.poll(() => page.locator("#gateway-info").textContent()).toMatch(/^gateway \(no server\.version\) · jsonrpc · /);
    expect(pageErrors(page)).toEqual([]);
  });
});
