// `list` ages rows on the SDK's estimate of the gateway's clock (client.gatewayClock), as `watch`
// does, so both show the same ages and statuses for the same rows. list read the gateway's time
// from the self row alone, and without one (a gateway that lists none, a fault here) fell back to
// this machine's clock. Real CLI processes against the reference gateway with a test clock.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type PresenceEntry } from "../../src/index.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { waitFor } from "../client/scripted-gateway.js";
import { cli, cliResult } from "../support/cli.js";
import { expectWithin, scaled } from "../support/timing.js";

type Row = PresenceEntry & { status: string; ageMs: number };

describe("list's clock", () => {
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

  it("a gateway 4 minutes ahead that lists no self row: list and watch both age alpha 4 minutes (Idle)", async () => {
    gw = await createGateway({ port: 0, testClock: true, faults: { noSelfRow: true } });
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
