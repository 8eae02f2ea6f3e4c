// The list bytes a snapshot builds from the previous one's (src/server/core/fanout/list-bytes.ts):
// after any sequence of listings (rows written to the front, moved, removed, new; non-ASCII text;
// whole new listings), the bytes equal joining every row's JSON, and serializing goes through the
// cache only for rows the previous list did not hold in place.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PresenceEntry } from "../../../src/protocol/presence.js";
import { ListBytes } from "../../../src/server/core/fanout/list-bytes.js";

const row = (n: number, text: string): PresenceEntry => ({ instanceId: `row-${n}`, host: `host ${n}`, text, ts: 1_000 + n });

/** One step from a listing to the next, as a store's writes, removals and reads make them. */
const step = fc.oneof(
  fc.record({ kind: fc.constant("write" as const), at: fc.nat(), text: fc.string({ unit: "grapheme", maxLength: 12 }) }),
  fc.record({ kind: fc.constant("remove" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("move" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("replaceAll" as const), count: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant("same" as const) }),
);

describe("ListBytes", () => {
  it("equals joining every row's JSON after any sequence of listings", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.array(fc.array(step, { maxLength: 6 }), { minLength: 1, maxLength: 25 }), (initial, rounds) => {
        let next = 0;
        let rows = Array.from({ length: initial }, () => row(next++, "é"));
        let previous: ListBytes | undefined;
        for (const changes of rounds) {
          rows = [...rows];
          for (const change of changes) {
            if (change.kind === "write") {
              // A write replaces the row object (or adds one) and moves it to the front.
              const at = rows.length > 0 ? change.at % (rows.length + 1) : 0;
              if (at < rows.length) rows.splice(at, 1);
              rows.unshift(row(next++, change.text));
            } else if (change.kind === "remove" && rows.length > 0) rows.splice(change.at % rows.length, 1);
            else if (change.kind === "move" && rows.length > 0) rows.unshift(...rows.splice(change.at % rows.length, 1));
            else if (change.kind === "replaceAll") rows = Array.from({ length: change.count }, () => row(next++, "x"));
          }
          const serialized: PresenceEntry[] = [];
          const json = (entry: PresenceEntry) => (serialized.push(entry), JSON.stringify(entry));
          // The listing as a store gives it: {key, entry} objects (a self row first, skipped by `from`).
          const listed = [{ entry: row(-1, "self") }, ...rows.map((entry) => ({ entry }))];
          const built = ListBytes.build(listed, 1, json, previous);
          expect(built.bytes.toString("utf8")).toBe(rows.map((r) => JSON.stringify(r)).join(","));
          if (previous === undefined) expect(serialized).toHaveLength(rows.length);
          previous = built;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("serializes only the row written since the previous list", () => {
    const rows = Array.from({ length: 200 }, (_, n) => row(n, "text"));
    const keyed = (entries: PresenceEntry[]) => entries.map((entry) => ({ entry }));
    const previous = ListBytes.build(keyed(rows), 0, (e) => JSON.stringify(e));
    const written = row(999, "ü new");
    const listing = [written, ...rows.slice(0, 50), ...rows.slice(51)];
    const serialized: PresenceEntry[] = [];
    const built = ListBytes.build(keyed(listing), 0, (e) => (serialized.push(e), JSON.stringify(e)), previous);
    expect(serialized).toEqual([written]);
    expect(built.bytes.toString("utf8")).toBe(listing.map((r) => JSON.stringify(r)).join(","));
  });
});
