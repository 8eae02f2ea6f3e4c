// Bad input is answered in proportion (docs/security.md): an error names what was wrong without
// growing with the number of wrong values. Before, a 400 KB beacon holding 200,000 numbers as
// `roles` was answered with 20 MB (an issue per item) after 120 ms of validation, and a 500 KB batch
// of long ids repeated in pairs with 60 MB (every repeat named in every entry's answer). Real
// gateway, both bindings, real sockets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Gateway } from "../../../src/server/index.js";
import { MAX_LISTED_ERRORS } from "../../../src/validation/index.js";
import { BINDINGS, closedAfterEach, requestFrame, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();
const gateway = (): Promise<Gateway> => start({ rateLimit: { burst: 100_000, perSecond: 100_000 } });

/** Keys `x0`, `x1`, ... (base 36) with value 0: n unknown properties. */
const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x${i.toString(36)}`, 0]));

/** The listed problems of an error answer (`data.errors`, or `details.errors` over openclaw). */
function problems(answer: string): Array<{ path: string; message: string; keyword?: string }> {
  const frame = JSON.parse(answer) as { error?: { data?: { errors?: unknown }; details?: { errors?: unknown } } };
  return (frame.error?.data?.errors ?? frame.error?.details?.errors) as Array<{ path: string; message: string }>;
}

describe.each(BINDINGS)("%s: an error answer does not grow with the number of bad values", (binding) => {
  const cases: Array<[string, (w: Wire) => string, RegExp]> = [
    ["a beacon with 200,000 numbers as roles", (w) => w.request("system-event", { roles: Array(200_000).fill(0) }), /\/roles\/0/],
    ["a beacon with 45,000 unknown fields", (w) => w.request("system-event", manyKeys(45_000)), /\/x0\b|property 'x0'/],
    ["system-presence with 45,000 unknown params", (w) => w.request("system-presence", manyKeys(45_000)), /\/x0\b|property 'x0'/],
  ];

  it.each(cases)("%s: the first problems named, then that more were not listed", async (_name, frame, named) => {
    const wire = keep(await Wire.connected(await gateway(), binding));
    const text = frame(wire);
    expect(text.length).toBeGreaterThan(300_000);
    const answer = await wire.answerTo(text);
    expect(answer.length).toBeLessThan(16 * 1024);
    expect(answer).toMatch(named);
    const listed = problems(answer);
    expect(listed.length).toBeLessThanOrEqual(MAX_LISTED_ERRORS + 1);
    expect(listed.at(-1)).toMatchObject({ path: "", message: expect.stringMatching(/more .*not listed/) });
    // The gateway is fine: the same connection is answered at once.
    expect(await wire.answerTo(wire.request("system-presence"))).toMatch(/hello|"host"|presence|result|payload/);
  });

  it("a connect before connect with 200,000 wrong scopes is answered with a bounded error; connect still works", async () => {
    const wire = keep(await Wire.open(await gateway(), binding));
    const protocol = binding === "openclaw" ? { minProtocol: 3, maxProtocol: 4 } : { minProtocol: 1, maxProtocol: 1 };
    const params = { ...protocol, client: { id: "x", version: "1", platform: "p", mode: "backend" }, scopes: Array(200_000).fill(0) };
    const answer = await wire.answerTo(requestFrame(binding, 1, "connect", params));
    expect(answer.length).toBeLessThan(16 * 1024);
    expect(answer).toMatch(/\/scopes/);
    const { scopes: _scopes, ...good } = params;
    expect(await wire.answerTo(requestFrame(binding, 2, "connect", good))).toMatch(/hello-ok/);
  });
});

describe("openclaw: a frame with 45,000 unknown members", () => {
  it("is refused naming the first ones and how many more there were", async () => {
    const wire = keep(await Wire.open(await gateway(), "openclaw"));
    const text = JSON.stringify({ type: "req", id: "1", method: "system-presence", ...manyKeys(45_000) });
    const answer = await wire.answerTo(text);
    expect(answer.length).toBeLessThan(16 * 1024);
    expect(answer).toMatch(/unexpected property 'x0'/);
    expect(answer).toMatch(new RegExp(`${45_000 - MAX_LISTED_ERRORS} more unexpected properties, not listed`));
  });
});

describe("jsonrpc: a batch whose long ids repeat", () => {
  it("each answer names its own repeat (abbreviated) and how many others there are; the whole answer stays near the frame's size", async () => {
    const wire = keep(await Wire.connected(await gateway(), "jsonrpc"));
    // 100 entries, ids of 860 control characters (6 bytes each as JSON) repeated in pairs: ~510 KB.
    const id = (i: number) => `${"\u0001".repeat(857)}${String(Math.floor(i / 2)).padStart(3, "0")}`;
    const text = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: id(i), method: "system-presence" })));
    expect(text.length).toBeGreaterThan(500_000);
    const answer = await wire.answerTo(text);
    expect(answer.length).toBeLessThan(text.length * 1.2);
    const entries = JSON.parse(answer) as Array<{ id: string; error: { message: string; data: { errors: Array<{ path: string }> } } }>;
    expect(entries).toHaveLength(100);
    entries.forEach((entry, i) => {
      expect(entry.id).toBe(id(i));
      expect(entry.error.data.errors[0]!.path).toBe("/id");
      const pair = `${i - (i % 2)}, ${i - (i % 2) + 1}`;
      const shown = JSON.stringify("\u0001".repeat(40));
      expect(entry.error.message).toContain(`(id ${shown}... (860 characters) at entries ${pair}; 49 other ids repeat too): no entry of this batch was run`);
    });
  });
});

describe("any hostile frame (property)", () => {
  /** Values a schema refuses one by one: numbers where strings belong, nested arrays, empty strings. */
  const wrongItem = fc.oneof(fc.integer(), fc.constant(""), fc.constant(null), fc.constant([[]]), fc.boolean());
  const bulky = fc.record({
    count: fc.integer({ min: 1_000, max: 30_000 }),
    item: wrongItem,
    field: fc.constantFrom("roles", "scopes", "unknown-keys"),
    method: fc.constantFrom("system-event", "system-presence", "connect", "presence.resync"),
    binding: fc.constantFrom(...BINDINGS),
  });

  it("is answered with at most twice its size plus 16 KB, and the gateway keeps answering", async () => {
    const g = await gateway();
    const wire = { jsonrpc: keep(await Wire.connected(g, "jsonrpc")), openclaw: keep(await Wire.connected(g, "openclaw")) };
    await fc.assert(
      fc.asyncProperty(bulky, async ({ count, item, field, method, binding }) => {
        const w = wire[binding];
        const params = field === "unknown-keys" ? manyKeys(count) : { [field]: Array(count).fill(item) };
        const text = w.request(method, params);
        const answer = await w.answerTo(text);
        expect(answer.length).toBeLessThanOrEqual(2 * text.length + 16 * 1024);
        expect(answer).not.toMatch(/"result"|"ok":true/);
      }),
      { numRuns: 40 },
    );
    for (const w of Object.values(wire)) expect(await w.answerTo(w.request("system-presence"))).toMatch(/"host"/);
  });
});
