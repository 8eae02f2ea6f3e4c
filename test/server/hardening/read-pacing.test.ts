// One client pipelining thousands of frames does not hold the event loop for the others
// (src/server/limits/read-pacing.ts). ws hands over every frame of a socket read at once: before, a
// 64 KB read of small requests was handled to the last frame before any other client's frame, so
// one flooding client made every other client's round trip wait (0.4 ms -> p50 210 ms, p99 400 ms
// with 7-byte junk frames). Now at most FRAMES_PER_TURN frames of a read are handled per event-loop
// turn. Observed without timing: a beacon sent by another client right after a burst is visible in
// one of the burst's first answers, not after all those of the first read. Real gateway, both bindings.
import { describe, expect, it } from "vitest";
import { FRAMES_PER_TURN } from "../../../src/server/limits/read-pacing.js";
import { BINDINGS, closedAfterEach, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();

describe.each(BINDINGS)("%s: a burst of pipelined requests", (binding) => {
  it("does not run to its end before another client's request is handled; every request is still answered, in order", async () => {
    const gw = await start({ rateLimit: { burst: 100, perSecond: 100 } });
    const flooder = keep(await Wire.connected(gw, binding, "flooder"));
    const other = keep(await Wire.connected(gw, binding, "other"));
    const burst = 6_000;
    const frames = Array.from({ length: burst }, () => flooder.request("system-presence"));
    const from = flooder.texts.length;
    // Back to back: the gateway reads them in 64 KB pieces of about a thousand requests each.
    for (const f of frames) flooder.ws.send(f);
    const beacon = other.answerTo(other.request("system-event", { instanceId: "other", text: "in between" }));
    expect(await beacon).toMatch(/"ok":true/);
    await flooder.answerTo(flooder.request("system-presence"), 30_000);
    const isAnswer = (t: string) => t.startsWith('{"jsonrpc":"2.0","id"') || t.startsWith('{"type":"res"');
    const answers = flooder.texts.slice(from).filter(isAnswer);
    expect(answers.length).toBe(burst + 1);
    const ids = answers.map((t) => Number((JSON.parse(t) as { id: string | number }).id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    const firstWithBeacon = answers.findIndex((t) => t.includes('"text":"in between"'));
    // Before: every answer of the first read (about a thousand) came before the beacon was handled.
    expect(firstWithBeacon).toBeGreaterThan(-1);
    expect(firstWithBeacon).toBeLessThan(20 * FRAMES_PER_TURN);
  });
});
