// The window a wire-format finding's example frame is cut to (src/conformance/report/evidence-window.ts):
// where a JSON Pointer's value starts in a frame's text, escapes and all, and the window around it.
import { describe, expect, it } from "vitest";
import { evidenceWindow, valueOffset } from "../../../src/conformance/report/evidence-window.js";

describe("valueOffset: where the value a pointer names starts in the frame's text", () => {
  it("a pointer inside the result or payload the frame carries: the first value whose path ends with it", () => {
    const text = '{"jsonrpc":"2.0","id":1,"result":[{"host":"a"},{"host":"b","ts":-1}]}';
    expect(text.slice(valueOffset(text, "/1/ts"))).toMatch(/^-1\}/);
    expect(text.slice(valueOffset(text, "/1"))).toMatch(/^\{"host":"b"/);
    expect(text.slice(valueOffset(text, "/result/0/host"))).toMatch(/^"a"/);
  });

  it("strings holding brackets, commas, quotes and escapes, white space, and pointer escapes (~0, ~1)", () => {
    const text = '{ "type" : "event", "payload" : { "presence" : [ { "text" : "a\\"],{\\\\" , "a/b~c" : 7 } ] } }';
    expect(text.slice(valueOffset(text, "/presence/0/a~1b~0c"))).toMatch(/^7 \}/);
    expect(text.slice(valueOffset(text, "/payload/presence/0/text"))).toMatch(/^"a\\"\],\{/);
  });

  it("-1 for a path the text lacks, and for text that is not JSON", () => {
    expect(valueOffset('{"a":[1,2]}', "/a/2")).toBe(-1);
    expect(valueOffset('{"a":[1,2', "/b")).toBe(-1);
    expect(valueOffset("not json", "/a")).toBe(-1);
  });
});

describe("evidenceWindow", () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({ host: `row-${i}`, ts: i === 90 ? "late" : i }));
  const text = JSON.stringify({ type: "event", event: "presence", payload: { presence: rows } });

  it("a value past the cut: a window from 200 characters before it, marked at both ends, no longer than the cut", () => {
    const window = evidenceWindow(text, "/presence/90/ts", 500)!;
    expect(window).toMatch(/^….*"host":"row-90","ts":"late"\}.*…$/s);
    expect(window.indexOf('"late"')).toBe(201);
    expect(window.length).toBeLessThanOrEqual(500);
  });

  it("undefined (the frame's start is the evidence) when the start shows the value, or the value is not found", () => {
    expect(evidenceWindow(text, "/presence/1/ts", 500)).toBeUndefined();
    expect(evidenceWindow(text, "/presence/900/ts", 500)).toBeUndefined();
    expect(evidenceWindow(text, "", 500)).toBeUndefined();
  });
});
