// `gateway-presence doctor` run as a real process against the reference gateway: output forms
// (terminal, colour only on a TTY, --json) and exit codes (0 no finding above info, 1 findings,
// 2 unreadable gateway or bad option).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeFailure } from "../../src/cli/connection.js";
import { textWidth } from "../../src/doctor/columns.js";
import type { DoctorReport } from "../../src/doctor/index.js";
import { cliResult, hasScript } from "../support/cli.js";
import { ageSeconds, expectWithin } from "../support/timing.js";
import { advance, app, gateway, urlOf } from "./helpers.js";

const ANSI = /\x1b\[/;

/** NO_COLOR cleared: colour is on or off by the terminal and the flags alone. */
const doctorCli = (args: string[], env: Record<string, string> = {}) => cliResult(["doctor", ...args], { env: { NO_COLOR: "", ...env } });

describe("gateway-presence doctor (CLI)", () => {
  it("a healthy gateway: exit 0, a plain report without colour when stdout is not a TTY, and no row added", async () => {
    const gw = await gateway({ token: "s3cret-token" });
    const a = await app(gw, { instanceId: "a", token: "s3cret-token" });
    const run = await doctorCli(["--url", gw.url, "--token", "s3cret-token"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^gateway-presence doctor {2}ws:\/\/127\.0\.0\.1:\d+\n/);
    expect(run.stdout).toMatch(/^2 rows: 2 Active, 0 Idle, 0 Stale$/m);
    expect(run.stdout).toMatch(/^modes: gateway 1, ui 1$/m);
    expect(run.stdout).toMatch(/^clock: the gateway is in step with this machine/m);
    expect(run.stdout).toMatch(/No findings/);
    expect(run.stdout).not.toMatch(ANSI);
    expect(run.stdout).not.toContain("s3cret-token");
    expect(await a.systemPresence()).toHaveLength(2);
  });

  it("--binding openclaw: signs with the device identity kept in the config directory", async () => {
    const gw = await gateway({ token: "oc-token", faults: { caseSensitiveKeys: true } });
    await app(gw, { instanceId: "Mac-A", token: "oc-token" });
    await app(gw, { instanceId: "mac-a", token: "oc-token" });
    const config = mkdtempSync(join(tmpdir(), "doctor-config-"));
    try {
      const run = await doctorCli(["--url", urlOf(gw, "openclaw"), "--binding", "openclaw", "--token", "oc-token", "--json"], { XDG_CONFIG_HOME: config });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as DoctorReport;
      expect(report.gateway).toMatchObject({ binding: "openclaw", protocol: 4 });
      expect(report.findings.map((f) => f.id)).toEqual(["duplicate-letter-case"]);
      expect(existsSync(join(config, "gateway-presence", "device-identity.json"))).toBe(true);
    } finally {
      rmSync(config, { recursive: true });
    }
  });

  it("--token-file: the token read from a file", async () => {
    const gw = await gateway({ token: "file-token-456" });
    const dir = mkdtempSync(join(tmpdir(), "doctor-"));
    writeFileSync(join(dir, "token"), "file-token-456\n", { mode: 0o600 });
    const run = await doctorCli(["--url", gw.url, "--token-file", join(dir, "token")]).finally(() => rmSync(dir, { recursive: true }));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("file-token-456");
  });

  it("--json with findings: exit 1, the report as JSON with the raw list; the token from the environment is used and never printed", async () => {
    const gw = await gateway({ token: "env-token-123", faults: { caseSensitiveKeys: true } });
    await app(gw, { instanceId: "Mac-A", token: "env-token-123" });
    await app(gw, { instanceId: "mac-a", token: "env-token-123" });
    const run = await doctorCli(["--url", gw.url, "--json"], { GATEWAY_PRESENCE_TOKEN: "env-token-123" });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("env-token-123");
    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(report.findings.map((f) => [f.id, f.rule, f.severity])).toEqual([["duplicate-letter-case", "K1", "error"]]);
    expect(report.worst).toBe("error");
    expect(report.list).toHaveLength(3);
    expect(report.gateway).toMatchObject({ binding: "jsonrpc", protocol: 1, testMode: true });
  });

  it("the terminal form of findings: severity, rule, title, advice and the evidence rows", async () => {
    const gw = await gateway({ faults: { perConnectionRows: true } });
    const first = await app(gw, { instanceId: "mac-1", host: "Anna's MacBook" });
    await first.close();
    await app(gw, { instanceId: "mac-1", host: "Anna's MacBook" });
    const run = await doctorCli(["--url", gw.url, "--watch-ms", "200"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✖ error {2}K1 {2}instanceId "mac-1" is listed as 2 rows: a disconnect row beside the live one$/m);
    expect(run.stdout).toMatch(/^ {2}advice: Gateway: key rows by the instanceId/m);
    // No NOTE column: no row has a note (the REASON column tells the disconnect row from the live one).
    expect(run.stdout).toMatch(/^ {4}STATUS +HOST +INSTANCEID +IP +MODE +VERSION +REASON +AGE$/m);
    expect(run.stdout).toMatch(/^ {4}Active +Anna's MacBook +mac-1 +- +ui +1\.4\.0 +disconnect +\d+s$/m);
    expect(run.stdout).not.toMatch(/ reason (dis)?connect$/m);
    expect(run.stdout).toMatch(/^watched 200 ms: 0 presence pushes, 0 ticks$/m);
    expect(run.stdout).toMatch(/^ {2}seen in: list, final list$/m);
    expect(run.stdout).toMatch(/^1 finding: 1 error, 0 warnings, 0 info$/m);
  });

  it("evidence columns line up by what a terminal shows (a CJK host takes two columns a character)", async () => {
    const gw = await gateway();
    await app(gw, { instanceId: "desk-a", host: "会議室-端末-03" });
    await app(gw, { instanceId: "desk-b", host: "会議室-端末-03" });
    const run = await doctorCli(["--url", gw.url]);
    expect(run.code).toBe(1); // one machine under two instanceIds
    const table = run.stdout.split("\n").filter((line) => /^ {4}(STATUS|Active)/.test(line));
    expect(table).toHaveLength(3);
    // Where INSTANCEID starts on screen: padEnd counted code units, so the rows' ids sat 5 columns right of the header's.
    const idColumn = (line: string) => textWidth(line.slice(0, line.search(/INSTANCEID|desk-/)));
    expect(table.map(idColumn)).toEqual([idColumn(table[0]), idColumn(table[0]), idColumn(table[0])]);
  });

  it("ages read as list shows them (6m 40s, -10m 0s); a note says what no column shows (how far past the TTL)", async () => {
    const stale = await gateway({ faults: { noExpiry: true } });
    const gone = await app(stale, { instanceId: "gone", host: "gone" });
    // Ages grow with real time while the CLI runs start (seconds each on a busy machine): each is
    // checked against the real time that passed around it, not a fixed margin.
    const closing = Date.now();
    await gone.close();
    const stays = await app(stale, { instanceId: "stays", host: "stays" });
    await advance(stays, 400_000);
    const ahead = await gateway({ faults: { futureTs: true } });
    for (const [instanceId, host] of [["a", "alpha"], ["b", "beta"]]) await app(ahead, { instanceId, host });
    const beaconing = Date.now();
    await (await app(ahead, { instanceId: "c", host: "gamma" })).systemEvent({ reason: "periodic", lastInputSeconds: 2 });
    const [doctorRun, listRun, aheadRun] = await Promise.all([doctorCli(["--url", stale.url]), cliResult(["list", "--url", stale.url]), doctorCli(["--url", ahead.url])]);
    const read = Date.now();
    // "gone" is 400 s old on the gateway's clock, plus what passed since it closed: 6m 40s at once.
    const goneAge = { min: 400, max: Math.floor((400_000 + read - closing) / 1000) };
    expect(doctorRun.code).toBe(1);
    const doctorAge = /^ {4}Stale +gone +gone +- +ui +1\.4\.0 +disconnect +(\d+m \d+s) +(.*)$/m.exec(doctorRun.stdout);
    expectWithin(ageSeconds(doctorAge?.[1]), goneAge.min, goneAge.max, "doctor's age of gone (s)");
    const pastTtl = /^(\d+m \d+s) past the TTL$/.exec(doctorAge?.[2] ?? "");
    expectWithin(ageSeconds(pastTtl?.[1]), goneAge.min - 300, goneAge.max - 300, "past the TTL (s)"); // 1m 40s at once (TTL 5 min)
    const listAge = /^Stale +gone .* (\d+m \d+s)$/m.exec(listRun.stdout);
    expectWithin(ageSeconds(listAge?.[1]), goneAge.min, goneAge.max, "list's age of gone (s)");
    expect(aheadRun.stdout).toMatch(/^ {4}STATUS +HOST +INSTANCEID +IP +MODE +VERSION +REASON +AGE$/m);
    // gamma's ts is 10 minutes ahead of the gateway's clock, less what passed since its beacon: -10m 0s at once.
    const aheadAge = /^ {4}Active +gamma +c +- +ui +1\.4\.0 +periodic +-(\d+m \d+s)$/m.exec(aheadRun.stdout);
    expectWithin(ageSeconds(aheadAge?.[1]), Math.floor((600_000 - (read - beaconing)) / 1000), 600, "gamma's age ahead (s)");
  });

  it("only information: exit 0", async () => {
    const gw = await gateway();
    for (const [instanceId, host] of [["a", "alpha"], ["b", "beta"]]) await (await app(gw, { instanceId, host })).systemEvent({ ip: "203.0.113.7" });
    const run = await doctorCli(["--url", gw.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^● info {2}P5 {2}ip 203\.0\.113\.7 is on 2 rows of different hosts$/m);
  });

  it("colour on a TTY (run under script(1)), none with NO_COLOR or --no-color", async () => {
    if (!hasScript()) return expect.soft(true, "script(1) not installed: TTY colour not checked").toBe(true);
    const gw = await gateway({ faults: { listCli: true } });
    const tty = (extra: string[], env: Record<string, string> = {}) => cliResult(["doctor", "--url", gw.url, ...extra], { tty: true, env: { NO_COLOR: "", ...env } });
    const coloured = await tty([]);
    expect(coloured.code).toBe(1);
    expect(coloured.stdout).toMatch(/\x1b\[31m✖ error\x1b\[0m/);
    expect((await tty(["--no-color"])).stdout).not.toMatch(ANSI);
    expect((await tty([], { NO_COLOR: "1" })).stdout).not.toMatch(ANSI);
    expect((await tty(["--json"])).stdout).not.toMatch(ANSI);
  });

  it("an unreadable gateway or a bad option: exit 2 with one line on stderr", async () => {
    const gw = await gateway({ token: "right" });
    const refused = await doctorCli(["--url", gw.url, "--token", "wrong"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^gateway-presence doctor: gateway at ws:\/\/127\.0\.0\.1:\d+ refused: .*UNAUTHORIZED.*\(the token given is not the gateway's\)\n$/);
    expect(refused.stdout).toBe("");
    // Without a token the line says how to give one.
    const tokenless = await doctorCli(["--url", gw.url]);
    expect(tokenless.code).toBe(2);
    expect(tokenless.stderr).toMatch(/UNAUTHORIZED.*\(the gateway wants a token: give it with --token-file FILE, --token or \$GATEWAY_PRESENCE_TOKEN\)\n$/);
    const url = gw.url;
    await gw.close();
    const down = await doctorCli(["--url", url]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^gateway-presence doctor: cannot reach the gateway at ws:\/\/127\.0\.0\.1:\d+: /);
    const both = await doctorCli(["--url", url, "--token", "a", "--token-file", "/nonexistent"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("gateway-presence doctor: give --token or --token-file, not both\n");
    const bad = await doctorCli(["--url", url, "--watch-ms", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--watch-ms <ms>' argument '[^']*' is invalid: must be an integer/);
  });

  it("a gateway that speaks the other wire binding: exit 2, and the line says which flag to try", async () => {
    const gw = await gateway();
    // --timeout-ms ten minutes, past this test's limit: a run that waited for it could not pass (a short
    // one could end a run on a busy machine before the challenge came, as a timeout).
    const run = await doctorCli(["--url", urlOf(gw, "openclaw"), "--timeout-ms", "600000"]);
    expect(run.code).toBe(2);
    // The client recognises OpenClaw's connect.challenge at once: no wait for the timeout, no guess.
    expect(run.stderr).toMatch(/^gateway-presence doctor: cannot use the gateway at .*: connect: the gateway sent an OpenClaw "connect\.challenge" event, so it speaks OpenClaw's native frames, not JSON-RPC: connect with binding "openclaw" \(CLI: --binding openclaw\)\n$/);
    // OpenClaw itself closes a JSON-RPC connect with 1008; the other way round no challenge comes.
    expect(describeFailure("ws://h", new Error("connect: connection closed (1008 invalid request frame)"))).toMatch(/add --binding openclaw\)$/);
    expect(describeFailure("ws://h", new Error("no connect.challenge event within 5000 ms"), "openclaw")).toMatch(/^no handshake with the gateway at ws:\/\/h: .*leave out --binding openclaw\)$/);
    expect(describeFailure("ws://h", new Error("cannot open ws://h: ECONNREFUSED"))).toBe(`cannot reach the gateway at ws://h: ECONNREFUSED (connection refused: nothing listens there; is a gateway running there? \`gateway-presence serve\` starts one)`);
  });

  it("a gateway that is still starting (OpenClaw's retryable UNAVAILABLE, the reference gateway's startsSlowly fault): exit 2, and it says to retry", async () => {
    const gw = await gateway({ faults: { startsSlowly: true } });
    const run = await doctorCli(["--url", gw.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/refused: connect: INTERNAL_ERROR: gateway starting; retry shortly \(the gateway asks to retry: it is starting or busy; try again in a moment\)\n$/);
  });
});
