// The client SDK in Chromium, as an app author bundles it (esbuild, platform browser) into a page of
// its own origin: a browser whose clock is 40 s behind the gateway's shows ages on the gateway's
// clock (client.gatewayClock), not "last seen -40 s ago"; and a socket the browser will not explain
// (an upgrade refused for the page's origin) fails with a reason that says what may be wrong.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleForBrowser } from "../../scripts/browser-bundle.js";
import { CHROMIUM, skipNote, startGateway, useChromium } from "./harness.js";

const SKEW_MS = 40_000;

/** Serves a blank page and the SDK bundle (`/sdk.js`) on its own loopback origin. */
async function appServer(code: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url === "/sdk.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(code);
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>status</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Seen {
  naiveAgeMs: number;
  ageMs: number;
  offsetMs: number | undefined;
  status: string;
}

describe.skipIf(!CHROMIUM.path)(`the SDK in a page of its own${skipNote}`, () => {
  const browser = useChromium();
  let app: { server: Server; origin: string };
  beforeAll(async () => {
    app = await appServer((await bundleForBrowser("src/client/index.ts")).code);
  });
  afterAll(() => new Promise<void>((resolve) => app.server.close(() => resolve())));

  const openApp = async (skewMs = 0) => {
    const context = await browser().newContext();
    // This machine's clock set 40 s back, as the page sees it: Date and the performance timeline.
    await context.addInitScript((skew: number) => {
      const RealDate = Date;
      const shift = (value: number) => value + skew;
      const Skewed = function (this: unknown, ...args: unknown[]) {
        if (!new.target) return new RealDate(shift(RealDate.now())).toString();
        return args.length === 0 ? new RealDate(shift(RealDate.now())) : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
      } as unknown as DateConstructor;
      Skewed.now = () => shift(RealDate.now());
      Skewed.parse = RealDate.parse;
      Skewed.UTC = RealDate.UTC;
      Object.defineProperty(Skewed, "prototype", { value: RealDate.prototype });
      (globalThis as { Date: DateConstructor }).Date = Skewed;
      const origin = performance.timeOrigin + skew;
      Object.defineProperty(performance, "timeOrigin", { get: () => origin });
    }, skewMs);
    const page = await context.newPage();
    await page.goto(`${app.origin}/`);
    // A string, so the test runner does not rewrite this import(): the page loads the bundle itself.
    await page.evaluate(`import("/sdk.js").then((m) => { window.sdk = m; })`);
    return { page, close: () => context.close() };
  };

  it("a browser 40 s behind the gateway: ages and statuses on the gateway's clock, never negative", async () => {
    const gw = await startGateway({ allowOrigins: [app.origin] });
    const { page, close } = await openApp(-SKEW_MS);
    try {
      const seen = await page.evaluate(async (url): Promise<Seen> => {
        const sdk = (window as unknown as { sdk: typeof import("../../src/client/index.js") }).sdk;
        const client = sdk.createPresenceClient({ url, instanceId: "skewed-tab", client: { id: "status", version: "1", platform: "web", mode: "webchat" } });
        await client.connect();
        const row = client.presence.get("skewed-tab")!;
        const result = { naiveAgeMs: Date.now() - row.ts, ageMs: client.gatewayClock.ageMs(row), offsetMs: client.gatewayClock.offsetMs, status: client.gatewayClock.status(row) };
        await client.close();
        return result;
      }, gw.url);
      expect(seen.naiveAgeMs, "the page's clock really is 40 s behind").toBeLessThan(-SKEW_MS + 5_000);
      expect(seen.ageMs).toBeGreaterThanOrEqual(0);
      expect(seen.ageMs).toBeLessThan(3_000);
      expect(seen.offsetMs).toBeGreaterThan(SKEW_MS - 3_000);
      expect(seen.offsetMs).toBeLessThan(SKEW_MS + 3_000);
      expect(seen.status).toBe("Active");
    } finally {
      await close();
    }
  });

  it("an upgrade refused for the page's origin: the reason says the browser tells nothing, and what it may be", async () => {
    const gw = await startGateway(); // this page's origin is not allowed: HTTP 403 to the upgrade
    const { page, close } = await openApp();
    try {
      const reason = await page.evaluate(async (url): Promise<string> => {
        const sdk = (window as unknown as { sdk: typeof import("../../src/client/index.js") }).sdk;
        const client = sdk.createPresenceClient({ url, reconnect: false, client: { id: "status", version: "1", platform: "web", mode: "webchat" } });
        return client.connect().then(
          () => "connected",
          (error: Error) => error.message,
        );
      }, gw.url);
      expect(reason).toBe(
        `cannot open ${gw.url}: closed (1006) before it opened; the browser does not say why: the gateway may be down or unreachable, ` +
          "or it refused the upgrade (HTTP 403 when this page's origin is not allowed: gateway-presence serve --allow-origin ORIGIN; " +
          "429 or 503 when it is busy, retried; the browser's console shows the status)",
      );
    } finally {
      await close();
    }
  });
});
