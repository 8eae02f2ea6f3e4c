// `watch` ages rows on the SDK's estimate of the gateway's clock (client.gatewayClock), the one clock
// logic of the SDK: it follows the gateway's clock while watching, from every list and tick, not only
// from a listing measured after each connect (watch's own estimate before). `list` reads the same
// estimate, so both show the same ages and statuses for the same rows (it read the self row's ts
// alone, and without a self row this machine's clock). Real processes against the reference gateway
// with a test clock.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type PresenceEntry } from "../../src/index.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { waitFor } from "../client/scripted-gateway.js";
import { cli, cliResult } from "../support/cli.js";
import { expectWithin, scaled, withoutShedding } from "../support/timing.js";

type Row = PresenceEntry & { status: string; ageMs: number };
type Line = { type: string; source?: string; instances?: Row[] };

describe("watch's clock", () => {
  let gw: Gateway | undefined;
  const clients: PresenceClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gw?.close();
    gw = undefined;
  });
  const connect = async (url: string, name: string) => {
    const c = createPresenceClient({ url, client: { id: "test", displayName: name, version: "1.0.0", platform: "linux", mode: "ui" }, instanceId: name });
    clients.push(c);
    await c.connect();
    return c;
  };

  it("a gateway clock that jumps 4 minutes while watch runs: the next list is aged on it (alpha Idle, beta Active)", async () => {
    gw = await createGateway(withoutShedding({ port: 0, testClock: true }));
    const alphaClient = await connect(gw.url, "alpha");
    // Ages grow with real time while watch starts (seconds on a busy machine): they are checked against
    // the real time that passed since each row was written, not a fixed margin.
    const closing = Date.now();
    await alphaClient.close(); // a disconnect row: nothing refreshes it
    const run = cli(["watch", "--url", gw.url, "--json"]);
    const lists = () =>
      run
        .stdout()
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Line)
        .filter((l) => l.type === "presence");
    const row = (line: Line, host: string) => line.instances!.find((e) => e.host === host);
    await waitFor(() => lists().length > 0, "the first list", scaled(15_000));
    expect(row(lists()[0]!, "alpha")).toMatchObject({ status: "Active", reason: "disconnect" });
    expect(lists()[0]!.instances!.every((e) => Number.isInteger(e.ageMs)), "ageMs in whole ms").toBe(true);

    gw.clock.advance(240_000); // alpha's row is now 4 minutes old on the gateway's clock (TTL 5 min)
    const connecting = Date.now();
    await connect(gw.url, "beta"); // a push: beta's row and the self row carry the gateway's new time
    await waitFor(() => lists().some((l) => row(l, "beta")), "the list with beta", scaled(15_000));
    const seenBy = Date.now();
    const line = lists().find((l) => row(l, "beta"))!;
    const alpha = row(line, "alpha")!;
    // Was: Active, ageMs about 0 (the offset measured at connect, before the jump).
    expect(alpha.status).toBe("Idle");
    // 1 s either side: watch's estimate of the gateway's clock runs on its own clock, not this process's.
    expectWithin(alpha.ageMs, 239_000, 240_000 + (seenBy - closing) + 1_000, "alpha's ageMs");
    expect(row(line, "beta")).toMatchObject({ status: "Active" });
    expectWithin(row(line, "beta")!.ageMs, 0, seenBy - connecting + 1_000, "beta's ageMs");
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("a gateway 4 minutes ahead that lists no self row: list and watch both age alpha 4 minutes (Idle)", async () => {
    gw = await createGateway(withoutShedding({ port: 0, testClock: true, faults: { noSelfRow: true } }));
    const beforeClose = Date.now();
    await (await connect(gw.url, "alpha")).close(); // a disconnect row: nothing refreshes it
    gw.clock.advance(240_000); // the gateway's clock is now 4 minutes ahead of this machine's
    await connect(gw.url, "beta"); // its row carries the gateway's time
    const started = Date.now();
    const watch = cli(["watch", "--url", gw.url, "--json"]);
    const list = cliResult(["list", "--url", gw.url, "--json"]);
    const firstList = () => watch.stdout().split("\n").find((l) => l.includes('"type":"presence"'));
    await waitFor(() => firstList() !== undefined, "watch's first list", scaled(15_000));
    const listed = await list;
    const ended = Date.now();
    watch.child.kill("SIGINT");
    expect(listed.code, listed.stderr).toBe(0);
    const fromList = (JSON.parse(listed.stdout) as Row[]).find((row) => row.instanceId === "alpha")!;
    const fromWatch = (JSON.parse(firstList()!) as { instances: Row[] }).instances.find((row) => row.instanceId === "alpha")!;
    // Both estimates are at least beta's ts (alpha's + 4 min) and at most the gateway's time when they ended.
    const [min, max] = [240_000, ended - beforeClose + 240_000];
    expectWithin(fromList.ageMs, min, max, "list's ageMs of alpha"); // was about 0: this machine's clock
    expectWithin(fromWatch.ageMs, min, max, "watch's ageMs of alpha");
    expect(Math.abs(fromList.ageMs - fromWatch.ageMs), "list and watch read within the same span").toBeLessThanOrEqual(ended - started);
    expect([fromList.status, fromWatch.status]).toEqual(["Idle", "Idle"]); // list said Active
  });
});
