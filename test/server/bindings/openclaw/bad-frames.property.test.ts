// SPEC B1 over the openclaw binding, as a property (fast-check, a real gateway): any text frame that is
// not a valid request, before or after connect, is answered with an OpenClaw-shaped error, and neither
// crashes the gateway nor changes the list.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ocConnect, OcClient, startOpenClawGateway, type OcRes } from "./helpers.js";
import { scaled } from "../../../support/timing.js";

/** JSON values and near-misses of a req frame (wrong types, missing or extra fields), plus non-JSON text. */
const badFrame = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        type: fc.oneof(fc.constant("req"), fc.constant("res"), fc.constant("event"), fc.jsonValue()),
        id: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.jsonValue()),
        method: fc.oneof(fc.constant("system-event"), fc.constant("connect"), fc.string(), fc.jsonValue()),
        params: fc.jsonValue(),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string().filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

function isValidRequest(text: string): boolean {
  try {
    const f = JSON.parse(text) as Record<string, unknown>;
    return f !== null && typeof f === "object" && f.type === "req" && typeof f.id === "string" && f.id !== "" && typeof f.method === "string";
  } catch {
    return false;
  }
}

const rowsWithoutTs = (rows: Array<Record<string, unknown>>) => rows.map(({ ts: _ts, ...row }) => row);

describe("openclaw binding: bad frames (property)", () => {
  it("every bad frame gets an error res frame; the gateway stays up and the list does not change", async () => {
    const gw = await startOpenClawGateway({ rateLimit: { burst: 10_000, perSecond: 10_000 } });
    const { client } = await ocConnect(gw, { instanceId: "fuzz-watcher" });
    const fresh = await OcClient.open(gw.url);
    const before = rowsWithoutTs(await client.payload("system-presence"));

    await fc.assert(
      fc.asyncProperty(badFrame, fc.boolean(), async (text, connected) => {
        // A frame that happens to be a well-formed request is the other tests' business.
        fc.pre(!isValidRequest(text));
        const target = connected ? client : fresh;
        const from = target.frames.length;
        target.sendRaw(text);
        const res = (await target.waitFor((f) => target.frames.indexOf(f) >= from && f.type === "res")) as unknown as OcRes;
        expect(res.ok).toBe(false);
        expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message: expect.any(String) });
      }),
      { numRuns: 300 },
    );
    expect(rowsWithoutTs(await client.payload("system-presence"))).toEqual(before);
    expect(gw.metrics().connections).toBe(2);
  }, scaled(60_000));
});
