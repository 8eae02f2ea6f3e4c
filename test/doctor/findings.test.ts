// Each finding of `gateway-presence doctor`, produced by a real reference gateway (with the test-only
// fault that makes it misbehave where the finding is about the gateway) and real clients, and
// nothing else; a healthy gateway holding 200 rows gives no finding at all.
import { connect, createServer, type AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import type { PresenceClient } from "../../src/index.js";
import type { Gateway } from "../../src/server/index.js";
import { firstExternalIPv4 } from "../../src/server/core/self-row.js";
import { connectClient } from "../server/helpers.js";
import { readGateway } from "../../src/doctor/index.js";
import { advance, app, BINDINGS, beaconRows, doctor, doctorBinding, gateway, ids, urlOf } from "./helpers.js";

describe.each(BINDINGS)("doctor over %s", (binding) => {
  describe("doctor: a healthy gateway", () => {
    it("200 rows (apps of every mode, beacon rows, Active and Idle) and a change while watching: no finding but the full list's information", async () => {
      const gw = await gateway();
      const modes = ["ui", "webchat", "node", "backend"];
      const apps: PresenceClient[] = [];
      for (let i = 0; i < 20; i++) {
        apps.push(await app(gw, { instanceId: `app-${i}`, host: `desk-${i}`, mode: modes[i % 4], role: i % 4 === 2 ? "node" : "operator" }));
      }
      const writer = await app(gw, { instanceId: "writer", host: "writer", mode: "cli" });
      await beaconRows(writer, 0, 100);
      const advanced = await advance(writer, 150_000); // the beacon rows above are now Idle
      await beaconRows(writer, 100, 79);
      await apps[0].systemEvent({ ip: "192.168.1.20", lastInputSeconds: 3 });
      await apps[1].close(); // a disconnect row is a healthy row too
      const skew = advanced - Date.now();

      const report = await doctor(gw, { binding, watchMs: 400, now: () => Date.now() + skew, during: () => apps[3].systemEvent({ lastInputSeconds: 1 }).then(() => {}) });
      expect(report.gateway).toMatchObject({ binding, protocol: binding === "openclaw" ? 4 : 1 });
      // At the cap of 200: the one finding is the information that new keys now evict (rows-at-cap).
      expect(report.findings.map((f) => `${f.id} ${f.severity}`)).toEqual(["rows-at-cap info"]);
      expect(report.worst).toBe("info");
      expect(report.summary.rows).toBe(200);
      expect(report.list).toHaveLength(200);
      expect(report.summary.status).toEqual({ Active: 100, Idle: 100, Stale: 0 });
      expect(report.summary.mode).toEqual({ gateway: 1, ui: 5, webchat: 5, node: 5 + 60, backend: 5 + 119 });
      expect(report.watch.pushes).toBeGreaterThanOrEqual(1);
      expect(Math.abs(report.clock.offsetMs!)).toBeLessThan(1000);
    });
  });

  describe("doctor: probable duplicates (K1)", () => {
    it("a client that reconnects without an instanceId: expected duplicates, with the rows that lack one", async () => {
      const gw = await gateway();
      for (let i = 0; i < 2; i++) {
        const { client } = await connectClient(gw, { displayName: "Anna's MacBook", id: "mac-app" });
        await client.close();
      }
      await connectClient(gw, { displayName: "Anna's MacBook", id: "mac-app" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["duplicate-without-instance-id"]);
      const [finding] = report.findings;
      expect(finding).toMatchObject({ rule: "K1", severity: "warning", title: expect.stringMatching(/"Anna's MacBook" is listed 3 times; 3 rows without an instanceId/) });
      // No note: the INSTANCEID column already shows that they have none.
      expect(finding.evidence.map((e) => [e.row.reason, e.row.instanceId, e.note])).toEqual([
        ["connect", undefined, undefined],
        ["disconnect", undefined, undefined],
        ["disconnect", undefined, undefined],
      ]);
      expect(finding.advice).toMatch(/stable client\.instanceId/);
    });

    it("one machine under two instanceIds (a new one per launch): a warning naming both", async () => {
      const gw = await gateway();
      await app(gw, { instanceId: "launch-1" });
      await app(gw, { instanceId: "launch-2" });
      await app(gw, { instanceId: "other", host: "Bob's PC", platform: "windows 11", deviceFamily: "PC" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["duplicate-other-instance-id"]);
      expect(report.findings[0]).toMatchObject({ severity: "warning", title: expect.stringMatching(/listed 2 times under 2 different instanceIds/) });
      expect(report.findings[0].evidence.map((e) => e.row.instanceId).sort()).toEqual(["launch-1", "launch-2"]);
      // No note: the INSTANCEID column shows the two ids.
      expect(report.findings[0].evidence.map((e) => e.note)).toEqual([undefined, undefined]);
    });

    it("one name, platform and version on different addresses: several machines, no finding (every operator's Instances page)", async () => {
      const gw = await gateway();
      const page = (instanceId: string) => app(gw, { instanceId, host: "Instances page", mode: "webchat", platform: "Linux x86_64", version: "0.1.0" });
      const [anna, bob] = [await page("page-anna"), await page("page-bob")];
      await anna.systemEvent({ instanceId: "page-anna", ip: "192.168.1.23" });
      await bob.systemEvent({ instanceId: "page-bob", ip: "192.168.1.40" });
      // Was: '"Instances page" is listed 2 times under 2 different instanceIds', advising to keep the instanceId across restarts.
      expect(ids(await doctor(gw, { binding }))).toEqual([]);
      // From one address, the same rows are one machine that made a new instanceId.
      await bob.systemEvent({ instanceId: "page-bob", ip: "192.168.1.23" });
      expect(ids(await doctor(gw, { binding }))).toEqual(["duplicate-other-instance-id"]);
    });

    it("instanceIds that differ only in letter case on a case-sensitive gateway: an error", async () => {
      const gw = await gateway({ faults: { caseSensitiveKeys: true } });
      await app(gw, { instanceId: "Mac-A" });
      await app(gw, { instanceId: "mac-a" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["duplicate-letter-case"]);
      expect(report.findings[0]).toMatchObject({ rule: "K1", severity: "error" });
      expect(report.findings[0].evidence.map((e) => e.row.instanceId).sort()).toEqual(["Mac-A", "mac-a"]);
    });

    it("one client's connect and disconnect rows side by side (rows kept per connection): an error", async () => {
      const gw = await gateway({ faults: { perConnectionRows: true } });
      const first = await app(gw, { instanceId: "mac-1" });
      await first.close();
      await app(gw, { instanceId: "mac-1" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["duplicate-per-connection"]);
      expect(report.findings[0].title).toMatch(/"mac-1" is listed as 2 rows: a disconnect row beside the live one/);
      // No note: the REASON column tells them apart.
      expect(report.findings[0].evidence.map((e) => [e.row.reason, e.note]).sort()).toEqual([
        ["connect", undefined],
        ["disconnect", undefined],
      ]);
    });
  });

  describe("doctor: rows no client could have made", () => {
    it("a beacon without instanceId filed under its text: a row with neither host nor instanceId (K2)", async () => {
      const gw = await gateway({ faults: { beaconRowsByText: true } });
      const mac = await app(gw, { instanceId: "mac" });
      await mac.systemEvent({ text: "Node: anna · mode ui", lastInputSeconds: 4 });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["row-without-host-or-instance-id"]);
      expect(report.findings[0]).toMatchObject({ rule: "K2", severity: "error" });
      expect(report.findings[0].evidence).toEqual([{ row: expect.objectContaining({ text: "Node: anna · mode ui" }), note: 'text "Node: anna · mode ui"' }]);
    });

    it("a cli client's row (P3), the doctor's own connection among them", async () => {
      const gw = await gateway({ faults: { listCli: true } });
      await app(gw, { instanceId: "script", host: "deploy script", mode: "cli" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["cli-row"]);
      expect(report.findings[0]).toMatchObject({ rule: "P3", severity: "error" });
      expect(report.findings[0].evidence.map((e) => e.row.host).sort()).toEqual(["deploy script", "gateway-presence doctor"]);
    });
  });

  describe("doctor: addresses (P5)", () => {
    it("a loopback address recorded as ip (a tunnel): an error", async () => {
      const gw = await gateway({ faults: { loopbackWipesIp: true } });
      await app(gw, { instanceId: "tunnelled" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["loopback-ip"]);
      expect(report.findings[0].evidence.map((e) => e.row.ip)).toEqual(["127.0.0.1"]);
    });

    it("an ip that is the host name: a warning", async () => {
      const gw = await gateway();
      const mac = await app(gw, { instanceId: "mac", host: "annas-mac.local" });
      await mac.systemEvent({ ip: "annas-mac.local" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["ip-not-an-address"]);
      expect(report.findings[0]).toMatchObject({ rule: "P5", severity: "warning", detail: expect.stringMatching(/holds the host name/) });
    });

    it("one ip on rows of different hosts: information (NAT or a proxy)", async () => {
      const gw = await gateway();
      for (const [instanceId, host] of [["a", "alpha"], ["b", "beta"]]) {
        const c = await app(gw, { instanceId, host });
        await c.systemEvent({ ip: "203.0.113.7" });
      }
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["ip-shared-by-hosts"]);
      expect(report.findings[0]).toMatchObject({ severity: "info", title: "ip 203.0.113.7 is on 2 rows of different hosts" });
      expect(report.worst).toBe("info");
      // It said only "Behind a reverse proxy at 203.0.113.7: ... (`serve --trusted-proxy 203.0.113.7`)": for a NAT that
      // is wrong (it writes no X-Forwarded-For, so every client behind it could set its own ip and budget through one).
      const { advice } = report.findings[0];
      expect(advice).toMatch(/^Find out what 203\.0\.113\.7 is\. A NAT or a shared public address .*: nothing to do, and do not trust it as a proxy: /);
      expect(advice).toContain("Only a reverse proxy or load balancer you run, which writes X-Forwarded-For itself, is a trusted proxy (`serve --trusted-proxy 203.0.113.7`)");
    });
  });

  describe("doctor: a proxy on the gateway's machine", () => {
    const own = firstExternalIPv4();
    it.skipIf(own === undefined)("clients through it all show the gateway's own address: a warning naming it for --trusted-proxy", async () => {
      const gw = await gateway({ host: own, insecureNoAuth: true });
      // A plain TCP forwarder on loopback, as a reverse proxy without X-Forwarded-For: the gateway sees it connect from its own address.
      const target = new URL(gw.url);
      const proxy = createServer((inbound) => {
        const outbound = connect(Number(target.port), own!);
        inbound.pipe(outbound).pipe(inbound);
        inbound.on("error", () => outbound.destroy());
        outbound.on("error", () => inbound.destroy());
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      onTestFinished(() => void proxy.close());
      const viaProxy = { url: `ws://127.0.0.1:${(proxy.address() as AddressInfo).port}` } as Gateway;
      await app(viaProxy, { instanceId: "anna", host: "Anna's MacBook" });
      await app(viaProxy, { instanceId: "bob", host: "Bob's PC", platform: "windows 11", deviceFamily: "PC" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["ip-shared-by-hosts"]);
      // Was information ("ip ... is on 2 rows of different hosts"), exit 0, with `--trusted-proxy ADDR` to fill in.
      expect(report.findings[0]).toMatchObject({ severity: "warning", title: `ip ${own}, the gateway machine's own address, is on 2 rows of different hosts` });
      expect(report.findings[0].advice).toContain(`\`serve --trusted-proxy ${own}\``);
      expect(report.findings[0].advice).toMatch(/A tunnel or port forward .* writes no such header/);
    });
  });

  describe("doctor: time and size", () => {
    it("no self row (P1)", async () => {
      const gw = await gateway({ faults: { noSelfRow: true } });
      await app(gw, { instanceId: "a" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["self-row-missing"]);
      expect(report.clock.offsetMs).toBeNull();
    });

    it("a self row older than the rows written after it (P1)", async () => {
      const gw = await gateway({ faults: { staleSelfRow: true } });
      const first = await app(gw, { instanceId: "a" });
      await advance(first, 60_000);
      await app(gw, { instanceId: "b", host: "Bob's PC" });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["self-row-stale"]);
      expect(report.findings[0].detail).toMatch(/2 rows are newer than the self row, by up to 1 min/);
    });

    it("a self row behind the gateway's own ticks, with no other row to compare (P1)", async () => {
      const gw = await gateway({ faults: { staleSelfRow: true }, tickIntervalMs: 100 });
      const writer = await app(gw, { instanceId: "w", mode: "cli" });
      const advanced = await advance(writer, 60_000);
      const skew = advanced - Date.now();
      // Ticks every 100 ms; at least 2 must fall in the watch. A stalled process loses ticks (setInterval
      // does not catch up): 350 ms held 1 tick at load 21-23 on 2 cores. 1 s leaves room for that.
      const report = await doctor(gw, { binding, watchMs: 1000, now: () => Date.now() + skew });
      expect(report.watch.ticks).toBeGreaterThanOrEqual(2);
      expect(ids(report)).toEqual(["self-row-stale"]);
      expect(report.findings[0].detail).toMatch(/behind the gateway's clock as its ticks tell it/);
      expect(Math.abs(report.clock.offsetMs!)).toBeLessThan(1000);
    });

    it("a row stamped 10 minutes ahead of the gateway's clock (K3)", async () => {
      const gw = await gateway({ faults: { futureTs: true } });
      await app(gw, { instanceId: "a", host: "alpha" });
      await app(gw, { instanceId: "b", host: "beta" });
      const c = await app(gw, { instanceId: "c", host: "gamma" });
      await c.systemEvent({ reason: "periodic", lastInputSeconds: 2 });
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["ts-in-future"]);
      // No note: the row's AGE reads negative (how far ahead it is).
      expect(report.findings[0].evidence).toEqual([{ row: expect.objectContaining({ host: "gamma" }) }]);
      expect(report.findings[0].evidence[0]!.note).toBeUndefined();
    });

    it("a row older than the TTL still listed (S1)", async () => {
      const gw = await gateway({ faults: { noExpiry: true } });
      const gone = await app(gw, { instanceId: "gone", host: "gone" });
      await gone.close();
      const stays = await app(gw, { instanceId: "stays", host: "stays" });
      const advanced = await advance(stays, 400_000);
      const skew = advanced - Date.now();
      const report = await doctor(gw, { binding, now: () => Date.now() + skew });
      expect(ids(report)).toEqual(["rows-past-ttl"]);
      expect(report.findings[0].evidence).toEqual([{ row: expect.objectContaining({ host: "gone", reason: "disconnect" }), note: expect.stringMatching(/^1m 4\ds past the TTL$/) }]);
      expect(report.summary.status).toEqual({ Active: 2, Idle: 0, Stale: 1 });
    });

    it("201 rows on a gateway whose cap is 200 (S2)", async () => {
      const gw = await gateway({ faults: { overCap: true } });
      const writer = await app(gw, { instanceId: "writer", mode: "cli" });
      await beaconRows(writer, 0, 200);
      const report = await doctor(gw, { binding });
      expect(report.summary.rows).toBe(201);
      expect(ids(report)).toEqual(["rows-over-cap"]);
      expect(report.findings[0].evidence.map((e) => e.row.instanceId)).toEqual(["device-0"]);
    });

    it("a correct gateway whose list is at its cap of 200: information only, the oldest row as evidence (S2)", async () => {
      const gw = await gateway();
      const writer = await app(gw, { instanceId: "writer", mode: "cli" });
      await beaconRows(writer, 0, 199);
      const report = await doctor(gw, { binding });
      expect(report.summary.rows).toBe(200);
      expect(ids(report)).toEqual(["rows-at-cap"]);
      expect(report.findings[0].severity).toBe("info");
      expect(report.worst).toBe("info");
      expect(report.findings[0].evidence.map((e) => e.row.instanceId)).toEqual(["device-0"]);
    });

    it("a gateway clock 10 minutes ahead of this machine's (C1)", async () => {
      const gw = await gateway();
      const a = await app(gw, { instanceId: "a" });
      await advance(a, 600_000);
      const report = await doctor(gw, { binding });
      expect(ids(report)).toEqual(["clock-offset"]);
      expect(report.findings[0]).toMatchObject({ rule: "C1", severity: "warning", title: "the gateway's clock is 10 min ahead of this machine's" });
      expect(report.findings[0].detail).toMatch(/test mode/);
      expect(report.clock.offsetMs! - 600_000).toBeLessThan(1000);
    });
  });

  describe("doctor: pushes (E1)", () => {
    it("a change during the watch that no push announced", async () => {
      const gw = await gateway({ faults: { noPresenceEvents: true } });
      await app(gw, { instanceId: "a", host: "alpha" });
      const report = await doctor(gw, { binding, watchMs: 500, during: async () => void (await app(gw, { instanceId: "late", host: "late" })) });
      expect(ids(report)).toEqual(["change-not-pushed"]);
      expect(report.findings[0].title).toMatch(/no presence event was pushed/);
      expect(report.findings[0].evidence).toEqual([{ row: expect.objectContaining({ host: "late" }), note: "listed, but no push said so (new or changed)" }]);
    });

    it("readGateway's onWatch runs once the first listing is in hand: its change is not in the listing and comes as a push", async () => {
      const gw = await gateway();
      await app(gw, { instanceId: "a", host: "alpha" });
      const obs = await readGateway({
        url: urlOf(gw, binding),
        binding: doctorBinding(binding),
        watchMs: 300,
        onWatch: async () => void (await app(gw, { instanceId: "late", host: "late" })),
      });
      expect(obs.list.entries.map((r) => r.host)).not.toContain("late");
      expect(obs.pushes.some((p) => p.presence.some((r) => r.host === "late"))).toBe(true);
      expect(obs.final!.entries.map((r) => r.host)).toContain("late");
    });

    it("the same change, pushed: no finding", async () => {
      const gw = await gateway();
      await app(gw, { instanceId: "a", host: "alpha" });
      const report = await doctor(gw, { binding, watchMs: 500, during: async () => void (await app(gw, { instanceId: "late", host: "late" })) });
      expect(report.watch.pushes).toBeGreaterThanOrEqual(1);
      expect(report.findings).toEqual([]);
    });
  });
});
