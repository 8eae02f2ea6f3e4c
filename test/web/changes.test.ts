// Which rows the page's change highlight marks (src/web/view/changes.ts), from display rows on the
// gateway's clock: appeared or a shown field changed; not a tick, not a refresh of the same fields.
import { describe, expect, it } from "vitest";
import type { PresenceEntry } from "../../src/protocol/index.js";
import { displayRows } from "../../src/web/rows.js";
import { ChangeTracker, RETURN_MS } from "../../src/web/view/changes.js";

const NOW = 1_800_000_000_000;
const kiosk: PresenceEntry = { instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic", version: "1.0", lastInputSeconds: 30, ts: NOW - 10_000 };
const anna: PresenceEntry = { instanceId: "anna", host: "anna", mode: "ui", reason: "connect", ts: NOW - 1_000 };
const rows = (entries: PresenceEntry[], now = NOW) => displayRows(entries, now);

describe("the change highlight's choice of rows", () => {
  it("marks nothing in the first list, then the rows that appeared or whose shown fields changed", () => {
    const changes = new ChangeTracker();
    expect(changes.changed(rows([kiosk, anna]))).toEqual(new Set());
    const later = rows([kiosk, { ...anna, reason: "disconnect" }, { instanceId: "new", host: "new", ts: NOW }], NOW + 1_000);
    expect(changes.changed(later)).toEqual(new Set(["id:anna", "id:new"]));
    expect(changes.changed(rows([{ ...kiosk, version: "1.1" }, { ...anna, reason: "disconnect" }], NOW + 2_000))).toEqual(new Set(["id:kiosk-7"]));
  });

  it("does not mark ticking ages, a refresh of the same fields, or an idle client's growing idle time", () => {
    const changes = new ChangeTracker();
    changes.changed(rows([kiosk, anna]));
    expect(changes.changed(rows([kiosk, anna], NOW + 5_000))).toEqual(new Set()); // ages and last input tick
    // Refreshed 20.4 s later, still idle: it reports 50 s (whole seconds, rounded down), the same instant within a second.
    expect(changes.changed(rows([{ ...kiosk, ts: kiosk.ts + 20_400, lastInputSeconds: 50 }, { ...anna, ts: NOW }], NOW + 20_000))).toEqual(new Set());
    // Used again: the input instant moved.
    expect(changes.changed(rows([{ ...kiosk, ts: NOW + 21_000, lastInputSeconds: 0 }, anna], NOW + 21_000))).toEqual(new Set(["id:kiosk-7"]));
  });

  it("does not mark a keep-alive's refresh: ts moves, lastInputSeconds stays as last reported (SPEC P7)", () => {
    // The gateway refreshes an open connection's ts on each pong (every 30 s at most) without a push or a
    // new lastInputSeconds; the page's re-read every 30 s then lists it. It marked every such row.
    const changes = new ChangeTracker();
    changes.changed(rows([kiosk, anna]));
    expect(changes.changed(rows([{ ...kiosk, ts: kiosk.ts + 30_000 }, { ...anna, ts: anna.ts + 30_000 }], NOW + 30_000))).toEqual(new Set());
    // A beacon after real input still is a change (another value, another instant).
    expect(changes.changed(rows([{ ...kiosk, ts: NOW + 31_000, lastInputSeconds: 2 }, anna], NOW + 31_000))).toEqual(new Set(["id:kiosk-7"]));
  });

  it("marks a status change (Active to Idle as the row ages), and nothing after reset()", () => {
    const changes = new ChangeTracker();
    changes.changed(rows([kiosk]));
    expect(changes.changed(rows([kiosk], NOW + 115_000))).toEqual(new Set(["id:kiosk-7"])); // 125 s old: Idle
    changes.reset();
    expect(changes.changed(rows([{ ...kiosk, version: "2" }], NOW + 116_000))).toEqual(new Set());
  });

  it("after a reconnect, compares a row that comes back later than the new list with what it was (RETURN_MS)", () => {
    let clock = 0;
    const changes = new ChangeTracker(() => clock);
    changes.changed(rows([kiosk, anna]));
    changes.reconnected();
    // The new list lacks anna (its client reconnects later than the page) and has a newcomer.
    const newcomer: PresenceEntry = { instanceId: "new", host: "new", ts: NOW };
    expect(changes.changed(rows([kiosk, newcomer], NOW + 5_000))).toEqual(new Set(["id:new"]));
    clock = 20_000;
    // anna back with the data it had (a new ts): not marked; kiosk-7 left meanwhile and came back: marked.
    expect(changes.changed(rows([{ ...anna, ts: NOW + 20_000 }, newcomer], NOW + 20_000))).toEqual(new Set());
    expect(changes.changed(rows([{ ...anna, ts: NOW + 20_000 }, newcomer, kiosk], NOW + 21_000))).toEqual(new Set(["id:kiosk-7"]));
    // Back changed, or after RETURN_MS: marked.
    changes.reconnected();
    changes.changed(rows([newcomer], NOW + 22_000));
    clock += 1_000;
    expect(changes.changed(rows([newcomer, { ...kiosk, version: "2.0" }], NOW + 23_000))).toEqual(new Set(["id:kiosk-7"]));
    clock += RETURN_MS;
    expect(changes.changed(rows([newcomer, { ...kiosk, version: "2.0" }, anna], NOW + 23_000 + RETURN_MS))).toEqual(new Set(["id:anna"]));
  });
  it("keeps comparing a row that comes back after a reconnect across reset() (a tab hidden and shown again meanwhile)", () => {
    let clock = 0;
    const changes = new ChangeTracker(() => clock);
    changes.changed(rows([kiosk, anna]));
    changes.reconnected();
    changes.changed(rows([kiosk], NOW + 5_000)); // anna's client is not back yet
    clock = 10_000;
    changes.reset(); // the tab shown again
    expect(changes.changed(rows([kiosk], NOW + 10_000))).toEqual(new Set());
    clock = 20_000;
    // anna back as she was, within RETURN_MS of the reconnect: not marked, as without the hidden tab.
    expect(changes.changed(rows([kiosk, { ...anna, ts: NOW + 20_000 }], NOW + 20_000))).toEqual(new Set());
  });
});
