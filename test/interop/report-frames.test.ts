// The committed interop reports show each frame as it went over the wire, unless a part of it had to be
// abbreviated or a secret blanked: a check judged from the raw text (b1-request-ids) must show that text.
import { describe, expect, it } from "vitest";
import { compactFrameText } from "../../scripts/interop/report.js";

describe("compactFrameText (reports/interop frames)", () => {
  it("keeps numerals JSON would rewrite as written, so the frame shown is the one judged", () => {
    for (const text of [
      '{"type":"req","id":-0,"method":"system-presence"}',
      '{"type":"req","id":1e-400,"method":"system-presence"}',
      '{"jsonrpc":"2.0","id":1e400,"method":"system-presence"}',
      '{"type":"req","id":1.00000000000000001,"method":"system-event","params":{"text":"t"}}',
      '{"jsonrpc":"2.0","id":9007199254740993,"method":"system-event"}',
    ]) {
      expect(compactFrameText(text)).toBe(text);
    }
  });

  it("still blanks secret-named fields and abbreviates non-presence events (then the frame is written anew)", () => {
    const secret = compactFrameText('{"type":"req","id":-0,"method":"connect","params":{"auth":{"token":"s3cret-value"}}}');
    expect(secret).not.toContain("s3cret-value");
    expect(secret).toContain('"token":"<REDACTED>"');
    const health = compactFrameText('{"type":"event","event":"health","payload":{"big":[1,2,3]}}');
    expect(health).toBe('{"type":"event","event":"health","payload":"<omitted: not presence>"}');
    const tick = '{"type":"event","event":"tick","payload":{"ts":1.50}}';
    expect(compactFrameText(tick)).toBe(tick);
  });

  it("blanks a secret in text that JSON.parse cannot read (a frame the harness cut)", () => {
    expect(compactFrameText('{"auth":{"token":"s3cret-value"},"x":"…')).not.toContain("s3cret-value");
  });
});
