// Unsolicited pong frames (RFC 6455 allows them; ws reports each one). A pong refreshes the
// sender's row (SPEC P7) and, since that moves its ts without a change event, drops the cached list
// snapshot: before, each of a flood of 6-byte pongs made the next reader's system-presence, hello-ok
// or resync serialize the whole list again. Now a connection's pongs refresh its row at most once per
// half keep-alive interval (the gateway's own pings come once per interval, so P7 is unchanged).
// Real gateway, both bindings.
import { describe, expect, it } from "vitest";
import { MAX_PONGS_PER_SECOND } from "../../../src/server/limits/read-pacing.js";
import { tcpOf } from "../../../scripts/hardening/hostile/raw-frames.js";
import { BINDINGS, closedAfterEach, Wire } from "./wire.js";

const { start, keep } = closedAfterEach();

/** The ts of `instanceId`'s row in a system-presence answer (`result` over jsonrpc, `payload` over openclaw). */
function rowTs(answer: string, instanceId: string): number | undefined {
  const frame = JSON.parse(answer) as { result?: unknown; payload?: unknown };
  const rows = (frame.result ?? frame.payload) as Array<{ instanceId?: string; ts: number }>;
  return rows.find((r) => r.instanceId === instanceId)?.ts;
}

describe.each(BINDINGS)("%s: a flood of unsolicited pongs", (binding) => {
  it("does not make every reader's listing serialize the list again; the row is still kept alive", async () => {
    const gw = await start({ keepAliveIntervalMs: 2_000, ttlMs: 60_000 });
    const flooder = keep(await Wire.connected(gw, binding, "pong-flooder"));
    const reader = keep(await Wire.connected(gw, binding, "reader"));
    for (let i = 0; i < 30; i++) keep(await Wire.connected(gw, binding, `row-${i}`));
    const list = () => reader.answerTo(reader.request("system-presence"));
    await list();
    await list();
    const before = gw.metrics().snapshots;
    const first = rowTs(await list(), "pong-flooder")!;
    for (let i = 0; i < 50; i++) {
      flooder.ws.pong();
      await list();
    }
    // Before: one snapshot per pong (50); now at most the first pong's.
    expect(gw.metrics().snapshots - before).toBeLessThanOrEqual(2);
    // Half an interval later a pong (as the answer to the gateway's ping would) refreshes the row.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    flooder.ws.pong();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rowTs(await list(), "pong-flooder")!).toBeGreaterThan(first);
  });
});

describe.each(BINDINGS)("%s: a stream of unsolicited pongs", (binding) => {
  // ws parses and reports every control frame of a read at once, so read pacing cannot defer them: a
  // client writing 6-byte pongs as fast as it could took other clients' round trips from p50 0.5 ms
  // to 21 ms (npm run hostile's pipeline shape, measured by hand). Now more than
  // MAX_PONGS_PER_SECOND in a second drop the connection.
  it("is dropped, counted and logged; another client is still answered and its row kept", async () => {
    const lines: string[] = [];
    const gw = await start({ logger: (line) => lines.push(line) });
    const other = keep(await Wire.connected(gw, binding, "other"));
    const flooder = keep(await Wire.connected(gw, binding, "pong-flooder"));
    const rejections = gw.metrics().rejections;
    // Masked empty pongs (0x8a 0x80, a zero mask key), written straight to the TCP socket in one piece.
    const pong = Buffer.from([0x8a, 0x80, 0, 0, 0, 0]);
    tcpOf(flooder.ws).write(Buffer.concat(Array.from({ length: MAX_PONGS_PER_SECOND * 8 }, () => pong)));
    expect((await flooder.closed).code).toBe(1006);
    expect(gw.metrics().rejections).toBe(rejections + 1);
    expect(lines.filter((l) => l.includes("reason=PONG_FLOOD"))).toEqual([expect.stringMatching(/^reject conn=\S+ reason=PONG_FLOOD more than 256 pongs in a second$/)]);
    const answer = await other.answerTo(other.request("system-presence"));
    expect(answer).toContain('"instanceId":"other"');
  });

  it("a client that answers pings and sends a heartbeat pong a few times a second stays", async () => {
    const gw = await start({ keepAliveIntervalMs: 200, ttlMs: 60_000 });
    const client = keep(await Wire.connected(gw, binding, "heartbeat"));
    const rejections = gw.metrics().rejections;
    for (let i = 0; i < 20; i++) {
      client.ws.pong();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(gw.metrics().rejections).toBe(rejections);
  });
});
