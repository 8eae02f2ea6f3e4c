import { describe, expect, it } from "vitest";
import { checkListRows, evictionUnknown, oldestMismatch } from "../../../src/conformance/checks/list-checks.js";
import { match, matches } from "../../../src/conformance/checks/matchers.js";
import { parseBaseline } from "../../../src/conformance/report/baseline.js";
import { pointer, resolve, VariableError } from "../../../src/conformance/scenario/vars.js";

describe("matchers", () => {
  it("matches literal objects partially and arrays element by element", () => {
    expect(matches({ a: 1 }, { a: 1, b: 2 })).toBe(true);
    expect(matches({ a: 1, c: 3 }, { a: 1, b: 2 })).toBe(false);
    expect(matches([1, { x: "y" }], [1, { x: "y", z: 0 }])).toBe(true);
    expect(matches([1], [1, 2])).toBe(false);
    expect(match({ a: { b: 2 } }, { a: { b: 3 } })).toEqual([{ path: "/a/b", message: "expected 2, got 3" }]);
  });

  it("has any, absent, regex, ranges and types", () => {
    expect(matches({ ip: { $absent: true } }, { host: "h" })).toBe(true);
    expect(matches({ ip: { $absent: true } }, { ip: "1.2.3.4" })).toBe(false);
    expect(matches({ ip: { $any: true } }, {})).toBe(false);
    expect(matches({ $regex: "^case-x$", $flags: "i" }, "CASE-X")).toBe(true);
    expect(matches({ $regex: "^a" }, 5)).toBe(false);
    expect(matches({ $range: { min: 1, max: 5 } }, 5)).toBe(true);
    expect(matches({ $range: { min: 1, max: 5 } }, 6)).toBe(false);
    expect(matches({ $gt: 3, $lt: 5 }, 4)).toBe(true);
    expect(matches({ $gt: 3 }, 3)).toBe(false);
    expect(matches({ $type: "integer", $gte: 0 }, 1.5)).toBe(false);
    expect(matches({ $type: "array" }, [])).toBe(true);
  });

  it("has contains, notContains, len, exact, eq, not and oneOf", () => {
    const rows = [{ id: "a", n: 1 }, { id: "b" }];
    expect(matches({ $contains: [{ id: "b" }] }, rows)).toBe(true);
    expect(matches({ $contains: [{ id: "c" }] }, rows)).toBe(false);
    expect(matches({ $notContains: [{ id: "c" }] }, rows)).toBe(true);
    expect(matches({ $notContains: [{ id: "a" }] }, rows)).toBe(false);
    expect(matches({ $notContains: [{ id: "a" }] }, undefined)).toBe(false);
    expect(matches({ $len: { $lte: 2 } }, rows)).toBe(true);
    expect(matches({ $exact: { ok: true } }, { ok: true })).toBe(true);
    expect(matches({ $exact: { ok: true } }, { ok: true, extra: 1 })).toBe(false);
    expect(matches({ $eq: { a: [1] } }, { a: [1] })).toBe(true);
    expect(matches({ $not: "x" }, "y")).toBe(true);
    expect(matches({ $oneOf: ["x", "y"] }, "z")).toBe(false);
    expect(match({ $bogus: 1 }, 1)[0]?.message).toMatch(/unknown matcher \$bogus/);
  });
});

describe("variables", () => {
  const vars = { run: "ab12", a: { instanceId: "Mixed-Case", connId: "c-1", hello: { policy: { maxPayload: 10 } } }, now: 1000, rows: [1, 2, 3] };

  it("interpolates, keeps the type of a whole-string variable, filters and offsets", () => {
    expect(resolve("${run}-x", vars)).toBe("ab12-x");
    expect(resolve("${a.hello.policy.maxPayload}", vars)).toBe(10);
    expect(resolve({ k: ["${a.instanceId|upper}", "${a.instanceId|lower}"] }, vars)).toEqual({ k: ["MIXED-CASE", "mixed-case"] });
    expect(resolve("${now - 400}", vars)).toBe(600);
    expect(resolve("${now + 5}", vars)).toBe(1005);
    expect(resolve("${rows.length}", vars)).toBe(3);
    expect(resolve("${gen.str:5}", vars)).toBe("xxxxx");
    expect(resolve("${gen.uuid}", vars)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("names what is missing", () => {
    expect(() => resolve("${b.connId}", vars)).toThrow(VariableError);
    expect(() => resolve("${b.connId}", vars)).toThrow(/unknown variable \$\{b\.connId\}/);
    expect(() => resolve("${a.nope}", vars)).toThrow(/no "nope"/);
    expect(() => resolve("${a.instanceId|shout}", vars)).toThrow(/unknown filter "shout"/);
    expect(() => resolve("${gen.nope}", vars)).toThrow(/unknown generator/);
  });

  it("reads JSON pointers", () => {
    expect(pointer({ a: { "b/c": [5] } }, "/a/b~1c/0")).toBe(5);
    expect(pointer(7, "")).toBe(7);
    expect(() => pointer({}, "/missing")).toThrow(/nothing at \/missing/);
  });
});

describe("list checks", () => {
  const self = { reason: "self", ts: 100 };
  const rows = [
    { instanceId: "new", ts: 90 },
    { instanceId: "Old", ts: 10 },
    self,
  ];

  it("checks contains, where/count, equals (ts ignored) and order", () => {
    expect(checkListRows({ step: "list", actor: "a", contains: [{ instanceId: "new" }], where: { ts: { $lt: 95 } }, count: 2 }, rows)).toEqual([]);
    expect(checkListRows({ step: "list", actor: "a", equals: [{ instanceId: "new" }, { instanceId: "Old" }, { reason: "self" }] }, rows)).toEqual([]);
    expect(checkListRows({ step: "list", actor: "a", equals: [{ instanceId: "new" }] }, rows)[0]?.message).toMatch(/unexpected row/);
    expect(checkListRows({ step: "list", actor: "a", sorted: true }, rows)[0]?.message).toMatch(/not newest ts first/);
    expect(checkListRows({ step: "list", actor: "a", sorted: true }, [self, rows[0], rows[1]])).toEqual([]);
  });

  it("a row that is missing names the nearest row and the fields where it differs", () => {
    // OpenClaw 2026.9.6's self row: ip holds the host name. The matcher alone is cut at 200 characters.
    const openclawSelf = { host: "vm", ip: "vm", mode: "gateway", reason: "self", version: "2026.9.6", ts: 100 };
    const p1 = { reason: "self", mode: "gateway", host: { $type: "string" }, ip: { $oneOf: [{ $absent: true }, { $regex: "^\\d+(\\.\\d+){3}$" }] }, version: { $type: "string" } };
    const [selfMiss] = checkListRows({ step: "list", actor: "a", contains: [p1], where: { reason: "self" } }, [rows[0], openclawSelf]);
    expect(selfMiss.path).toBe("/contains/0");
    expect(selfMiss.message).toMatch(/^no row matches \{"reason":"self".*; nearest: the self row, which differs at \/ip: expected one of .*, got "vm"$/);
    // A beacon that made a row of its own: the where-selected connection row is the one compared.
    const connection = { instanceId: "app", host: "app-host", mode: "test", version: "1.0.0", ts: 90 };
    const beaconRow = { text: "beacon", version: "9.9.9", ts: 95 };
    const [k2] = checkListRows({ step: "list", actor: "a", contains: [{ host: "app-host", text: "beacon", version: "9.9.9" }], where: { host: "app-host" } }, [beaconRow, connection]);
    expect(k2.message).toMatch(/; nearest: the row of instanceId "app", which differs at \/text: expected "beacon", got \(absent\); \/version: expected "9\.9\.9", got "1\.0\.0"$/);
    // No row `where` selects agrees on any field: every row is compared (an instanceId stored untrimmed).
    const k1 = { instanceId: "case-x", text: "lower" };
    const k1Rows = [{ instanceId: "CASE-X", text: "upper", ts: 3 }, { instanceId: "  case-x  ", text: "lower", ts: 2 }];
    expect(checkListRows({ step: "list", actor: "a", contains: [k1], where: { instanceId: { $regex: "^case-x$", $flags: "i" } } }, k1Rows)[0].message).toMatch(
      /; nearest: the row of instanceId " {2}case-x {2}", which differs at \/instanceId: expected "case-x", got " {2}case-x {2}"$/,
    );
    // No row agrees on any field: nothing to point at.
    expect(checkListRows({ step: "list", actor: "a", contains: [{ instanceId: "gone" }] }, rows)[0].message).toBe('no row matches {"instanceId":"gone"}');
  });

  it("checks that exactly the oldest non-self row was evicted", () => {
    const before = [self, ...rows.slice(0, 2)];
    const evict = (after: object[]) => checkListRows({ step: "list", actor: "a" }, after as never, before as never);
    expect(evict([self, { instanceId: "new", ts: 90 }, { instanceId: "x", ts: 95 }])).toEqual([]);
    expect(evict([self, { instanceId: "OLD", ts: 10 }, { instanceId: "x", ts: 95 }])[0]?.message).toMatch(/ts 90, but the oldest had ts 10/);
    expect(evict([{ instanceId: "new", ts: 90 }, { instanceId: "old", ts: 10 }])[0]?.message).toMatch(/self row was evicted/);
    expect(evict([self])[0]?.message).toMatch(/exactly one row evicted, 2 are gone/);
  });

  it("fails an eviction only on evidence: a row refreshed since the captured listing (P7) may have been newer when the new key came", () => {
    const self = { reason: "self", ts: 1 };
    const before = [self, { instanceId: "victim", ts: 10 }, { instanceId: "a", ts: 20 }, { instanceId: "b", ts: 30 }];
    const evict = (after: object[]) => checkListRows({ step: "list", actor: "a" }, after as never, before as never);
    // a went; the victim, older at the listing, is listed with a ts above a's: not judged, not failed.
    const refreshed = [self, { instanceId: "new", ts: 50 }, { instanceId: "victim", ts: 45 }, { instanceId: "b", ts: 30 }];
    expect(evict(refreshed)).toEqual([]);
    expect(evictionUnknown(before as never, refreshed as never)).toBe(
      'the row of instanceId "a" (ts 20) was evicted, and the row of instanceId "victim" (ts 10 then, 45 now) was older then and has been refreshed since: which row was the oldest when the new key came is not known (a refresh before it made the evicted row the oldest)',
    );
    // The victim still listed with its ts (not refreshed): it was older when the new key came.
    const kept = [self, { instanceId: "new", ts: 50 }, { instanceId: "victim", ts: 10 }, { instanceId: "b", ts: 30 }];
    expect(evict(kept)[0]?.message).toMatch(/evicted a row with ts 20, but the oldest had ts 10/);
    expect(evictionUnknown(before as never, kept as never)).toBeUndefined();
    // Refreshed, but still below the evicted row's ts: certainly older then.
    const stillOlder = [self, { instanceId: "new", ts: 50 }, { instanceId: "victim", ts: 15 }, { instanceId: "b", ts: 30 }];
    expect(evict(stillOlder)[0]?.message).toMatch(/evicted a row with ts 20, but the oldest had ts 10/);
    // b went: a is certainly older (unchanged), whatever the victim's refresh: a failure.
    const newer = [self, { instanceId: "new", ts: 50 }, { instanceId: "victim", ts: 45 }, { instanceId: "a", ts: 20 }];
    expect(evict(newer)[0]?.message).toMatch(/evicted a row with ts 30, but the oldest had ts 10/);
    expect(evictionUnknown(before as never, newer as never)).toBeUndefined();
    // The oldest went: judged (passed) as before.
    expect(evictionUnknown(before as never, [self, { instanceId: "new", ts: 50 }, { instanceId: "a", ts: 20 }, { instanceId: "b", ts: 30 }] as never)).toBeUndefined();
  });

  it("tells whether a premise's row is the one oldest non-self row (assume.oldest), and if not, what is", () => {
    const self = { reason: "self", ts: 1 };
    const victim = { instanceId: "v", ts: 10 };
    expect(oldestMismatch({ instanceId: "v" }, [self, { instanceId: "a", ts: 11 }, victim])).toBeUndefined();
    // Refreshed (P7) after two rows were written: not the oldest; how much newer, and how many are older.
    expect(oldestMismatch({ instanceId: "v" }, [self, { instanceId: "v", ts: 30 }, { instanceId: "a", ts: 11 }, { instanceId: "b", ts: 12 }])).toBe(
      'the oldest non-self row is the row of instanceId "a" (ts 11), not one matching {"instanceId":"v"}: the row of instanceId "v" has ts 30 (19 ms newer; 2 rows are older)',
    );
    // A tie: the gateway may evict either, so it is not the oldest.
    expect(oldestMismatch({ instanceId: "v" }, [self, victim, { instanceId: "a", ts: 10 }])).toBe('the row of instanceId "v" has the oldest ts (10), but so does 1 other non-self row (the row of instanceId "a")');
    expect(oldestMismatch({ instanceId: "v" }, [self, { instanceId: "a", ts: 11 }])).toBe('the oldest non-self row is the row of instanceId "a" (ts 11), not one matching {"instanceId":"v"}: no row matches it');
    expect(oldestMismatch({ instanceId: "v" }, [self])).toMatch(/^no non-self row has a numeric ts/);
  });

  it("sees one of two rows with the same fields go (rows without instanceId are told apart by count)", () => {
    const bare = (ts: number) => ({ reason: "disconnect", text: "Node: unknown", ts });
    const before = [self, bare(5), bare(7), { instanceId: "x", ts: 95 }];
    const after = [self, bare(7), { instanceId: "x", ts: 95 }, { instanceId: "new", ts: 99 }];
    expect(checkListRows({ step: "list", actor: "a" }, after as never, before as never)).toEqual([]);
    expect(checkListRows({ step: "list", actor: "a" }, before as never, before as never)[0]?.message).toMatch(/exactly one row evicted, 0 are gone/);
  });
});

describe("baseline files", () => {
  it("reads lines with comments, or JSON", () => {
    expect(parseBaseline("# known\nk1-case-merge\n  p3-cli:4-list  # flaky upstream\n\n")).toEqual(["k1-case-merge", "p3-cli:4-list"]);
    expect(parseBaseline('["a", "b:c"]')).toEqual(["a", "b:c"]);
    expect(parseBaseline('{"expectedFailures": ["a"]}')).toEqual(["a"]);
    expect(() => parseBaseline('{"x": 1}')).toThrow(/expected a JSON array/);
  });
});
