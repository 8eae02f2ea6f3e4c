/**
 * Junk-frame flooders in a process of their own (forked by pipeline.ts, so the measuring client's
 * event loop is not the flooders'): `count` clients from 127.0.0.2, each connected, then sending
 * 7-byte frames that are not JSON (raw-frames.ts) as fast as it can while reading the PARSE_ERROR
 * answers, for `ms` from when all are connected. Messages: {url, count, ms}
 * -> {type: "flooding"} once all are connected -> {type: "done", sent, answers}.
 */
import { connectedSocket, floodOneByteFrames } from "./raw-frames.js";

/** Opens and connects one flooder; `flood(until)` then sends junk until that time. */
async function flooder(url: string, i: number): Promise<(until: number) => Promise<{ sent: number; answers: number }>> {
  const ws = await connectedSocket(url, "127.0.0.2", `junk-${i}`);
  let answers = 0;
  ws.on("message", () => answers++);
  return async (until) => {
    answers = 0;
    const sent = await floodOneByteFrames(ws, until);
    ws.terminate();
    return { sent, answers };
  };
}

process.on("message", async (m: { url: string; count: number; ms: number }) => {
  const floods = await Promise.all(Array.from({ length: m.count }, (_, i) => flooder(m.url, i)));
  process.send?.({ type: "flooding" });
  const until = Date.now() + m.ms;
  const results = await Promise.all(floods.map((flood) => flood(until)));
  process.send?.({ type: "done", sent: results.reduce((s, r) => s + r.sent, 0), answers: results.reduce((s, r) => s + r.answers, 0) });
  process.disconnect?.();
});
