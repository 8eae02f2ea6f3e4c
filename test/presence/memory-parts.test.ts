// The in-memory store's parts (src/presence/memory-store.ts is their PresenceStore API): open
// connections per key (P6, P7) and reported ips (P5). The store's rules themselves are tested in
// store-rules.test.ts and store-properties.test.ts.
import { describe, expect, it } from "vitest";
import { ConnectionCounts } from "../../src/presence/connection-counts.js";
import { ReportedIps } from "../../src/presence/reported-ips.js";
import { SELF_KEY } from "../../src/presence/index.js";
import { makeStore } from "./helpers.js";

describe("ConnectionCounts (P6, P7)", () => {
  it("says when the last connection of a key closed, and whether a key is held", () => {
    const counts = new ConnectionCounts([["seeded", 1]]);
    expect(counts.close("nobody")).toBe("none");
    counts.open("a");
    counts.open("a");
    expect(counts.isOpen("a")).toBe(true);
    expect(counts.close("a")).toBe("open");
    expect(counts.close("a")).toBe("last");
    expect(counts.isOpen("a")).toBe(false);
    expect(counts.close("a")).toBe("none");
    expect(counts.isOpen("seeded")).toBe(true);
    expect(counts.close("seeded")).toBe("last");
  });
});

describe("ReportedIps (P5)", () => {
  it("fills ip from the connection only where neither the fields nor an earlier beacon gave one, until the row goes", () => {
    const ips = new ReportedIps();
    expect(ips.connectionFields("k", { host: "h" }, "10.0.0.1")).toEqual({ fields: { host: "h", ip: "10.0.0.1" }, fromConnection: true });
    expect(ips.connectionFields("k", { ip: "192.0.2.9" }, "10.0.0.1")).toEqual({ fields: { ip: "192.0.2.9" }, fromConnection: false });
    expect(ips.connectionFields("k", {}, undefined)).toEqual({ fields: {}, fromConnection: false });
    ips.stored("k", { ip: "10.0.0.1" }, true); // the connection's own address is not a reported one
    expect(ips.connectionFields("k", {}, "10.0.0.2").fromConnection).toBe(true);
    ips.stored("k", { ip: "192.0.2.9" }, false); // a beacon's is
    expect(ips.connectionFields("k", {}, "10.0.0.2")).toEqual({ fields: {}, fromConnection: false });
    ips.forget("k");
    expect(ips.connectionFields("k", {}, "10.0.0.2").fromConnection).toBe(true);
  });
});

describe("the memory store's self row as listed (P1)", () => {
  // Issue 11: every handshake lists under load; the snapshot cache keys row text by object, so one
  // self object per millisecond means one serialization per millisecond, not one per listing.
  it("is one object within a millisecond, a new one with the new ts after it, and follows setSelf at once", async () => {
    const { clock, store } = makeStore();
    await store.setSelf({ host: "gw", mode: "gateway" });
    const selfOf = () => store.sync!.listKeyed().find((row) => row.key === SELF_KEY)!.entry;
    const first = selfOf();
    expect(selfOf()).toBe(first);
    expect(store.sync!.get(SELF_KEY)).toBe(first);
    clock.advance(1);
    const later = selfOf();
    expect(later).not.toBe(first);
    expect(later.ts).toBe(first.ts + 1);
    await store.setSelf({ host: "gw-renamed", mode: "gateway" });
    expect(selfOf().host).toBe("gw-renamed");
    expect(selfOf().ts).toBe(later.ts);
  });
});
