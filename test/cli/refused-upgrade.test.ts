// The CLI against WebSocket upgrades refused with an HTTP status: a gateway whose rate of new
// connections is used up (503 + Retry-After + its reason), and plain HTTP servers on loopback that
// answer every upgrade with one refusal (429/503 for now; 401/403/404, which need a person).
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../src/index.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { cli, hasScript } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { refusingUpgrade } from "../support/refusing-upgrade.js";
import { scaled } from "../support/timing.js";

interface StateLine {
  type: string;
  state?: string;
  reason?: string;
  delayMs?: number;
  httpStatus?: number;
  retryAfterMs?: number | null;
  httpReason?: string;
  hint?: string;
}
const jsonLines = (text: string) => text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as StateLine);
const FOR_NOW = "the gateway refuses new connections for now";
const CAPPED = "the next attempt is sooner, in 30s: the reconnect's longest delay";

describe("CLI: an upgrade refused with an HTTP status", () => {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  it("list and doctor say the gateway refused, with its reason and the wait its 503 asks for", async () => {
    // One token, the next in 100 s: Retry-After: 100 (less the seconds the CLI took to start).
    const gw = await createGateway({ port: 0, limits: { connectionRate: { perSecond: 0.01, burst: 1 } } });
    gateways.push(gw);
    const first = createPresenceClient({ url: gw.url, client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" } });
    clients.push(first);
    await first.connect();
    for (const command of ["list", "doctor"]) {
      const run = cli([command, "--url", gw.url]);
      expect(await run.exit, command).toBe(command === "doctor" ? 2 : 1); // doctor: 2, the gateway could not be read
      // Was: "cannot reach the gateway at ...: Unexpected server response: 503 (...)".
      const said =
        `gateway-presence ${command}: the gateway at ${gw.url} refused the WebSocket upgrade: HTTP 503 Service Unavailable, ` +
        `saying "too many new connections to the gateway (at most 0.01 per second, burst 1): retry in `;
      expect(run.stderr().startsWith(said), run.stderr()).toBe(true);
      // 100 s less the time this machine took to start the CLI (whole seconds, rounded up).
      expect(run.stderr().slice(said.length)).toMatch(/^(100|[3-9]\d) s" \(the gateway refuses new connections for now: it asks to retry in 1m (40|[1-3]\d)s\)\n$/);
    }
    expect(gw.metrics().connectionRateRefusals).toBe(2);
  });

  it("a Retry-After too large to be a number (400 digits) is 'more than a week', in list, doctor and watch", async () => {
    const url = await refusingUpgrade(503, { "Retry-After": "9".repeat(400) });
    for (const command of ["list", "doctor"]) {
      const run = cli([command, "--url", url]);
      expect(await run.exit, command).toBe(command === "doctor" ? 2 : 1); // doctor: 2, the gateway could not be read
      // Was: "it asks to retry in -".
      expect(run.stderr()).toBe(
        `gateway-presence ${command}: the gateway at ${url} refused the WebSocket upgrade: HTTP 503 Service Unavailable (${FOR_NOW}: it asks to retry in more than a week)\n`,
      );
    }
    const watch = cli(["watch", "--json", "--url", url]);
    const first = await eventually(() => {
      const line = jsonLines(watch.stdout()).find((l) => l.state === "reconnecting");
      expect(line).toBeDefined();
      return line!;
    }, scaled(30_000));
    watch.child.kill("SIGINT");
    expect(await watch.exit).toBe(0);
    // JSON has no Infinity: null says a wait was asked that no number holds.
    expect(first).toMatchObject({ httpStatus: 503, retryAfterMs: null, delayMs: 30_000, hint: `${FOR_NOW}: it asks to retry in more than a week; ${CAPPED}` });
  });

  it("watch says the wait asked: on a terminal under the reconnecting line, in --json as retryAfterMs and httpStatus; a wait past 30 s is said to be cut short", async () => {
    const short = await refusingUpgrade(429, { "Retry-After": "8", "Content-Type": "text/plain" }, "slow down\n");
    const json = cli(["watch", "--json", "--url", short]);
    const retry = await eventually(() => {
      const line = jsonLines(json.stdout()).find((l) => l.state === "reconnecting");
      expect(line).toBeDefined();
      return line!;
    }, scaled(30_000));
    json.child.kill("SIGINT");
    expect(await json.exit).toBe(0);
    expect(retry).toMatchObject({ httpStatus: 429, retryAfterMs: 8_000, httpReason: "slow down", delayMs: 8_000, hint: `${FOR_NOW}: it asks to retry in 8s` });
    // The reason in the words of the state line, not ws's "Unexpected server response: 429".
    expect(retry.reason).toBe(`cannot open ${short}: refused the WebSocket upgrade: HTTP 429 Too Many Requests, saying "slow down"`);

    const long = await refusingUpgrade(503, { "Retry-After": "100" });
    const capped = cli(["watch", "--json", "--url", long]);
    const cut = await eventually(() => {
      const line = jsonLines(capped.stdout()).find((l) => l.state === "reconnecting");
      expect(line).toBeDefined();
      return line!;
    }, scaled(30_000));
    capped.child.kill("SIGINT");
    expect(await capped.exit).toBe(0);
    expect(cut).toMatchObject({ httpStatus: 503, retryAfterMs: 100_000, delayMs: 30_000, hint: `${FOR_NOW}: it asks to retry in 1m 40s; ${CAPPED}` });

    if (!hasScript()) return; // the terminal's line needs script(1)
    const tty = cli(["watch", "--url", short], { tty: true });
    const line = `○ reconnecting to ${short} in 8s (attempt 1): refused the WebSocket upgrade: HTTP 429 Too Many Requests, saying "slow down"\r\n  ${FOR_NOW}: it asks to retry in 8s\r\n`;
    await eventually(() => expect(tty.stdout()).toContain(line), scaled(30_000));
    tty.child.kill("SIGINT");
    await tty.exit;
  });

  it("401, 403 and 404 need a person: list says what each means (a 403's Retry-After is not 'for now'), watch stops at once, exit 1", async () => {
    const person = "credentials or origin refused: check the token, or that the gateway allows this client's origin; retrying will not help";
    for (const [status, statusText, headers, body, meaning] of [
      [401, "Unauthorized", {}, "", person],
      [403, "Forbidden", { "Retry-After": "10", "Content-Type": "text/plain; charset=utf-8" }, "origin not allowed", person],
      [404, "Not Found", {}, "", "wrong path: nothing takes WebSockets at this URL's path; check --url"],
    ] as const) {
      const url = await refusingUpgrade(status, headers, body);
      const line = `the gateway at ${url} refused the WebSocket upgrade: HTTP ${status} ${statusText}${body ? `, saying "${body}"` : ""} (${meaning})`;
      const list = cli(["list", "--url", url]);
      expect(await list.exit, String(status)).toBe(1);
      expect(list.stderr()).toBe(`gateway-presence list: ${line}\n`);
      // Was: retried every 30 s for ever.
      const watch = cli(["watch", "--json", "--url", url]);
      expect(await watch.exit, String(status)).toBe(1);
      expect(watch.stderr()).toBe(`gateway-presence watch: ${line}\n`);
      expect(jsonLines(watch.stdout()).at(-1)).toMatchObject({ state: "closed", reason: line });
    }
  });
});
