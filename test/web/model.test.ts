// The page's logic apart from the DOM (src/web): display rows on the gateway's clock, filters,
// counts, the gateway-clock estimate, the choice of listener, spoken changes. Durations read as the
// CLI's (formatAge, test/client/app/status.test.ts).
import { describe, expect, it } from "vitest";
import type { PresenceEntry } from "../../src/protocol/index.js";
import { checkPageConfig, chooseTarget } from "../../src/web/config.js";
import { GatewayTime } from "../../src/web/gateway-time.js";
import { countByStatus, displayRows, matchesFilters, modesOf, NEWEST_FIRST, NO_FILTERS, sortRows } from "../../src/web/rows.js";
import { describeChanges } from "../../src/web/view/announcer.js";
import { tooltip } from "../../src/web/view/table.js";

const NOW = 1_800_000_000_000;
const entries: PresenceEntry[] = [
  { host: "gw", mode: "gateway", reason: "self", ts: NOW },
  { instanceId: "Kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic", lastInputSeconds: 30, ts: NOW - 150_000 },
  { instanceId: "anna", host: "Anna's MacBook", mode: "ui", reason: "connect", roles: ["operator"], ts: NOW - 1_000 },
  { host: "old", mode: "backend", reason: "disconnect", ts: NOW - 301_000 },
  { host: "old", mode: "backend", reason: "disconnect", ts: NOW - 302_000 },
];

describe("display rows", () => {
  it("show a non-conforming gateway's wrongly typed fields as given, and never throw (a row without a usable ts has no age)", () => {
    const bad = [
      ...entries.slice(0, 1),
      { instanceId: { id: "tab" }, host: 5, ip: ["10.0.0.7"], mode: true, version: 7, lastInputSeconds: "3", roles: "operator", reason: null, ts: NOW - 1_000 },
      { instanceId: 9, host: "ghost", mode: "node", platform: 12.5, roles: [1, "viewer"] },
      { host: "odd", mode: "node", ts: "1799999999000", lastInputSeconds: Infinity },
    ] as unknown as PresenceEntry[];
    const rows = displayRows(bad, NOW);
    expect(rows.map((r) => [r.key, r.host, r.ip, r.mode, r.version, r.platform, r.lastInput, r.reason, r.roles, r.status, r.age])).toEqual([
      ["self", "gw", "", "gateway", "", "", "", "self", "", "Active", "0s"],
      ['id:{"id":"tab"}', "5", '["10.0.0.7"]', "true", "7", "", "3", "null", "operator", "Active", "1s"],
      ["id:9", "ghost", "", "node", "", "12.5", "", "", "1, viewer", "Stale", ""],
      ["row:odd|node||", "odd", "", "node", "", "", "Infinity", "", "", "Stale", ""],
    ]);
    expect(rows[2].titles.age).toBe("ts absent (a non-conforming row)");
    expect(rows[3].titles.age).toBe('ts "1799999999000": not a time (a non-conforming row)');
    expect(modesOf(rows)).toEqual(["gateway", "node", "true"]);
    expect(rows.filter((r) => matchesFilters(r, { ...NO_FILTERS, host: "5" }))).toHaveLength(1);
    const time = new GatewayTime();
    time.sampleList(bad);
    expect(Number.isFinite(time.now())).toBe(true);
  });

  it("are newest first with SPEC C1 statuses and ages on the given (gateway) clock", () => {
    const rows = displayRows(entries, NOW);
    expect(rows.map((r) => [r.host, r.status, r.age])).toEqual([
      ["gw", "Active", "0s"],
      ["Anna's MacBook", "Active", "1s"],
      ["kiosk-7", "Idle", "2m 30s"],
      ["old", "Stale", "5m 1s"],
      ["old", "Stale", "5m 2s"],
    ]);
    // Boundaries: 120 s is Active, 300 s Idle (SPEC C1's <=).
    expect(displayRows([{ ts: NOW - 120_000 }, { ts: NOW - 300_000 }], NOW).map((r) => r.status)).toEqual(["Active", "Idle"]);
    // A row from the future (clock skew) has age 0.
    expect(displayRows([{ ts: NOW + 5_000 }], NOW)[0].age).toBe("0s");
  });

  it("say when a row expires with the gateway's TTL: in the Age cell within 30 s of it, in the tooltip always (never for the self row)", () => {
    const rows = displayRows(entries.slice(0, 4), NOW, 160_000);
    expect(rows.map((r) => r.age)).toEqual(["0s", "1s", "2m 30s · expires in 10s", "5m 1s · expires in 0s"]);
    expect(rows[1].titles.age).toMatch(/ \(gateway clock\); expires in 2m 39s unless updated \(TTL 2m 40s\)$/);
    expect(rows[0].titles.age).toMatch(/\(gateway clock\)$/);
    // No TTL said (OpenClaw), or a mistyped one: nothing about expiry.
    for (const ttl of [undefined, Number.NaN, "160000" as unknown as number, 0]) {
      expect(displayRows(entries.slice(0, 4), NOW, ttl).map((r) => r.age)).toEqual(["0s", "1s", "2m 30s", "5m 1s"]);
    }
  });

  it("have stable keys: self, the instanceId as SPEC K1 keys it, else the fields (duplicates numbered)", () => {
    expect(displayRows(entries, NOW).map((r) => r.key)).toEqual(["self", "id:anna", "id:kiosk-7", "row:old|backend||", "row:old|backend||#1"]);
  });

  it("show last input as the idle time now: reported seconds plus the row's age", () => {
    const kiosk = displayRows(entries, NOW).find((r) => r.host === "kiosk-7")!;
    expect(kiosk.lastInput).toBe("3m 0s ago");
    // Listed as is, the row's ts may be a keep-alive's (SPEC P7): the report was then earlier.
    expect(kiosk.titles.lastInput).toBe("reported 30 s idle at 2027-01-15 07:57:30 UTC or earlier (ts may be a keep-alive's)");
    expect(displayRows(entries, NOW).find((r) => r.host === "gw")!.lastInput).toBe("");
  });

  it("name a row without a host by its instanceId (as `list` does), set apart as an id; the host search finds it", () => {
    const beacon: PresenceEntry = { instanceId: "Kiosk-Lobby-2", mode: "ui", text: "fill", ts: NOW - 2_000 };
    const [row] = displayRows([beacon], NOW);
    expect(row).toMatchObject({ host: "Kiosk-Lobby-2", hostIsInstanceId: true, titles: { host: "instanceId Kiosk-Lobby-2 (the row has no host)" } });
    expect(matchesFilters(row!, { ...NO_FILTERS, host: "lobby" })).toBe(true);
    expect(displayRows(entries, NOW).map((r) => r.hostIsInstanceId)).toEqual([false, false, false, false, false]);
    // Neither host nor instanceId: nothing to show (the cell's header stays empty).
    expect(displayRows([{ mode: "ui", ts: NOW }], NOW)[0]).toMatchObject({ host: "", hostIsInstanceId: false, titles: { host: "" } });
  });

  it("filter by mode, status and host (any letter case), and count by status", () => {
    const rows = displayRows(entries, NOW);
    const hosts = (f: Partial<typeof NO_FILTERS>) => rows.filter((r) => matchesFilters(r, { ...NO_FILTERS, ...f })).map((r) => r.host);
    expect(hosts({ mode: "ui" })).toEqual(["Anna's MacBook", "kiosk-7"]);
    expect(hosts({ status: "Stale" })).toEqual(["old", "old"]);
    expect(hosts({ host: "  MACBOOK " })).toEqual(["Anna's MacBook"]);
    expect(hosts({ mode: "ui", status: "Idle" })).toEqual(["kiosk-7"]);
    expect(countByStatus(rows)).toEqual({ Active: 2, Idle: 1, Stale: 2 });
    expect(modesOf(rows)).toEqual(["backend", "gateway", "ui"]);
  });

  it("search the ip and the instanceId too (an operator often knows only the address)", () => {
    const rows = displayRows([...entries, { instanceId: "Kiosk-Lobby-9", host: "lobby", ip: "10.3.105.195", ts: NOW - 5 }], NOW);
    const hosts = (search: string) => rows.filter((r) => matchesFilters(r, { ...NO_FILTERS, host: search })).map((r) => r.host);
    expect(hosts("10.3.105")).toEqual(["lobby"]);
    expect(hosts("kiosk-lobby")).toEqual(["lobby"]);
    expect(hosts("ANNA")).toEqual(["Anna's MacBook"]); // its instanceId and its host
  });
});

describe("sorting", () => {
  const NOW2 = NOW + 1_000;
  const many: PresenceEntry[] = [
    { host: "gw", mode: "gateway", reason: "self", ts: NOW2 },
    { instanceId: "b", host: "build-agent-10", ip: "10.0.0.10", version: "2026.9.6", mode: "backend", lastInputSeconds: 5, ts: NOW2 - 200_000 },
    { instanceId: "a", host: "Build-agent-9", ip: "10.0.0.9", version: "2026.1.30", mode: "ui", ts: NOW2 - 10_000 },
    { instanceId: "c", host: "ångström", version: "2026.11.2", mode: "ui", lastInputSeconds: 600, ts: NOW2 - 20_000 },
    { instanceId: "d", host: "zeta", ip: "192.168.1.2", mode: "node", lastInputSeconds: 1, ts: NOW2 - 400_000 },
  ];
  const rows = displayRows(many, NOW2);
  const by = (column: Parameters<typeof sortRows>[1]["column"], descending = false) => sortRows(rows, { column, descending }).map((r) => r.host);

  it("is newest first by default (Age ascending, SPEC M1), oldest first descending", () => {
    expect(sortRows(rows, NEWEST_FIRST).map((r) => r.host)).toEqual(rows.map((r) => r.host));
    expect(by("age")).toEqual(["gw", "Build-agent-9", "ångström", "build-agent-10", "zeta"]);
    expect(by("age", true)).toEqual(["zeta", "build-agent-10", "ångström", "Build-agent-9", "gw"]);
  });

  it("sorts text in any letter case with numbers by value (10.0.0.9 before 10.0.0.10, 2026.1.30 before 2026.9.6); empty cells last either way", () => {
    expect(by("host")).toEqual(["ångström", "Build-agent-9", "build-agent-10", "gw", "zeta"]);
    expect(by("ip")).toEqual(["Build-agent-9", "build-agent-10", "zeta", "gw", "ångström"]);
    expect(by("ip", true)).toEqual(["zeta", "build-agent-10", "Build-agent-9", "gw", "ångström"]);
    expect(by("version")).toEqual(["Build-agent-9", "build-agent-10", "ångström", "gw", "zeta"]);
  });

  it("sorts status Active, Idle, Stale (ties newest first) and last input by the idle time now", () => {
    expect(by("status")).toEqual(["gw", "Build-agent-9", "ångström", "build-agent-10", "zeta"]);
    expect(by("status", true)).toEqual(["zeta", "build-agent-10", "gw", "Build-agent-9", "ångström"]);
    // idle now: build-agent-10 5 s + 200 s, ångström 600 s + 20 s, zeta 1 s + 400 s; gw and Build-agent-9 reported none.
    expect(by("lastInput")).toEqual(["build-agent-10", "zeta", "ångström", "gw", "Build-agent-9"]);
  });
});

describe("spoken changes", () => {
  it("name rows that appear, disconnect, change status or leave", () => {
    const before = displayRows(entries, NOW);
    const later: PresenceEntry[] = [
      { ...entries[0], ts: NOW + 200_000 },
      { ...entries[2], reason: "disconnect", ts: NOW + 200_000 },
      entries[1],
      { instanceId: "new", host: "new-box", reason: "connect", ts: NOW + 200_000 },
    ];
    expect(describeChanges(before, displayRows(later, NOW + 200_000))).toEqual([
      "Anna's MacBook disconnected",
      "new-box appeared (connect)",
      "kiosk-7 is now Stale",
      "old left the list",
      "old left the list",
    ]);
  });
});

describe("a cluster's self rows", () => {
  it("read host (gateway id), as `gateway-presence list` shows them: two gateways on one machine are told apart", () => {
    const rows = displayRows(
      [
        { instanceId: "gw-a", host: "vm", mode: "gateway", reason: "self", ts: NOW },
        { instanceId: "gw-b", host: "vm", mode: "gateway", reason: "self", ts: NOW - 1 },
        { instanceId: "anna", host: "vm", mode: "ui", reason: "connect", ts: NOW - 2 },
      ],
      NOW,
    );
    expect(rows.map((r) => r.host)).toEqual(["vm (gw-a)", "vm (gw-b)", "vm"]);
    expect(rows.filter((r) => matchesFilters(r, { ...NO_FILTERS, host: "gw-b" })).map((r) => r.host)).toEqual(["vm (gw-b)"]);
  });
});

describe("the gateway's clock", () => {
  it("is the local clock plus the highest lower bound of the last minute since the last reset", () => {
    let local = 1_000;
    const time = new GatewayTime(() => local);
    expect(Math.abs(time.now() - Date.now())).toBeLessThan(1_000); // no sample yet: this machine's clock
    expect(time.jumpOf(9_000)).toBe(0); // nothing to jump from
    time.sample(5_000); // the first sample sets the offset (+4000)
    expect(time.now()).toBe(5_000);
    local = 2_000;
    time.sample(5_500); // a late sample (latency) does not lower it
    expect(time.now()).toBe(6_000);
    expect(time.jumpOf(156_000)).toBe(150_000); // test.clock.advance: a jump forward, seen before it is taken
    expect(time.now()).toBe(6_000);
    time.sample(156_000);
    expect(time.now()).toBe(156_000);
    expect(time.jumpOf(100)).toBe(0);
    time.sampleList([{ ts: 10 }, { ts: 156_500 }]);
    expect(time.now()).toBe(156_500);
    time.reset(); // a new connection (maybe a restarted gateway) starts over
    time.sampleList([{ ts: 3_000 }]);
    expect(time.now()).toBe(3_000);
    time.sample(Number.NaN);
    expect(time.now()).toBe(3_000);
    // A gateway clock set back: once the higher readings are a minute old, the estimate follows it.
    local = 70_000;
    time.sample(60_000);
    expect(time.now()).toBe(60_000);
    expect(time.jumpOf(60_500)).toBe(500);
  });
});

describe("where the page connects", () => {
  const config = checkPageConfig({ binding: "jsonrpc", listeners: [{ binding: "jsonrpc", port: 18789 }, { binding: "openclaw", port: 18790 }], maxEntries: 200 });
  const at = (search = "", protocol = "http:") => ({ protocol, host: "gw.example:8443", hostname: "gw.example", search });

  it("its own origin for the listener that served it (works behind a proxy), another port for another binding", () => {
    expect(chooseTarget(config, at())).toEqual({ binding: "jsonrpc", url: "ws://gw.example:8443", maxEntries: 200 });
    expect(chooseTarget(config, at("", "https:")).url).toBe("wss://gw.example:8443");
    expect(chooseTarget(config, at("?binding=openclaw"))).toEqual({ binding: "openclaw", url: "ws://gw.example:18790", maxEntries: 200 });
    expect(() => chooseTarget({ ...config, listeners: [config.listeners[0]] }, at("?binding=openclaw"))).toThrow(
      "this gateway has no openclaw listener (it offers jsonrpc)",
    );
  });

  it("a gateway with no jsonrpc listener: the page speaks the binding of the listener that served it", () => {
    // `serve --binding openclaw` printed "page http://127.0.0.1:18790/"; opening it said "this gateway has no jsonrpc listener".
    const openclawOnly = checkPageConfig({ binding: "openclaw", listeners: [{ binding: "openclaw", port: 18790 }], maxEntries: 200 });
    expect(chooseTarget(openclawOnly, at())).toEqual({ binding: "openclaw", url: "ws://gw.example:8443", maxEntries: 200 });
    // Asked for explicitly, a binding the gateway lacks is still an error.
    expect(() => chooseTarget(openclawOnly, at("?binding=jsonrpc"))).toThrow("this gateway has no jsonrpc listener (it offers openclaw)");
    // With a jsonrpc listener beside it, jsonrpc stays the default, whichever listener served the page.
    expect(chooseTarget({ ...config, binding: "openclaw" }, at())).toEqual({ binding: "jsonrpc", url: "ws://gw.example:18789", maxEntries: 200 });
  });

  it("checks /config.json, naming what is wrong", () => {
    expect(() => checkPageConfig(null)).toThrow("/config.json: not an object");
    expect(() => checkPageConfig({ binding: "jsonrpc", listeners: [{ binding: "jsonrpc" }], maxEntries: 1 })).toThrow("listeners");
    expect(() => checkPageConfig({ binding: "jsonrpc", listeners: [], maxEntries: "200" })).toThrow("maxEntries");
  });
});

describe("a cell's tooltip", () => {
  it("holds the whole text when the cell may cut it: CJK characters are about twice as wide as Latin ones", () => {
    expect(tooltip("a".repeat(24))).toBe("");
    expect(tooltip("a".repeat(25))).toBe("a".repeat(25));
    // 20 characters, about 34 Latin columns: cut at 16rem (it was shown cut with no tooltip: 20 <= 24).
    const host = "会議室-東京本社-第二会議室-端末-03";
    expect(tooltip(host)).toBe(host);
    expect(tooltip("会議室", "instanceId k")).toBe("instanceId k");
  });
});
