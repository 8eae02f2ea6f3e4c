// `gateway-presence list` and `watch`, run as real processes against the reference gateway.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient, type PresenceEntry } from "../../src/index.js";
import { renderInstances } from "../../src/cli/commands/list.js";
import { textWidth } from "../../src/doctor/columns.js";
import { createGateway, type Gateway } from "../../src/server/index.js";
import { waitFor } from "../client/scripted-gateway.js";
import { cli } from "../support/cli.js";
import { expectWithin, scaled, withoutShedding } from "../support/timing.js";

const withoutSelfTs = (list: readonly PresenceEntry[]) => list.map((e) => (e.reason === "self" ? { ...e, ts: 0 } : e));

describe("CLI list and watch", () => {
  const gateways: Gateway[] = [];
  const clients: PresenceClient[] = [];
  const start = async (options: Parameters<typeof createGateway>[0] = {}) => {
    const gw = await createGateway(withoutShedding({ port: 0, ...options }));
    gateways.push(gw);
    return gw;
  };
  const connectClient = async (url: string, name: string, token?: string) => {
    const c = createPresenceClient({ url, token, client: { id: "test", displayName: name, version: "2.1.0", platform: "linux", mode: "ui" }, instanceId: name });
    clients.push(c);
    await c.connect();
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(gateways.splice(0).map((g) => g.close()));
  });

  it("list --json prints what system-presence returns, newest first, with status and ageMs, and adds no row", async () => {
    const gw = await start({ token: "t0k" });
    const a = await connectClient(gw.url, "alpha", "t0k");
    const b = await connectClient(gw.url, "beta", "t0k");
    await b.systemEvent({ instanceId: "beta", ip: "192.168.1.20", lastInputSeconds: 75, reason: "periodic" });
    const run = cli(["list", "--url", gw.url, "--json"], { env: { GATEWAY_PRESENCE_TOKEN: "t0k" } });
    expect(await run.exit).toBe(0);
    const printed = JSON.parse(run.stdout()) as Array<PresenceEntry & { status: string; ageMs: number }>;
    const listed = await a.systemPresence();
    expect(withoutSelfTs(printed.map(({ status, ageMs, ...entry }) => entry))).toEqual(withoutSelfTs(listed));
    expect(printed.map((e) => e.host)).toEqual([listed[0].host, "beta", "alpha"]);
    expect(printed.every((e) => e.status === "Active" && e.ageMs >= 0 && e.ageMs < 60_000)).toBe(true);
    expect(printed.find((e) => e.host === "beta")).toMatchObject({ ip: "192.168.1.20", lastInputSeconds: 75, mode: "ui", version: "2.1.0" });
    // mode "cli" is never recorded (SPEC P3): not while listing, not after it left.
    expect(printed.some((e) => e.mode === "cli")).toBe(false);
    expect(await a.systemPresence()).toHaveLength(3);
  });

  it("list prints the Instances table newest first", async () => {
    const gw = await start();
    await connectClient(gw.url, "alpha");
    const b = await connectClient(gw.url, "beta");
    await b.systemEvent({ instanceId: "beta", lastInputSeconds: 200 });
    const run = cli(["list", "--url", gw.url]);
    expect(await run.exit).toBe(0);
    const lines = run.stdout().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^STATUS\s+HOST\s+IP\s+MODE\s+VERSION\s+LAST INPUT\s+REASON\s+AGE$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^Active\s+\S+\s+.*gateway\s+.*self\s+0s$/);
    expect(lines[2]).toMatch(/^Active\s+beta\s+-\s+ui\s+2\.1\.0\s+3m 20s\s+connect\s+\d+s$/);
    expect(lines[3]).toMatch(/^Active\s+alpha\s+-\s+ui\s+2\.1\.0\s+-\s+connect\s+\d+s$/);
  });

  it("list lines up columns by what a terminal shows: CJK and emoji take two columns, a long emoji host is cut between characters", async () => {
    const gw = await start();
    const sender = await connectClient(gw.url, "sender");
    const hosts = ["会議室-端末-03", "🦊 fox-laptop", "Zoë's MacBook", "🦊".repeat(30)];
    for (const [i, host] of hosts.entries()) await sender.systemEvent({ instanceId: `row-${i}`, host, mode: "node", version: "2.0.0" });
    const run = cli(["list", "--url", gw.url]);
    expect(await run.exit).toBe(0);
    const lines = run.stdout().trimEnd().split("\n");
    // Where MODE starts on screen, in every line: padEnd counted code units, so the CJK row's MODE sat 5 columns right of the header's.
    const modeColumn = (line: string) => textWidth(line.slice(0, line.search(/(MODE|node|ui|gateway)\s/)));
    expect(lines.map(modeColumn)).toEqual(lines.map(() => modeColumn(lines[0])));
    const emoji = lines.find((line) => line.includes("🦊🦊"))!;
    expect(emoji).toMatch(/^Active {2}(🦊){19}… {2}/); // 39 columns and the ellipsis; no half of a surrogate pair
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it("tells the self rows of a cluster's gateways apart by their gateway id (instanceId)", () => {
    const self = (instanceId: string): PresenceEntry => ({ instanceId, host: "vm", mode: "gateway", reason: "self", ts: 1_000 });
    const lines = renderInstances([self("gw-a"), self("gw-b"), { host: "desk", mode: "ui", reason: "connect", ts: 900 }], 1_000).split("\n");
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/)[1])).toEqual(["vm (gw-a)", "vm (gw-b)", "desk"]);
    // One gateway's self row has no instanceId: just its host.
    expect(renderInstances([{ host: "vm", mode: "gateway", reason: "self", ts: 1_000 }], 1_000).split("\n")[1]).toMatch(/^Active\s+vm\s+-\s+gateway/);
  });

  it("cuts a long cell with an ellipsis, and keeps a self row's id in its parentheses (OpenClaw: a UUID)", () => {
    const openclawSelf: PresenceEntry = { instanceId: "c21b427e-d58b-4ea9-8a61-dd9b05e45b4a", host: "vm", mode: "gateway", reason: "self", ts: 1_000 };
    const longHost: PresenceEntry = { instanceId: "app", host: `desk-${"x".repeat(60)}`, mode: "ui", reason: "connect", ts: 900 };
    const hosts = renderInstances([openclawSelf, longHost], 1_000).split("\n").slice(1).map((line) => line.split(/\s{2,}/)[1]);
    // Was "vm (c21b427e-d58b-4ea9-8a61-dd9b05e45b4a" and "desk-xxx...x": cut at 40 with no sign of it.
    expect(hosts).toEqual(["vm (c21b427e-d58b-4ea9-8a61-dd9b05e45b…)", `desk-${"x".repeat(34)}…`]);
    expect(hosts.every((h) => h.length <= 40)).toBe(true);
  });

  it("list fails with exit code 1 and says why (wrong token, nobody listening)", async () => {
    const gw = await start({ token: "right" });
    const denied = cli(["list", "--url", gw.url, "--token", "wrong"]);
    expect(await denied.exit).toBe(1);
    expect(denied.stderr()).toMatch(/refused: connect: UNAUTHORIZED: .*\(the token given is not the gateway's\)/);
    expect(denied.stdout()).toBe("");
    const tokenless = cli(["list", "--url", gw.url]);
    expect(await tokenless.exit).toBe(1);
    expect(tokenless.stderr()).toMatch(/refused: connect: UNAUTHORIZED: .*\(the gateway wants a token: give it with --token-file FILE, --token or \$GATEWAY_PRESENCE_TOKEN\)\n$/);

    const port = gw.port;
    await gw.close();
    gateways.length = 0;
    const down = cli(["list", "--url", `ws://127.0.0.1:${port}`]);
    expect(await down.exit).toBe(1);
    expect(down.stderr()).toMatch(/cannot reach the gateway at ws:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it("watch's state line counts the instances in words that agree with the number", async () => {
    const gw = await start();
    const run = cli(["watch", "--url", gw.url]);
    // Only the self row: "1 instance", not "1 instances".
    await waitFor(() => run.stdout().includes("● open"), "watch to connect", scaled(15_000));
    expect(run.stdout()).toMatch(/● open {2}ws:\/\/127\.0\.0\.1:\d+ {2}1 instance {2}v\d+/);
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("watch --json's first list is aged on the gateway's clock, not this machine's (a gateway 4 minutes ahead)", async () => {
    const gw = await start({ testClock: true });
    const alphaClient = await connectClient(gw.url, "alpha");
    // Ages grow with real time while the CLI runs start (seconds each on a busy machine): each is
    // checked against the real time that passed since alpha's row was written, not a fixed margin.
    const closing = Date.now();
    await alphaClient.close(); // a disconnect row: nothing refreshes it
    gw.clock.advance(240_000); // alpha's row is now 4 minutes old on the gateway's clock (TTL 5 min)
    const list = cli(["list", "--url", gw.url, "--json"]);
    expect(await list.exit).toBe(0);
    const listedBy = Date.now();
    const listed = (JSON.parse(list.stdout()) as Array<PresenceEntry & { status: string; ageMs: number }>).find((e) => e.host === "alpha")!;
    expect(listed).toMatchObject({ reason: "disconnect", status: "Idle" });
    // 1 s either side: the estimates of the gateway's clock run on the CLI's clocks, not this process's.
    expectWithin(listed.ageMs, 239_000, 240_000 + (listedBy - closing) + 1_000, "list's ageMs");
    const run = cli(["watch", "--url", gw.url, "--json"]);
    type Line = { type: string; source?: string; instances?: Array<PresenceEntry & { status: string; ageMs: number }> };
    const first = async () => {
      await waitFor(() => run.stdout().includes('"type":"presence"'), "the first list", scaled(15_000));
      return run.stdout().split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Line).find((l) => l.type === "presence")!;
    };
    const line = await first();
    const seenBy = Date.now();
    // The hello-ok snapshot's own timestamps set the client's gatewayClock before watch prints it.
    expect(line.source).toBe("snapshot");
    const alpha = line.instances!.find((e) => e.host === "alpha")!;
    // As list --json ages it, later: not less than list's age, not more than the real time since added.
    expectWithin(alpha.ageMs, Math.max(239_000, listed.ageMs - 1_000), 240_000 + (seenBy - closing) + 1_000, "watch's ageMs");
    expect(alpha.status).toBe("Idle");
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
  });

  it("watch --json follows changes, survives a gateway restart, and exits 0 on Ctrl-C", async () => {
    const first = await start();
    const run = cli(["watch", "--url", first.url, "--json", "--resync-ms", "1000"]);
    const lines = () =>
      run
        .stdout()
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { type: string; state?: string; source?: string; instances?: PresenceEntry[] });
    const hasRow = (host: string) => (l: { instances?: PresenceEntry[] }) => l.instances?.some((e) => e.host === host) ?? false;
    await waitFor(() => lines().some((l) => l.type === "state" && l.state === "open"), "watch to connect", scaled(15_000));
    await connectClient(first.url, "gamma");
    await waitFor(() => lines().some(hasRow("gamma")), "gamma in the watch output");
    // Keep-alives refresh rows without a push: watch re-reads the list on its own, and prints it only
    // when it changed (test/cli/watch-output.test.ts asserts both against a scripted gateway).

    await Promise.all(clients.splice(0).map((c) => c.close()));
    await first.close();
    gateways.length = 0;
    const second = await start({ port: first.port });
    await connectClient(second.url, "delta");
    // When delta connected first, the hello-ok snapshot that has it is printed just before the
    // "open" line (the client fills its list, then says open): wait for both, not the first alone.
    const states = () => lines().filter((l) => l.type === "state").map((l) => l.state);
    await waitFor(() => lines().some(hasRow("delta")) && states().at(-1) === "open", "delta after the restart, the watch open", scaled(15_000));
    expect(states().slice(0, 2)).toEqual(["connecting", "open"]);
    expect(states()).toContain("reconnecting");


    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);
    expect(lines().at(-1)).toMatchObject({ type: "state", state: "closed" });
    expect(run.stderr()).toBe("");
  });
});
