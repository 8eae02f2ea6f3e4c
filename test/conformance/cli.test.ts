import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { RunResult } from "../../src/conformance/report/results.js";
import type { Gateway } from "../../src/server/index.js";
import { cliResult } from "../support/cli.js";
import { FAST, referenceGateway, TOKEN } from "./gateways.js";

const dir = mkdtempSync(join(tmpdir(), "conform-cli-"));

/** `conform --no-color ...args`, to its end. */
const cli = (args: string[], env: Record<string, string> = {}) => cliResult(["conform", "--no-color", ...args], { env });

describe("gateway-presence conform", () => {
  let faulty: Gateway;
  beforeAll(async () => {
    faulty = await referenceGateway("caseSensitiveKeys");
  });
  afterAll(async () => {
    await faulty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("without --url checks the embedded reference gateway, shows progress and writes JUnit", async () => {
    const out = join(dir, "report.xml");
    const { code, stdout } = await cli(["--only", "p1-self-row,h5-token", "--reporter", "junit", "--out", out]);
    expect(stdout).toMatch(/Embedded reference gateway \(test mode, jsonrpc\) on ws:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/\[1\/2\] ✓ h5-token/);
    expect(stdout).toMatch(/^Running 2 scenarios\. Capabilities: /m);
    expect(stdout).toMatch(/PASS: no MUST rule fails/);
    expect(code).toBe(0);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(out, "utf8")) as { testsuites: Record<string, string> };
    // The probe (advertised methods answer) is a testcase of its own.
    expect(xml.testsuites).toMatchObject({ "@_tests": "3", "@_failures": "0" });
  });

  it("without --url and --out keeps stdout a pure JSON or JUnit report (the gateway line goes to stderr)", async () => {
    const json = await cli(["--only", "p1-self-row", "--reporter", "json"]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as RunResult;
    expect(report.scenarios.map((s) => s.id)).toEqual(["p1-self-row"]);
    expect(json.stderr).toMatch(/Embedded reference gateway \(test mode, jsonrpc\) on ws:\/\/127\.0\.0\.1:\d+/);
    const junit = await cli(["--only", "p1-self-row", "--reporter", "junit"]);
    expect(junit.code).toBe(0);
    expect(junit.stdout.trimStart()).toMatch(/^<\?xml /);
    expect(XMLValidator.validate(junit.stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(junit.stdout) as { testsuites: Record<string, string> };
    expect(xml.testsuites).toMatchObject({ "@_tests": "2", "@_failures": "0" });
  });

  it("takes --url more than once: a run against the gateways of a cluster (these two share no list: the run stops, exit 2)", async () => {
    const other = await referenceGateway();
    try {
      const { code, stdout } = await cli(["--url", faulty.url, "--url", other.url, "--token", TOKEN, "--only", "x4-disconnect-on-a-while-open-on-b", "--reporter", "json"]);
      expect(code).toBe(2);
      const report = JSON.parse(stdout) as RunResult;
      expect(report.urls).toEqual([faulty.url, other.url]);
      expect(report.error).toMatch(/^the gateways do not share one presence list: /);
      expect(report.scenarios.map((s) => [s.id, s.status])).toEqual([["x4-disconnect-on-a-while-open-on-b", "skipped"]]);
    } finally {
      await other.close();
    }
  });

  it("--write-baseline also writes the probe's failed checks: a run failed by the probe alone wrote an empty baseline, and the next run still exited 1", async () => {
    const hidden = await referenceGateway("hiddenTestClock");
    try {
      const written = join(dir, "probe-baseline.txt");
      const first = await cli(["--url", hidden.url, "--token", TOKEN, "--only", "p1-self-row", "--write-baseline", written]);
      expect(first.code).toBe(1);
      expect(first.stdout).toMatch(/^1 failing checks written to /m);
      expect(readFileSync(written, "utf8")).toMatch(/^probe:advertises-test\.clock\.advance$/m);
      const second = await cli(["--url", hidden.url, "--token", TOKEN, "--only", "p1-self-row", "--expected-failures", written]);
      expect(second.stdout.trimEnd().split("\n").pop()).toBe("PASS: no MUST rule fails");
      expect(second.code).toBe(0);
    } finally {
      await hidden.close();
    }
  });

  it("exits 1 when a MUST fails, with the JSON report on stdout and progress on stderr", async () => {
    const { code, stdout, stderr } = await cli(["--url", faulty.url, "--token", TOKEN, "--only", "k1-case-merge", "--reporter", "json"]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as RunResult;
    expect(report.ok).toBe(false);
    expect(report.scenarios[0]).toMatchObject({ id: "k1-case-merge", status: "failed" });
    expect(stderr).toMatch(/✗ k1-case-merge/);
    expect(stderr).toMatch(/expected 1, got 2/);
  });

  it("a pretty report written with --out holds what the terminal showed: the failing checks, not only the summary that points up to them", async () => {
    const out = join(dir, "conformance.txt");
    const { code, stdout } = await cli(["--url", faulty.url, "--token", TOKEN, "--only", "k1-case-merge,p1-self-row", "--out", out]);
    expect(code).toBe(1);
    const file = readFileSync(out, "utf8");
    expect(file).toMatch(/^\[1\/2\] ✗ k1-case-merge \d+ ms$/m);
    expect(file).toMatch(/^ {6}\d+-list \[MUST K1,K4\] .*\n {8}\/count: expected 1, got 2/m);
    expect(file).toMatch(/^\[2\/2\] ✓ p1-self-row \d+ ms$/m);
    expect(file.trimEnd().split("\n").pop()).toBe("FAIL: behaviour: 1 scenario failed (see above)");
    // Line for line what the terminal showed, but the line saying where the report went.
    expect(stdout).toBe(`${file}pretty report written to ${out}\n`);
  });

  it("exits 0 when the failure is in the baseline, and --write-baseline records failures", async () => {
    const written = join(dir, "written.txt");
    const first = await cli(["--url", faulty.url, "--token", TOKEN, "--only", "k1-case-merge", "--write-baseline", written]);
    expect(first.code).toBe(1);
    const baseline = readFileSync(written, "utf8");
    expect(baseline).toMatch(/^k1-case-merge:\d+-list$/m);
    const second = await cli(["--url", faulty.url, "--token", TOKEN, "--only", "k1-case-merge", "--expected-failures", written]);
    expect(second.stdout).toMatch(/1 known failures/);
    expect(second.code).toBe(0);
    writeFileSync(join(dir, "stale.txt"), "k1-case-merge\np1-self-row\n");
    const stale = await cli(["--url", faulty.url, "--token", TOKEN, "--only", "k1-case-merge,p1-self-row", "--expected-failures", join(dir, "stale.txt")]);
    expect(stale.stdout).toMatch(/Stale baseline entry: p1-self-row \(now passes\)/);
    expect(stale.code).toBe(1);
  });

  it("exits 3 when only the wire format fails (a W2 finding with --strict), and says so", async () => {
    const extra = await referenceGateway("extraRowFields");
    try {
      const { code, stdout } = await cli(["--url", extra.url, "--token", TOKEN, "--only", "p1-self-row", "--strict"]);
      expect(stdout).toMatch(/^Running 1 scenario\. Capabilities: /m);
      expect(stdout).toMatch(/\[1\/1\] ✓ p1-self-row/);
      expect(stdout).toMatch(/^ {2}W2 FAIL \/presence\/\*\/clientId is not allowed \(unknown property\) \[additionalProperties\]/m);
      expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: wire format: 3 finding kinds (see above)");
      expect(code).toBe(3);
    } finally {
      await extra.close();
    }
  });

  it("exits 2 on --ttl without --real-time (the embedded gateway would get a TTL the test-clock scenarios do not expect)", async () => {
    const { code, stdout, stderr } = await cli(["--ttl", "4000", "--only", "s1-ttl-expiry"]);
    expect(stderr).toMatch(/--ttl is for --real-time runs/);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });

  it("takes serve's names for the gateway's settings: --handshake-timeout-ms as --handshake-timeout, --ttl-ms as --ttl", async () => {
    const gw = await referenceGateway();
    try {
      const args = ["--url", gw.url, "--token", TOKEN, "--only", "h1-handshake-timeout"];
      // The gateway's 1 s timeout, in serve's spelling: the scenario runs (a 10 s one would need --slow).
      const given = await cli([...args, "--handshake-timeout-ms", String(FAST.handshakeTimeoutMs)]);
      expect(given.stdout).toMatch(/✓ h1-handshake-timeout/);
      expect(given.code).toBe(0);
      const both = await cli([...args, "--handshake-timeout-ms", "1000", "--handshake-timeout", "1000"]);
      expect(both.stderr).toBe("gateway-presence conform: give --handshake-timeout or --handshake-timeout-ms, not both (the same setting)\n");
      expect(both.code).toBe(2);
    } finally {
      await gw.close();
    }
    const ttl = await cli(["--ttl-ms", "4000", "--only", "s1-ttl-expiry"]);
    expect(ttl.stderr).toMatch(/--ttl is for --real-time runs/);
    expect(ttl.code).toBe(2);
  });

  it("exits 2 on a bad option (1 would read as a failing gateway), a URL that is not ws://, an unreadable baseline", async () => {
    const reporter = await cli(["--reporter", "xml"]);
    expect(reporter.stderr).toMatch(/'--reporter <name>' argument 'xml' is invalid: must be one of pretty, json, junit, html\n$/);
    expect(reporter.code).toBe(2);
    const url = await cli(["--url", "http://127.0.0.1:1"]);
    expect(url.stderr).toMatch(/' is invalid: must be a ws:\/\/ or wss:\/\/ URL/);
    expect(url.code).toBe(2);
    const baseline = await cli(["--expected-failures", join(dir, "no-such-baseline.txt")]);
    expect(baseline.stderr).toMatch(/^gateway-presence conform: cannot read --expected-failures .*no-such-baseline\.txt: ENOENT$/m);
    expect(baseline.code).toBe(2);
  });

  it("exits 2 at once, before any scenario runs, when --out or --write-baseline cannot be written", async () => {
    const missing = await cli(["--url", faulty.url, "--out", join(dir, "no-such-dir", "report.json"), "--reporter", "json"]);
    expect(missing.stderr).toMatch(/^gateway-presence conform: cannot write --out .*no-such-dir\/report\.json: no directory .*no-such-dir$/m);
    expect(missing.stdout).toBe(""); // no progress: the run did not start
    expect(missing.code).toBe(2);
    const directory = await cli(["--url", faulty.url, "--out", dir]);
    expect(directory.stderr).toMatch(/cannot write --out .*: it is a directory$/m);
    expect(directory.code).toBe(2);
    const baseline = await cli(["--url", faulty.url, "--write-baseline", join(dir, "nope", "baseline.txt")]);
    expect(baseline.stderr).toMatch(/cannot write --write-baseline .*nope\/baseline\.txt: no directory/);
    expect(baseline.stdout).toBe("");
    expect(baseline.code).toBe(2);
  });

  it("says how to give the token when the gateway wants one and none was given", async () => {
    const { code, stdout } = await cli(["--url", faulty.url, "--only", "p1-self-row"]);
    // Its flags only: not runConformance's option.
    expect(stdout).toMatch(/^Cannot run the 1 scenario: probe connect refused: UNAUTHORIZED.*\(the gateway wants a token; give it with --token-file FILE, --token or \$GATEWAY_PRESENCE_TOKEN\)$/m);
    // Said once: the summary points up to it.
    expect(stdout.split("probe connect refused").length - 1).toBe(1);
    expect(stdout).not.toMatch(/token option|runConformance/);
    expect(code).toBe(2);
  });

  it("a token given to a gateway that takes none: h5-token fails (exit 1), saying both readings in conform's flags, before the run and at the check", async () => {
    // One gateway per run, the two runs side by side: each is a CLI process (node + tsx) that probes and
    // runs a scenario, 7-10 s at load 15 on 2 cores; one after the other they passed the 20 s test timeout.
    const tokenless = await Promise.all([referenceGateway(undefined, { token: null }), referenceGateway(undefined, { token: null })]);
    try {
      const both = (source: string) => `although a token was given (${source}): either it was started without a token (then run without ${source}) or it does not enforce SPEC H5`;
      const [flag, variable] = await Promise.all([
        cli(["--url", tokenless[0].url, "--token", "x", "--only", "h5-token"]),
        cli(["--url", tokenless[1].url, "--only", "h5-token"], { GATEWAY_PRESENCE_TOKEN: "x" }),
      ]);
      const note = `  note: the gateway accepted a connect with no auth.token ${both("--token")}; the H5 checks fail either way`;
      expect(flag.stdout.split("\n").slice(0, 2)).toEqual([note, expect.stringMatching(/^Running 1 scenario\./)]);
      expect(flag.stdout).toMatch(/✗ h5-token .*\n.*1-connect \[MUST H5\].*\n {8}the gateway accepted a connect with no auth\.token although a token was given \(--token\): /);
      expect(flag.code).toBe(1);
      expect(variable.stdout).toContain(`note: the gateway accepted a connect with no auth.token ${both("$GATEWAY_PRESENCE_TOKEN")}`);
      expect(variable.code).toBe(1);
    } finally {
      await Promise.all(tokenless.map((gw) => gw.close()));
    }
  });

  it("exits 2 on an --only entry that selects nothing", async () => {
    const { code, stderr } = await cli(["--url", faulty.url, "--only", "no-such-scenario"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/"no-such-scenario" matches no scenario id or rule/);
  });

  it("checks the selection before starting the embedded gateway: exit 2 naming it and --list, nothing started", async () => {
    const { code, stdout, stderr } = await cli(["--only", "p1-self-row,zz9"]);
    expect(code).toBe(2);
    expect(stderr).toBe('gateway-presence conform: --only "zz9" matches no scenario id or rule; the scenario ids and their rules: gateway-presence conform --list\n');
    expect(stdout).not.toMatch(/Embedded reference gateway/);
    const skip = await cli(["--skip", "zz8", "--fixtures", "fixtures/conformance"]);
    expect(skip.code).toBe(2);
    expect(skip.stderr).toMatch(/--skip "zz8" matches no scenario id or rule; .*gateway-presence conform --list --fixtures fixtures\/conformance\n$/);
    expect(skip.stdout).not.toMatch(/Embedded reference gateway/);
    // A rule id typed in lower case names the rule it would be.
    const lower = await cli(["--only", "k1"]);
    expect(lower.code).toBe(2);
    expect(lower.stderr).toMatch(/^gateway-presence conform: --only "k1" matches no scenario id or rule \(rule ids are upper case: K1\); /);
  });

  it("exits 2 before anything starts when --skip leaves out everything --only (or the whole set) selects: a run of no scenario passed, exit 0", async () => {
    const [pair, rules, all, list] = await Promise.all([
      cli(["--only", "k1-case-merge", "--skip", "K1"]),
      cli(["--only", "K1", "--skip", "K1,K2"]),
      cli(["--fixtures", "fixtures/conformance/h4-hello-ok.json", "--skip", "h4-hello-ok"]),
      cli(["--list", "--only", "p1-self-row", "--skip", "p1-self-row"]),
    ]);
    const prefix = "gateway-presence conform: ";
    const listHint = "; the scenario ids and their rules: gateway-presence conform --list";
    expect(pair.stderr).toBe(`${prefix}--skip "K1" leaves out the 1 scenario --only "k1-case-merge" selects, so no scenario would run${listHint}\n`);
    expect(rules.stderr).toMatch(/^gateway-presence conform: --skip "K1,K2" leaves out all \d+ scenarios --only "K1" selects, so no scenario would run; /);
    expect(all.stderr).toBe(`${prefix}--skip "h4-hello-ok" leaves out the 1 scenario, so no scenario would run${listHint} --fixtures fixtures/conformance/h4-hello-ok.json\n`);
    expect(list.stderr).toMatch(/--skip "p1-self-row" leaves out the 1 scenario --only "p1-self-row" selects/);
    for (const run of [pair, rules, all, list]) {
      expect(run.code).toBe(2);
      expect(run.stdout).not.toMatch(/Embedded reference gateway|Running|PASS|FAIL/);
    }
  });

  it("refuses before anything starts a selection the mode leaves out entirely, naming the option that would run it", async () => {
    const [cluster, realTime, defaultOnly, fixtures, mixed] = await Promise.all([
      cli(["--only", "x1-connect-on-a-watch-on-b"]),
      cli(["--only", "s1-ttl-expiry-real-time"]),
      cli(["--real-time", "--only", "k1-case-merge"]),
      cli(["--fixtures", "fixtures/conformance/real-time"]),
      cli(["--url", faulty.url, "--token", TOKEN, "--only", "k1-case-merge,x3-same-instanceid-on-a-and-b"]),
    ]);
    const prefix = "gateway-presence conform: ";
    expect(cluster.stderr).toBe(`${prefix}--only "x1-connect-on-a-watch-on-b" matches only cluster scenarios (x*, across gateways): give two --url (the gateways of one cluster: --url A --url B)\n`);
    expect(realTime.stderr).toBe(`${prefix}--only "s1-ttl-expiry-real-time" matches only real-time scenarios: add --real-time\n`);
    expect(defaultOnly.stderr).toBe(`${prefix}--only "k1-case-merge" matches only scenarios of the default run (no long wait): leave out --real-time\n`);
    expect(fixtures.stderr).toBe(`${prefix}the 4 selected scenarios are all left out of this run: real-time scenarios: add --real-time\n`);
    // Each --only entry must run something: the cluster scenario named beside k1 is refused too.
    expect(mixed.stderr).toMatch(/--only "x3-same-instanceid-on-a-and-b" matches only cluster scenarios .*give two --url/);
    for (const run of [cluster, realTime, defaultOnly, fixtures, mixed]) {
      expect(run.code).toBe(2);
      expect(run.stdout).not.toMatch(/Embedded reference gateway|Running|PASS|FAIL/);
    }
    // A rule entry with a scenario this mode runs is fine (P1: p1-self-row runs, the real-time and cluster ones are left out).
    expect((await cli(["--only", "P1"])).code).toBe(0);
  });

  it("--list prints the selected scenarios (id, rules, level, title) and runs nothing", async () => {
    const { code, stdout, stderr } = await cli(["--list", "--only", "P1"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/^p1-self-row +\S*P1\S* +MUST +\S/));
    for (const line of lines) expect(line).toMatch(/^\S+ +\S*P1\S* +(MUST|SHOULD|MAY) +\S/);
    expect(stdout).not.toMatch(/Embedded reference gateway|PASS|FAIL/);
  });

  it("--only and --skip given twice add up, as --url and --fixtures do (the second does not replace the first)", async () => {
    const only = await cli(["--list", "--only", "p1-self-row", "--only", "k1-case-merge,h5-token"]);
    expect(only.code).toBe(0);
    expect(only.stdout.trimEnd().split("\n").map((line) => line.split(" ")[0]).sort()).toEqual(["h5-token", "k1-case-merge", "p1-self-row"]);
    const skip = await cli(["--list", "--only", "P1", "--skip", "p1-self-row", "--skip", "P6"]);
    expect(skip.code).toBe(0);
    expect(skip.stdout).not.toMatch(/^p1-self-row /m);
    expect(skip.stdout).not.toMatch(/\bP6\b/);
    // A cluster-only entry is still refused when another --only follows it.
    const refused = await cli(["--only", "x1-connect-on-a-watch-on-b", "--only", "p1-self-row"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--only "x1-connect-on-a-watch-on-b" matches only cluster scenarios/);
  });

  it("exits 2 when the gateway refuses the probe (a wrong token)", async () => {
    const { code, stdout } = await cli(["--url", faulty.url, "--token", "wrong", "--only", "p1-self-row"]);
    expect(stdout).toMatch(/Cannot run the 1 scenario: probe connect refused: UNAUTHORIZED.*\(the token given is not the gateway's\)/);
    // Said once: no "not run" line per scenario, no table of rules that were all skipped.
    expect(stdout).not.toMatch(/\[1\/1\]/);
    expect(stdout).toMatch(/\): nothing was checked\.$/m);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateway refused the probe connection, so no scenario ran (see the run error above)");
    // No frame was checked, so the wire-format rules did not pass either.
    expect(stdout).not.toMatch(/^ {2}W[12] /m);
    expect(code).toBe(2);
  });

  it("exits 2 when the gateway cannot be reached, and says so on the last line", async () => {
    const closed = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((resolve) => closed.once("listening", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const { code, stdout } = await cli(["--url", `ws://127.0.0.1:${port}`, "--only", "p1-self-row", "--wait-ready", "1200"]);
    const url = `ws://127.0.0.1:${port}`;
    // What it waits for, and how not to wait; at the end the URL and the option.
    expect(stdout).toMatch(new RegExp(`^Waiting for the gateway at ${url} to be ready \\(connect ECONNREFUSED [^)]*\\): attempt 1, 0\\.\\d s of 1\\.2 s, next in \\d+ ms; --wait-ready 0 to not wait$`, "m"));
    expect(stdout).toMatch(new RegExp(`^Cannot run the 1 scenario: probe connect failed: actor "probe": could not open ${url}: connect ECONNREFUSED [^ ]+ \\(not ready within --wait-ready 1200: \\d+ attempts in \\d\\.\\d s; is a gateway running there\\?\\)$`, "m"));
    // None ran: not "1 skipped".
    expect(stdout).toMatch(/^Scenarios: none ran \(the run error is above; \d+\.\d s\)$/m);
    expect(stdout).not.toMatch(/skipped|Run error/);
    expect(stdout.trimEnd().split("\n").pop()).toBe("FAIL: the gateway could not be reached (connection refused: nothing listens there), so no scenario ran (see the run error above)");
    expect(code).toBe(2);
  });
});
