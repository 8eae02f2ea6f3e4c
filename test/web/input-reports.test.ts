// Last input across keep-alives (src/web/input-reports.ts): a refresh that moves a row's ts and keeps
// its lastInputSeconds (SPEC P7, K3) does not move the input instant; a new value does.
import { describe, expect, it } from "vitest";
import type { PresenceEntry } from "../../src/protocol/index.js";
import { InputReportLog } from "../../src/web/input-reports.js";
import { displayRows } from "../../src/web/rows.js";

const T = 1_800_000_000_000;
const kiosk: PresenceEntry = { instanceId: "kiosk-7", host: "kiosk-7", mode: "ui", reason: "periodic", lastInputSeconds: 200, ts: T };
const self: PresenceEntry = { host: "gw", mode: "gateway", reason: "self", ts: T };
const kioskRow = (log: InputReportLog, entries: PresenceEntry[], now: number) => displayRows(entries, now, undefined, log).find((r) => r.host === "kiosk-7")!;

describe("Last input across keep-alives", () => {
  it("keeps the report's instant when a keep-alive moves ts and keeps lastInputSeconds (it dropped back by the refresh's age)", () => {
    const log = new InputReportLog();
    log.update([self], "snapshot");
    log.update([kiosk, self], "push"); // the beacon: 200 s idle at T
    expect(kioskRow(log, [kiosk, self], T + 100_000).lastInput).toBe("5m 0s ago");
    // A keep-alive 150 s after the beacon (TTL/2 of the default TTL), seen in the page's re-read.
    const refreshed = [{ ...kiosk, ts: T + 150_000 }, { ...self, ts: T + 150_000 }];
    log.update(refreshed, "resync");
    const row = kioskRow(log, refreshed, T + 160_000);
    expect(row.lastInput).toBe("6m 0s ago"); // 200 s + 160 s; read against the new ts it was 3m 30s
    expect(row.idleMs).toBe(360_000);
    expect(row.inputAt).toBe(T - 200_000);
    expect(row.titles.lastInput).toBe("reported 200 s idle at 2027-01-15 08:00:00 UTC");
    // Without the log (the row read as listed) the idle time drops back: what the page showed before.
    expect(displayRows(refreshed, T + 160_000).find((r) => r.host === "kiosk-7")!.lastInput).toBe("3m 30s ago");
  });

  it("keeps it too across writes that do not report input: a disconnect (SPEC P6), a beacon without the field", () => {
    const log = new InputReportLog();
    log.update([self], "snapshot");
    log.update([kiosk], "push");
    const left = [{ ...kiosk, reason: "disconnect", ts: T + 40_000 }];
    log.update(left, "push");
    expect(kioskRow(log, left, T + 40_000).inputAt).toBe(T - 200_000);
    const updated = [{ ...left[0], version: "2.0", ts: T + 50_000 }];
    log.update(updated, "push");
    expect(kioskRow(log, updated, T + 50_000).idleMs).toBe(250_000);
  });

  it("takes a new value as a new report at the row's ts", () => {
    const log = new InputReportLog();
    log.update([self], "snapshot");
    log.update([kiosk], "push");
    const used = [{ ...kiosk, lastInputSeconds: 3, ts: T + 90_000 }];
    log.update(used, "push");
    const row = kioskRow(log, used, T + 100_000);
    expect(row.lastInput).toBe("13s ago");
    expect(row.inputAt).toBe(T + 87_000);
  });

  it("says a report listed as the page found it may be older (its ts may be a keep-alive's); one it saw come is exact, kept across a reconnect", () => {
    const log = new InputReportLog();
    log.update([kiosk, self], "snapshot"); // the page opened: kiosk's ts may be a refresh of an older report
    expect(kioskRow(log, [kiosk, self], T).titles.lastInput).toMatch(/ or earlier \(ts may be a keep-alive's\)$/);
    log.update([self], "push");
    log.update([kiosk, self], "push"); // it left and came back: a new row, written just now
    expect(kioskRow(log, [kiosk, self], T).titles.lastInput).toBe("reported 200 s idle at 2027-01-15 08:00:00 UTC");
    // The page reconnected: the same value, ts moved by keep-alives meanwhile: still the report it saw.
    const again = [{ ...kiosk, ts: T + 60_000 }, self];
    log.update(again, "snapshot");
    expect(kioskRow(log, again, T + 60_000)).toMatchObject({ inputAt: T - 200_000, titles: { lastInput: expect.not.stringContaining("or earlier") } });
  });

  it("reads a beacon that repeats the very value as the field kept (the list cannot tell them apart): the earlier report stays", () => {
    const log = new InputReportLog();
    log.update([self], "snapshot");
    log.update([{ ...kiosk, lastInputSeconds: 0 }], "push");
    const again = [{ ...kiosk, lastInputSeconds: 0, ts: T + 180_000 }]; // a visitor busy at both beacons, 3 minutes apart
    log.update(again, "push");
    expect(kioskRow(log, again, T + 180_000).lastInput).toBe("3m 0s ago"); // docs/web.md: errs toward idle until another value comes
  });
});
