// watch off a terminal (a pipe, a file) and with --json: a list is printed when it changed (its
// version, or a row beyond the ts that keep-alives move), not again at every --resync-ms re-read;
// and no table at all before a list has come. A scripted JSON-RPC gateway on loopback whose
// system-presence answers refresh every ts, as a gateway's keep-alives do (SPEC P7).
import { afterEach, describe, expect, it } from "vitest";
import { startScriptedGateway, waitFor, type ScriptedGateway } from "../client/scripted-gateway.js";
import { formatDelay } from "../../src/cli/commands/watch.js";
import { cli } from "../support/cli.js";
import { scaled } from "../support/timing.js";

const HEADER = /^STATUS\s+HOST\s+IP\s+MODE\s+VERSION\s+LAST INPUT\s+REASON\s+AGE$/gm;
const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { type: string; state?: string; source?: string; version?: number; instances?: Array<{ host?: string }> });

describe("watch's output off a terminal", () => {
  let gw: ScriptedGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it("prints the list when it changed, not at every re-read (text and --json)", async () => {
    const scripted = await startScriptedGateway();
    gw = scripted;
    // Each answer has every ts fresh (keep-alives), nothing else changes.
    scripted.handlers["system-presence"] = () => scripted.list.map((row) => ({ ...row, ts: Date.now() }));
    const json = cli(["watch", "--url", scripted.url, "--json", "--resync-ms", "1000"]);
    const text = cli(["watch", "--url", scripted.url, "--resync-ms", "1000"]);
    const readsBySocket = () => {
      const counts = new Map<unknown, number>();
      for (const r of scripted.requests) if (r.method === "system-presence") counts.set(r.socket, (counts.get(r.socket) ?? 0) + 1);
      return [...counts.values()];
    };
    // Each watch re-reads the list every second: four re-reads each.
    await waitFor(() => readsBySocket().length === 2 && readsBySocket().every((n) => n >= 4), "four re-reads by each watch", scaled(30_000));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the last answers printed, if they were
    // Was: a "resync" line with the same version, and the same table, at every re-read.
    expect(jsonLines(json.stdout()).filter((l) => l.type === "presence").map((l) => l.source)).toEqual(["snapshot"]);
    expect(text.stdout().match(HEADER)).toHaveLength(1);

    // A row that came without a push (a missed event): the re-read finds it and prints it, once.
    scripted.list = [...scripted.list, { host: "desk", mode: "ui", reason: "connect", ts: Date.now() }];
    const hasDesk = (l: { instances?: Array<{ host?: string }> }) => l.instances?.some((e) => e.host === "desk") ?? false;
    await waitFor(() => jsonLines(json.stdout()).some(hasDesk), "the new row in --json", scaled(15_000));
    await waitFor(() => /^Active\s+desk\s/m.test(text.stdout()), "the new row in the table", scaled(15_000));
    const presence = jsonLines(json.stdout()).filter((l) => l.type === "presence");
    expect(presence.map((l) => l.source)).toEqual(["snapshot", "resync"]);
    expect(presence[1]!.version).toBe(presence[0]!.version);
    expect(text.stdout().match(HEADER)).toHaveLength(2);
    for (const run of [json, text]) {
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(0);
    }
  });

  it("prints no table before a list has come: state lines alone while it reconnects", async () => {
    const scripted = await startScriptedGateway();
    const url = scripted.url;
    await scripted.close(); // nothing listens there now
    const run = cli(["watch", "--url", url]);
    await waitFor(() => (run.stdout().match(/○ reconnecting to /g) ?? []).length >= 2, "two reconnecting lines", scaled(30_000));
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    // Was: an empty table (its header alone) under every state line.
    expect(run.stdout()).not.toMatch(HEADER);
    expect(run.stdout()).toMatch(/^○ reconnecting to ws:\/\/127\.0\.0\.1:\d+ in \d+ms \(attempt 1\): ECONNREFUSED$/m);
  });

  it("says reconnect delays rounded up, never a sooner retry than planned (1475 ms was 'in 1s')", () => {
    expect([999.2, 1000, 1001, 1475, 59_001, 60_000].map(formatDelay)).toEqual(["1s", "1s", "2s", "2s", "1m 0s", "1m 0s"]);
  });
});
