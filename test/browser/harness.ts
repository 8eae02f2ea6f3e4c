/**
 * Real parts for the browser tests: Debian's Chromium driven by playwright-core (nothing downloads a
 * browser), real gateways on ephemeral loopback ports in test-clock mode, and real SDK clients in Node.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../src/client/index.js";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/server/index.js";

/** Chromium's path, or why there is none (the tests then skip, saying so). */
export const CHROMIUM: { path?: string; reason?: string } = findChromium();

function findChromium(): { path?: string; reason?: string } {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean) as string[];
  for (const path of candidates) if (existsSync(path)) return { path };
  try {
    const found = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
    if (found) return { path: found };
  } catch {
    // not on PATH
  }
  return { reason: "no Chromium found (set CHROMIUM_PATH, or apt-get install chromium; npm test's pretest does when it can)" };
}

/** A title suffix that says why a describe block was skipped. */
export const skipNote = CHROMIUM.path ? "" : ` (skipped: ${CHROMIUM.reason})`;

/** Flags that keep Chromium off the network (no update, sync, field trials) and working as root. */
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Headless Chromium; playwright gives each launch a fresh, temporary user-data-dir. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM.path, headless: true, args: [...ARGS, ...extraArgs] });
}

/** One Chromium for the enclosing describe block (launched before its tests, closed after): `browser()` returns it. */
export function useChromium(extraArgs: string[] = []): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium(extraArgs);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("Chromium is not running (useChromium outside a describe block?)");
    return browser;
  };
}

const gateways = new Set<Gateway>();
const clients = new Set<PresenceClient>();
const contexts = new Set<BrowserContext>();

afterEach(async () => {
  await Promise.all([...contexts].map((c) => c.close()));
  contexts.clear();
  await Promise.all([...clients].map((c) => c.close()));
  clients.clear();
  await Promise.all([...gateways].map((g) => g.close()));
  gateways.clear();
});

/**
 * A gateway on 127.0.0.1 in test-clock mode, closed after the test. A 1 s tick lets the page see the
 * clock move soon after `test.clock.advance` (and its watchdog allows 3 s of silence, enough on a
 * loaded machine); a 10-minute TTL keeps rows long enough to turn Stale.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const port = options.listeners === undefined ? { port: 0 } : {};
  const gw = await createGateway({ host: "127.0.0.1", ...port, testClock: true, tickIntervalMs: 1_000, ttlMs: 600_000, ...options });
  gateways.add(gw);
  return gw;
}

/** Closes a gateway now (and forgets it). */
export async function stopGateway(gw: Gateway): Promise<void> {
  gateways.delete(gw);
  await gw.close();
}

export const pageUrl = (gw: Gateway) => `${gw.url.replace(/^ws/, "http")}/`;

export interface NodeClientOptions {
  host: string;
  mode?: string;
  instanceId?: string;
  role?: "operator" | "node";
  platform?: string;
  version?: string;
  token?: string;
}

/** A real SDK client in Node (connected), closed after the test. */
export async function nodeClient(gw: Pick<Gateway, "url">, o: NodeClientOptions): Promise<PresenceClient> {
  const client = createPresenceClient({
    url: gw.url,
    client: { id: "browser-test", displayName: o.host, version: o.version ?? "1.4.0", platform: o.platform ?? "linux 6.8", mode: o.mode ?? "ui" },
    instanceId: o.instanceId ?? o.host.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    role: o.role,
    token: o.token,
    reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
  });
  clients.add(client);
  await client.connect();
  return client;
}

/** A fresh browser context (its own storage) with a page; page errors fail the test. `initScript` runs in the page before its own scripts. */
export async function openPage(
  browser: Browser,
  url: string,
  options: { colorScheme?: "light" | "dark"; reducedMotion?: "reduce" | "no-preference"; initScript?: () => void } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 640 },
    colorScheme: options.colorScheme ?? "light",
    reducedMotion: options.reducedMotion ?? "no-preference",
  });
  contexts.add(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  (page as Page & { errors: string[] }).errors = errors;
  const sent: string[] = [];
  page.on("websocket", (socket) => socket.on("framesent", ({ payload }) => sent.push(String(payload))));
  (page as Page & { sent: string[] }).sent = sent;
  if (options.initScript) await page.addInitScript(options.initScript);
  await page.goto(url);
  return page;
}

export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/** The `system-event` params the page sent so far, as seen on its WebSockets (the DevTools protocol). */
export function pageBeacons(page: Page): Array<{ reason?: string; instanceId?: string }> {
  const sent = (page as Page & { sent?: string[] }).sent ?? [];
  return sent
    .map((text) => JSON.parse(text) as { method?: string; params?: { reason?: string; instanceId?: string } })
    .filter((frame) => frame.method === "system-event")
    .map((frame) => frame.params ?? {});
}

/** The table row whose host cell is `host`. */
export function row(page: Page, host: string) {
  return page.locator("#rows tr").filter({ has: page.getByRole("rowheader", { name: host, exact: true }) });
}

/** The text of one column of a row (`status`, `ip`, `lastInput`, `reason`, `age`, ...). */
export function cell(page: Page, host: string, column: string) {
  return row(page, host).locator(`.col-${column}`);
}

/** Waits until the page's connection is open (banner hidden, table live). */
export async function waitLive(page: Page): Promise<void> {
  await expect.poll(() => page.locator("#table-region").getAttribute("data-live"), { timeout: 15_000 }).toBe("true");
}

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** axe-core's WCAG 2.1 A/AA and best-practice violations on the page as it is, and the ids of the rules that passed. */
export async function axe(page: Page): Promise<{ violations: string[]; passes: string[] }> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on.
  await page.evaluate(await readFile(AXE, "utf8"));
  return page.evaluate(async () => {
    type Rule = { id: string; nodes: Array<{ target: string[] }> };
    const engine = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: Rule[]; passes: Rule[] }> } }).axe;
    const result = await engine.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return {
      violations: result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      passes: result.passes.map((p) => p.id),
    };
  });
}

/**
 * A Chromium whose tabs really hide: playwright's own pages keep `document.visibilityState` at
 * "visible" (it turns on focus emulation for every page it makes, and with it Chromium reports every
 * tab visible), so a second tab opened over a page, a minimised window or Page.setWebLifecycleState
 * never fire visibilitychange there. This Chromium is started with a DevTools port and joined with
 * `connectOverCDP(..., { noDefaults: true })`, which leaves the default context's pages without that
 * emulation: a page opened over another hides it, and `bringToFront()` shows it again, as in a desktop
 * browser. Closed after the enclosing describe block.
 */
export function useChromiumWithTabs(): () => Browser {
  let browser: Browser | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  let profile: string | undefined;
  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), "gp-tabs-"));
    child = spawn(CHROMIUM.path!, [...ARGS, "--headless", "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"], { stdio: ["ignore", "ignore", "pipe"] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = "";
      child!.stderr!.on("data", (chunk: Buffer) => {
        text += chunk;
        const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (found) resolve(found[1]);
      });
      child!.once("exit", (code) => reject(new Error(`Chromium exited (${code}) before its DevTools port opened: ${text.slice(-500)}`)));
    });
    browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  });
  afterAll(async () => {
    await browser?.close().catch(() => {});
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill();
      await exited;
    }
    if (profile) await rm(profile, { recursive: true, force: true, maxRetries: 5 });
  });
  return () => {
    if (!browser) throw new Error("Chromium is not running (useChromiumWithTabs outside a describe block?)");
    return browser;
  };
}
