/**
 * A gateway that refuses new connections (its new-connection rate limit: HTTP 503 + Retry-After on the
 * upgrade, docs/security.md) against real loopback reference gateways: a refusal is no verdict on the
 * rule under test. A scenario waits what Retry-After asks and tries again; one still refused is not
 * run, and the run ends as a run error (exit 2) saying what the gateway answered and what to change.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runConformance } from "../../../src/conformance/run/runner.js";
import { loadScenarios } from "../../../src/conformance/scenario/fixtures.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { formatSummary } from "../../../src/conformance/report/pretty.js";
import { formatHtml } from "../../../src/conformance/report/html.js";
import type { RunResult } from "../../../src/conformance/report/results.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliResult } from "../../support/cli.js";
import { refusingUpgrade } from "../../support/refusing-upgrade.js";
import { WebSocketServer } from "ws";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("conform against a gateway that rate-limits new connections", () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it("a refusal it cannot wait out (Retry-After 10 s, more than the scenario has left): not run, run error, exit 2", async () => {
    // Burst 3: the probe takes one, the first scenarios the rest; then every upgrade is refused for 10 s.
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, limits: { connectionRate: { perSecond: 0.1, burst: 3 } } });
    const started = Date.now();
    const { code, stdout } = await cliResult(["conform", "--no-color", "--url", gateway.url, "--wait-ready", "0", "--timeout", "5000"]);
    expect(Date.now() - started).toBeLessThan(40_000);
    // The wait asked is the whole seconds to the next token: 10 s, or less when the run was slow to get there.
    const reason = `${escape("too many new connections to the gateway (at most 0.1 per second, burst 3): retry in ")}(\\d+) s`;
    const refused = new RegExp(
      `^\\[ *(\\d+)/(\\d+)\\] - ([\\w-]+) \\(not run: the gateway rate-limited new connections: it refused the WebSocket upgrade: HTTP 503 Service Unavailable, saying "${reason}", asking for a \\4 s wait \\(Retry-After\\); ` +
        `actor "[\\w-]+" of [\\w-]+: its wait is at least the [\\d.]+ s left of the scenario's timeout \\(1 attempt\\): a --timeout longer than the wait asked lets the run wait it out; on a test instance raise or switch off its connection limits \\(e\\.g\\. serve --connection-rate off\\)\\)$`,
      "m",
    );
    expect(stdout).toMatch(refused);
    const [, index, total] = refused.exec(stdout)!;
    // Said once; no scenario failed for it, none ran after it.
    expect(stdout.split("rate-limited new connections").length - 1).toBe(1);
    expect(stdout).not.toMatch(/Unexpected server response|✗/);
    expect(stdout).not.toMatch(new RegExp(`^\\[ *${Number(index) + 1}/`, "m"));
    const ran = Number(index) - 1;
    expect(stdout).toMatch(new RegExp(`^Scenarios: ${ran} of ${total} ran before the gateway refused new connections — ${ran} passed, 0 failed, 0 with warnings, 0 skipped; ${Number(total) - ran} not run \\(the run error is above; `, "m"));
    expect(stdout.trimEnd().split("\n").pop()).toBe(`FAIL: the gateway refused new connections, so ${Number(total) - ran} of the ${total} scenarios did not run (see the run error above)`);
    expect(code).toBe(2);
  });

  it("a refusal it can wait out (Retry-After 1 s): waits, tries again, and the scenarios pass", async () => {
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, limits: { connectionRate: { perSecond: 2, burst: 1 } } });
    const scenarios = loadScenarios().filter(({ scenario }) => ["p1-self-row", "p6-disconnect-keeps-row"].includes(scenario.id));
    const result = await runConformance({ url: gateway.url, scenarios, waitReadyMs: 0 });
    expect(result.error).toBeUndefined();
    expect(result.scenarios.map((s) => [s.id, s.status])).toEqual([
      ["p1-self-row", "passed"],
      ["p6-disconnect-keeps-row", "passed"],
    ]);
    // They were refused on the way, and waited what was asked.
    const retries = result.scenarios.flatMap((s) => s.wire).filter((r) => r.dir === "meta" && /^refused \(HTTP 503\): trying again in 1000 ms$/.test(r.text));
    expect(retries.length).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
    // The terminal and the JSON say so (was: only the wire logs).
    expect(result.summary.refusalsWaitedOut).toEqual({ "503": retries.length });
    expect(formatSummary(result)).toContain(
      `\nRefused upgrades: the gateway refused ${retries.length} WebSocket upgrade${retries.length === 1 ? "" : "s"} (HTTP 503); each was waited out (its Retry-After, else 0.5 s) and tried again\n`,
    );
  });

  it("none ran (the first scenario refused for longer than its timeout): the rule table holds the probe's checks alone, nothing counted as skipped", async () => {
    // Burst 1: the probe takes the one token; the first scenario's upgrade is refused for 10 s, more than its 5 s.
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, limits: { connectionRate: { perSecond: 0.1, burst: 1 } } });
    const { code, stdout } = await cliResult(["conform", "--no-color", "--url", gateway.url, "--wait-ready", "0", "--timeout", "5000"]);
    expect(code).toBe(2);
    const total = /^Scenarios: 0 of (\d+) ran before the gateway refused new connections — 0 passed, 0 failed, 0 with warnings, 0 skipped; \1 not run /m.exec(stdout)?.[1];
    expect(total, stdout).toBeDefined();
    const table = stdout.slice(stdout.indexOf("by rule:\n"), stdout.indexOf("\nScenarios: "));
    expect(table).toContain("\n  (no scenario ran: the rows below are the probe's checks alone)\n");
    const rows = table.split("\n").filter((l) => /^ {2}[A-Z]\d+ /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    // Was: every rule of the not-run scenarios with its count in "skip" (H4 2 passed, P1 0 ... 3 skipped).
    for (const row of rows) expect(row, row).toMatch(/^ {2}\S+ +\d+ +\d+ +\d+ +0 +\d+ /);
    expect(rows.some((row) => /^ {2}P1 /.test(row)), table).toBe(false);
  });
});

describe("the JSON and HTML reports of a run stopped by refused connections", () => {
  let gateway: Gateway | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("count the scenarios not run apart (notRun), not as skipped, and the HTML says so as the terminal does", async () => {
    // As above: burst 3, then every upgrade refused for 10 s, more than a scenario's 5 s.
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, limits: { connectionRate: { perSecond: 0.1, burst: 3 } } });
    dir = mkdtempSync(join(tmpdir(), "refused-report-"));
    const out = join(dir, "report.json");
    const { code, stdout } = await cliResult(["conform", "--no-color", "--url", gateway.url, "--wait-ready", "0", "--timeout", "5000", "--reporter", "json", "--out", out]);
    expect(code).toBe(2);
    const report = JSON.parse(readFileSync(out, "utf8")) as RunResult;
    const refusedAt = report.scenarios.findIndex((s) => s.refused);
    expect(refusedAt, stdout).toBeGreaterThanOrEqual(0);
    const ran = report.scenarios.slice(0, refusedAt);
    const notRun = report.scenarios.slice(refusedAt);
    expect(notRun.slice(1).every((s) => s.status === "skipped" && /^not run: /.test(s.reason ?? ""))).toBe(true);
    // The summary: not run apart from skipped, as the terminal's Scenarios line says it.
    expect(report.summary.notRun).toBe(notRun.length);
    expect(report.summary.skipped).toBe(ran.filter((s) => s.status === "skipped").length);
    const line = `Scenarios: ${ran.length} of ${report.scenarios.length} ran before the gateway refused new connections — ${ran.filter((s) => s.status === "passed").length} passed, 0 failed, 0 with warnings, ${report.summary.skipped} skipped; ${notRun.length} not run`;
    expect(stdout).toContain(`\n${line} (the run error is above; `);
    // By rule: each rule's skips are those of scenarios that ran; the scenarios not run are in notRun.
    // Was: every not-run scenario counted in `skipped` (P1: 0 passed, ... 3 skipped).
    const rules = new Set(report.scenarios.flatMap((s) => s.rules));
    for (const rule of rules) {
      const counts = report.byRule[rule]!;
      const cites = (list: typeof ran) => list.filter((s) => s.rules.includes(rule)).length;
      expect(counts.skipped, rule).toBe(ran.filter((s) => s.status === "skipped" && s.rules.includes(rule)).length);
      expect(counts.notRun ?? 0, rule).toBe(cites(notRun));
    }
    expect(Object.values(report.byRule).reduce((n, s) => n + (s?.skipped ?? 0), 0)).toBeLessThan(notRun.length);
    // The HTML report: the same line, a "not run" column, and each scenario not run said so.
    const html = formatHtml(report);
    expect(html).toContain(`<p>${line} (the run error is above). Wire format: `);
    expect(html).not.toMatch(/<p>\d+ scenarios: /);
    expect(html).toContain("<th>skipped</th><th>known</th><th>not run</th></tr>");
    const p1 = report.byRule.P1!;
    expect(html).toContain(`<td>${p1.passed}</td><td>${p1.failed}</td><td>${p1.warnings}</td><td>${p1.skipped}</td><td>${p1.knownFailures}</td><td>${p1.notRun ?? 0}</td></tr>`);
    expect(html.split("<span class=\"skipped\">not run</span>").length - 1).toBe(notRun.length);
    expect(html).toContain(`<p>Not run: the run ended when the gateway refused ${notRun[0]!.id}&#39;s connection</p>`);
    expect(html).not.toContain("Skipped: not run: ");
  });
});

describe("the probe against a gateway that refuses its upgrade with 503 + Retry-After", () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  /** Takes the one token of a burst-1 bucket: the next upgrade is refused until it refills. */
  const spendToken = async (url: string) => {
    const { WebSocket } = await import("ws");
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    ws.terminate();
  };

  it("waits what Retry-After asks (3-4 s), not its own 0.5 s steps, and then runs", async () => {
    // Retry-After 4 s (3 s if this process is slow to get there): longer than any of the probe's own steps (at most 2 s).
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, limits: { connectionRate: { perSecond: 0.25, burst: 1 } } });
    await spendToken(gateway.url);
    const scenarios = loadScenarios().filter(({ scenario }) => scenario.id === "p1-self-row");
    const result = await runConformance({ url: gateway.url, scenarios, waitReadyMs: 10_000 });
    expect(result.error).toBeUndefined();
    expect(result.probe.attempts).toBe(2);
    expect(result.probe.waitedMs).toBeGreaterThanOrEqual(2900);
  });

  it("a wait longer than --wait-ready allows: says what was answered and asked, names the URL once, no `is a gateway running there?`", async () => {
    // A token every 20 s: the wait asked (whole seconds to the next token) is more than 3 s however slowly the CLI starts.
    gateway = await createGateway({ host: "127.0.0.1", port: 0, testClock: true, limits: { connectionRate: { perSecond: 0.05, burst: 1 } } });
    await spendToken(gateway.url);
    const { code, stdout } = await cliResult(["conform", "--no-color", "--url", gateway.url, "--only", "p1-self-row", "--wait-ready", "3000"]);
    const error =
      `probe connect failed: actor "probe": could not open ${escape(gateway.url)}: the gateway refused the WebSocket upgrade: HTTP 503 Service Unavailable, ` +
      `saying "too many new connections to the gateway \\(at most 0\\.05 per second, burst 1\\): retry in (\\d+) s", asking for a \\1 s wait \\(Retry-After\\) ` +
      `\\(not ready within --wait-ready 3000: 1 attempt in 0\\.\\d s; it asked for a \\1 s wait, past that\\)`;
    expect(stdout).toMatch(new RegExp(`^Cannot run the 1 scenario: ${error}$`, "m"));
    expect(stdout.split(gateway.url).length - 1).toBe(2); // the error's, and the summary's header
    expect(stdout).not.toMatch(/running there|Unexpected server response/);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateway refused new connections (HTTP 503), so no scenario ran (see the run error above)");
    expect(code).toBe(2);
  });
});

describe("conform against upgrades refused with 401, 403 or 404 (they need a person, not a wait)", () => {
  it("says what the status means in list's words, and no wait, though a Retry-After came", async () => {
    for (const [status, meaning] of [
      [403, "credentials or origin refused"],
      [404, "wrong path"],
    ] as const) {
      const url = await refusingUpgrade(status, { "Retry-After": "5", "Content-Type": "text/plain" }, "origin not allowed here");
      const list = await cliResult(["list", "--url", url]);
      const listHint = /\((.*)\)\n$/.exec(list.stderr)?.[1];
      expect(listHint, list.stderr).toMatch(new RegExp(`^${meaning}: `));
      const { code, stdout } = await cliResult(["conform", "--no-color", "--url", url, "--only", "p1-self-row", "--wait-ready", "0"]);
      expect(code).toBe(2);
      const statusText = status === 403 ? "Forbidden" : "Not Found";
      // Was: `..., saying "origin not allowed here", asking for a 5 s wait (Retry-After)` and
      // `FAIL: the server there answered the WebSocket upgrade with an HTTP error`.
      expect(stdout).toContain(`the gateway refused the WebSocket upgrade: HTTP ${status} ${statusText}, saying "origin not allowed here" (${listHint})`);
      expect(stdout).not.toMatch(/Retry-After|a 5 s wait/);
      expect(stdout.trimEnd().split("\n").pop()).toBe(`FAIL: the gateway refused the WebSocket upgrade (HTTP ${status}: ${meaning}), so no scenario ran (see the run error above)`);
    }
  });
});

describe("conform against a WebSocket server that takes upgrades on another path only (the ws package's `path` option)", () => {
  it("says a 400 most likely means the wrong path, instead of a bare 'Bad Request'", async () => {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/gateway" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    try {
      const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
      const { code, stdout } = await cliResult(["conform", "--no-color", "--url", url, "--only", "p1-self-row", "--wait-ready", "0"]);
      expect(code).toBe(2);
      expect(stdout).toContain(
        `could not open ${url}: the gateway refused the WebSocket upgrade: HTTP 400 Bad Request, saying "Bad Request" (wrong path? a WebSocket server that serves one path answers 400 to an upgrade on any other (the ws package's path option does); check the path in --url)`,
      );
      // Was: `FAIL: the server there answered the WebSocket upgrade with an HTTP error`.
      expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateway refused the WebSocket upgrade (HTTP 400: wrong path?), so no scenario ran (see the run error above)");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
