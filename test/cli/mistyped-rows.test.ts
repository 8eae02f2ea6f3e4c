// list, watch and doctor against a non-conforming gateway whose rows hold fields of the wrong type
// (a number where SPEC §3 wants a string, null, an object, an array, a boolean, a string where a
// number belongs, no ts, a ts too large for a double): they show the rows as given, doctor reports
// them as a finding, and nothing crashes. A scripted JSON-RPC gateway on a loopback port sends them.
import { afterEach, describe, expect, it } from "vitest";
import { helloFor, startScriptedGateway, waitFor, type ScriptedGateway } from "../client/scripted-gateway.js";
import { cli } from "../support/cli.js";
import { answerRaw, badRows } from "../support/mistyped-rows.js";
import { scaled } from "../support/timing.js";

describe("list, watch and doctor on rows with wrongly typed fields", () => {
  let gw: ScriptedGateway;
  const start = async () => {
    gw = await startScriptedGateway();
    gw.handlers.connect = (req) => answerRaw(req, helloFor(badRows(Date.now()) as never, 1));
    gw.handlers["system-presence"] = (req) => answerRaw(req, badRows(Date.now()));
    return gw;
  };
  afterEach(async () => {
    await gw?.close();
  });

  /** The table line of the row whose HOST cell is `host`. */
  const lineOf = (table: string, host: string) => table.split("\n").find((l) => l.split(/\s{2,}/)[1] === host);

  it("list shows each value as given (a number as its JSON text, an object as compact JSON) and exits 0", async () => {
    await start();
    const run = cli(["list", "--url", gw.url]);
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe(""); // was: "cannot reach the gateway at ws://...: text.replace is not a function"
    const table = run.stdout();
    expect(table.split("\n")[0]).toMatch(/^STATUS\s+HOST\s+IP\s+MODE\s+VERSION\s+LAST INPUT\s+REASON\s+AGE$/);
    expect(lineOf(table, "desk")).toMatch(/^Active\s+desk\s+-\s+ui\s+7\s+-\s+connect\s+\d+s$/);
    expect(lineOf(table, "5")).toMatch(/^Active\s+5\s+-\s+ui\s+-\s+-\s+connect\s+\d+s$/);
    // host null is shown as null (given, not absent); the array, boolean and string as their JSON text / as given.
    expect(lineOf(table, "null")).toMatch(/^Active\s+null\s+\["10\.0\.0\.7"\]\s+true\s+-\s+3\s+periodic\s+\d+s$/);
    // No usable ts: no age, and not shown as fresh.
    expect(lineOf(table, "ghost")).toMatch(/^Stale\s+ghost\s+-\s+node\s+-\s+-\s+connect\s+-$/);
    expect(lineOf(table, "far")).toMatch(/^Stale\s+far\s+-\s+node\s+-\s+Infinity\s+connect\s+-$/);
    expect(lineOf(table, "odd")).toMatch(/^Stale\s+odd\s+.*\s+-$/);
    expect(table.trimEnd().split("\n")).toHaveLength(8);
  });

  it("list --json prints the rows as the gateway sent them", async () => {
    await start();
    const run = cli(["list", "--url", gw.url, "--json"]);
    expect(await run.exit).toBe(0);
    const printed = JSON.parse(run.stdout()) as Array<Record<string, unknown>>;
    expect(printed).toHaveLength(7);
    expect(printed.find((e) => e.host === 5)).toMatchObject({ instanceId: "laptop", status: "Active" });
    expect(printed.find((e) => e.host === null)).toMatchObject({ instanceId: { id: "tab" }, ip: ["10.0.0.7"], mode: true, lastInputSeconds: "3" });
    expect(printed.find((e) => e.host === "ghost")).toMatchObject({ status: "Stale", ageMs: null });
    expect(printed.find((e) => e.host === "odd")).toMatchObject({ ts: "1700000000000", status: "Stale", ageMs: null });
  });

  it("watch --json and watch's table follow such a list without crashing, and exit 0 on Ctrl-C", async () => {
    await start();
    const json = cli(["watch", "--url", gw.url, "--json"]);
    await waitFor(() => json.stdout().includes('"type":"presence"'), "watch --json's first list", scaled(20_000));
    const first = json
      .stdout()
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { type: string; instances?: Array<Record<string, unknown>> })
      .find((l) => l.type === "presence")!;
    expect(first.instances!.map((e) => e.host)).toEqual(["gw", "desk", 5, null, "ghost", "far", "odd"]);
    json.child.kill("SIGINT");
    expect(await json.exit).toBe(0);
    expect(json.stderr()).toBe("");

    // The table (not a terminal: each redraw appended); it crashed with "text.replace is not a function".
    const text = cli(["watch", "--url", gw.url]);
    await waitFor(() => /^Active\s+5\s+-\s+ui/m.test(text.stdout()) || text.child.exitCode !== null, "watch's table", scaled(20_000));
    expect(text.child.exitCode).toBe(null);
    expect(text.stdout()).toMatch(/^Active\s+desk\s+-\s+ui\s+7\s/m);
    expect(text.stdout()).toMatch(/^Active\s+null\s+\["10\.0\.0\.7"\]\s+true\s/m);
    text.child.kill("SIGINT");
    expect(await text.exit).toBe(0);
    expect(text.stderr()).toBe("");
  });

  it("doctor reports each wrongly typed field as a finding (exit 1: findings), naming the field and what it holds", async () => {
    await start();
    const run = cli(["doctor", "--url", gw.url, "--json"]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toBe("");
    type Finding = { id: string; rule: string; title: string; evidence: Array<{ row: Record<string, unknown>; note?: string }> };
    const report = JSON.parse(run.stdout()) as { findings: Finding[] };
    const found = report.findings.find((f) => f.id === "row-field-wrong-type")!;
    expect(found).toMatchObject({ rule: "W1" });
    expect(found.title).toBe("6 rows have a field of the wrong type (version, host, instanceId, ip, platform, mode, lastInputSeconds, roles, scopes, ts)");
    const notes = Object.fromEntries(found.evidence.map((e) => [String(e.row.instanceId === undefined ? "?" : JSON.stringify(e.row.instanceId)), e.note]));
    expect(notes['"desk"']).toBe("version holds 7, not a string");
    expect(notes['"laptop"']).toBe("host holds 5, not a string");
    expect(notes['{"id":"tab"}']).toBe(
      'instanceId holds {"id":"tab"}, not a string; host holds null, not a string; ip holds ["10.0.0.7"], not a string; ' +
        "platform holds 12.5, not a string; mode holds true, not a string; lastInputSeconds holds \"3\", not an integer >= 0; " +
        "roles holds \"operator\", not an array of strings; scopes holds [1,2], not an array of strings",
    );
    expect(notes['"no-ts"']).toBe("ts holds nothing (absent), not an integer (ms since the epoch)");
    expect(notes['"far"']).toBe("lastInputSeconds holds Infinity, not an integer >= 0; ts holds Infinity, not an integer (ms since the epoch)");
    expect(notes['"odd-ts"']).toBe('ts holds "1700000000000", not an integer (ms since the epoch)');
    // The well-typed self row is no evidence, and the rows without a usable ts are not aged by the time checks.
    expect(report.findings.map((f) => f.id)).not.toContain("rows-past-ttl");

    const text = cli(["doctor", "--url", gw.url, "--no-color"]);
    expect(await text.exit).toBe(1); // was 1 too, but from an uncaught TypeError with a stack trace
    expect(text.stderr()).toBe("");
    expect(text.stdout()).toContain("6 rows have a field of the wrong type");
    expect(text.stdout()).toContain("host holds 5, not a string");
  });
});
