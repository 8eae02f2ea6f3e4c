// The token and the Origin check, in a real Chromium: the page asks for a token, keeps it in
// sessionStorage and sends it only in `connect`; pages of other origins cannot open a WebSocket to
// the gateway (also not through a DNS-rebinding name), unless the gateway allows their origin.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, useChromium, nodeClient, openPage, pageUrl, row, skipNote, startGateway, waitLive } from "./harness.js";

const TOKEN = "s3cret-token-4711";
/** Chromium resolves this name to loopback: a DNS-rebinding attacker's name for the gateway. */
const REBOUND_HOST = "rebound.example";

/** Records every URL the page requests and every WebSocket frame it sends. */
function recordTraffic(page: Page) {
  const urls: string[] = [];
  const sent: string[] = [];
  page.on("request", (request) => urls.push(request.url()));
  page.on("websocket", (ws) => {
    urls.push(ws.url());
    ws.on("framesent", (frame) => sent.push(String(frame.payload)));
  });
  return { urls, sent };
}

describe.skipIf(!CHROMIUM.path)(`token and Origin${skipNote}`, () => {
  const browser = useChromium([`--host-resolver-rules=MAP ${REBOUND_HOST} 127.0.0.1`]);

  it("asks for the token, says clearly when it is wrong, keeps it in sessionStorage and sends it only in connect", async () => {
    const gw = await startGateway({ token: TOKEN });
    await nodeClient(gw, { host: "build-agent-3", token: TOKEN });
    const context = await browser().newContext();
    const page = await context.newPage();
    const traffic = recordTraffic(page);
    try {
      await page.goto(pageUrl(gw));
      const message = page.locator("#auth-message");
      await expect.poll(() => message.textContent()).toBe("This gateway needs a token. Enter it to connect.");
      // The form took the focus: type and press Enter, keyboard only.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
      await page.keyboard.type("not-the-token");
      await page.keyboard.press("Enter");
      await expect.poll(() => message.textContent()).toBe("The gateway refused this token (wrong auth.token). Check it and enter it again.");
      expect(await page.locator("#auth").isVisible()).toBe(true);
      expect(await page.evaluate(() => sessionStorage.getItem("gateway-presence.token"))).toBeNull();

      await page.locator("#token").fill(TOKEN);
      await page.locator("#token").press("Enter");
      await waitLive(page);
      await expect.poll(() => row(page, "build-agent-3").count()).toBe(1);
      expect(await page.locator("#auth").isHidden()).toBe(true);
      expect(await page.evaluate(() => sessionStorage.getItem("gateway-presence.token"))).toBe(TOKEN);
      expect(await page.evaluate(() => localStorage.getItem("gateway-presence.token"))).toBeNull();

      // A reload in the same tab connects with the kept token, without asking.
      await page.reload();
      await waitLive(page);
      expect(await page.locator("#auth").isHidden()).toBe(true);

      // The token never was in a URL, and went out only inside `connect` requests.
      expect(traffic.urls.filter((u) => u.includes(TOKEN) || u.includes("not-the-token"))).toEqual([]);
      expect(page.url()).toBe(pageUrl(gw));
      const carrying = traffic.sent.filter((f) => f.includes(TOKEN));
      expect(carrying.length).toBeGreaterThanOrEqual(2);
      for (const frame of carrying) expect(JSON.parse(frame)).toMatchObject({ method: "connect", params: { auth: { token: TOKEN } } });

      // "Forget token" drops it, and the gateway's refusal brings the question back.
      await page.getByRole("button", { name: "Forget token" }).click();
      await expect.poll(() => message.textContent()).toBe("This gateway needs a token. Enter it to connect.");
      expect(await page.evaluate(() => sessionStorage.getItem("gateway-presence.token"))).toBeNull();
    } finally {
      await context.close();
    }
  });

  describe("a page of another origin", () => {
    let foreign: Server;
    let foreignOrigin: string;
    beforeAll(async () => {
      // A page of another site that tries to open a WebSocket to the URL in its query.
      foreign = createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><title>elsewhere</title><script>
          const target = new URLSearchParams(location.search).get("ws");
          window.result = new Promise((resolve) => {
            const ws = new WebSocket(target);
            ws.onopen = () => { ws.close(); resolve("open"); };
            ws.onclose = (event) => resolve("closed " + event.code);
          });
        </script>`);
      });
      await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve));
      foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => foreign?.close(resolve));
    });

    const logs: string[] = [];
    afterEach(() => {
      logs.length = 0;
    });

    async function tryFrom(origin: string, wsUrl: string): Promise<string> {
      const page = await openPage(browser(), `${origin}/?ws=${encodeURIComponent(wsUrl)}`);
      return page.evaluate(() => (window as unknown as { result: Promise<string> }).result);
    }

    it("cannot open a WebSocket to the gateway: refused before the handshake, and logged", async () => {
      const gw = await startGateway({ logger: (line) => logs.push(line) });
      expect(await tryFrom(foreignOrigin, gw.url)).toBe("closed 1006");
      expect(logs.some((l) => l.includes(`reject origin="${foreignOrigin}" reason=ORIGIN_NOT_ALLOWED`))).toBe(true);
      expect(logs.filter((l) => l.startsWith("connect "))).toEqual([]);
      expect(gw.metrics().rejections).toBeGreaterThanOrEqual(1);
    });

    it("can, once the gateway lists its origin in allowOrigins (--allow-origin)", async () => {
      const gw = await startGateway({ allowOrigins: [foreignOrigin], logger: (line) => logs.push(line) });
      expect(await tryFrom(foreignOrigin, gw.url)).toBe("open");
      expect(logs.filter((l) => l.includes("ORIGIN_NOT_ALLOWED"))).toEqual([]);
    });

    it("cannot, through a DNS-rebinding name that points at the gateway (the page itself loads, its WebSocket is refused)", async () => {
      const gw = await startGateway({ logger: (line) => logs.push(line) });
      const rebound = `http://${REBOUND_HOST}:${gw.port}`;
      expect(await tryFrom(foreignOrigin.replace(/^http:\/\/127\.0\.0\.1/, `http://${REBOUND_HOST}`), `ws://${REBOUND_HOST}:${gw.port}`)).toBe("closed 1006");
      const page = await openPage(browser(), `${rebound}/`);
      await expect.poll(() => page.locator("#banner").getAttribute("data-kind"), { timeout: 10_000 }).toBe("unreachable");
      expect(await page.locator("#banner-text").textContent()).toContain("refusing this page's origin");
      expect(logs.some((l) => l.includes(`reject origin="${rebound}" reason=ORIGIN_NOT_ALLOWED`))).toBe(true);
    });

    it("the gateway's own origin under each of its names is accepted (127.0.0.1, localhost)", async () => {
      const gw = await startGateway();
      for (const name of ["127.0.0.1", "localhost"]) {
        const page = await openPage(browser(), `http://${name}:${gw.port}/`);
        await waitLive(page);
      }
    });
  });
});
