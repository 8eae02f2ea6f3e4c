import { describe, expect, it } from "vitest";
import type { PresenceEvent } from "../../../src/protocol/index.js";
import { validate } from "../../../src/validation/index.js";
import { WireClient, connectClient, errorOf, isResponse, list, observer, rowOf, startGateway } from "../helpers.js";
import { scaled } from "../../support/timing.js";

function presencePushes(client: WireClient): PresenceEvent[] {
  return client.notifications("presence").map((n) => n.params as PresenceEvent);
}

async function settle(ms = 50): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe("M1: system-presence", () => {
  it("returns the list newest ts first, self included; accepts no params or {} only", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "one" });
    await connectClient(gw, { instanceId: "two" });
    await client.result("system-event", { instanceId: "three", text: "3" });
    const rows = await list(client);
    expect(validate("SystemPresenceResult", rows).ok).toBe(true);
    expect(rows[0].reason).toBe("self");
    expect(rows.slice(1).map((row) => row.instanceId)).toEqual(["three", "two", "one"]);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].ts).toBeGreaterThanOrEqual(rows[i].ts);
    expect(await client.result("system-presence", {})).toHaveLength(4);
    expect(errorOf(await client.call("system-presence", { all: true })).data?.code).toBe("INVALID_PARAMS");
  });
});

describe("M2: system-event", () => {
  it("answers {ok:true}; tags are accepted and not stored", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "tagger" });
    expect(await client.result("system-event", { text: "t", tags: ["a", "b"] })).toEqual({ ok: true });
    expect(await client.result("system-event")).toEqual({ ok: true });
    expect(rowOf(await list(client), "tagger")).not.toHaveProperty("tags");
  });
});

describe("E1: presence events", () => {
  it("every change (connect, beacon, disconnect, eviction) is pushed to every reader; stateVersion only grows", async () => {
    const gw = await startGateway({ maxEntries: 3 });
    const a = await observer(gw);
    const b = await observer(gw);
    const changes: Array<[string, (e: PresenceEvent) => boolean]> = [];
    const { client } = await connectClient(gw, { instanceId: "x" });
    changes.push(["connect", (e) => rowOf(e.presence, "x")?.reason === "connect"]);
    await a.waitFor((f) => JSON.stringify(f).includes('"x"'));
    await client.result("system-event", { text: "beacon!" });
    changes.push(["beacon", (e) => rowOf(e.presence, "x")?.text === "beacon!"]);
    await a.waitFor((f) => JSON.stringify(f).includes("beacon!"));
    await client.result("system-event", { instanceId: "y" });
    await a.waitFor((f) => JSON.stringify(f).includes('"y"'));
    await client.result("system-event", { instanceId: "z" }); // evicts x
    changes.push(["eviction", (e) => rowOf(e.presence, "z") !== undefined && rowOf(e.presence, "x") === undefined]);
    await a.waitFor((f) => JSON.stringify(f).includes('"z"'));
    await client.result("system-event", { instanceId: "y", text: "y2" });
    await client.close();
    const { client: other } = await connectClient(gw, { instanceId: "w", scopes: [] });
    await other.close();
    changes.push(["disconnect", (e) => rowOf(e.presence, "w")?.reason === "disconnect"]);
    await a.waitFor((f) => JSON.stringify(f).includes('"disconnect"'));
    await b.waitFor((f) => JSON.stringify(f).includes('"disconnect"'));
    for (const watcher of [a, b]) {
      const pushes = presencePushes(watcher);
      for (const [what, seen] of changes) expect(pushes.some(seen), what).toBe(true);
      const versions = pushes.map((e) => e.stateVersion.presence);
      for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]);
      for (const push of pushes) expect(validate("PresenceEvent", push).ok).toBe(true);
    }
  });
});

describe("E2: coalescing and slow clients", () => {
  it("a burst becomes one push", async () => {
    const gw = await startGateway();
    const watcher = await observer(gw);
    const { client } = await connectClient(gw, { instanceId: "burst", scopes: ["operator.write"] });
    await watcher.waitFor((f) => JSON.stringify(f).includes("burst"));
    await settle();
    const before = presencePushes(watcher).length;
    client.sendRaw(JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ jsonrpc: "2.0", id: 100 + i, method: "system-event", params: { text: `n${i}` } }))));
    await watcher.waitFor((f) => JSON.stringify(f).includes('"n19"'));
    await settle();
    expect(presencePushes(watcher).length - before).toBe(1);
  });

  it("a client that does not read misses pushes (counted) while the others get every one", async () => {
    // pushIntervalMs 0: a round per beacon, so the slow client's buffer fills fast.
    const gw = await startGateway({ maxBufferedBytes: 64 * 1024, pushIntervalMs: 0, rateLimit: { burst: 100_000, perSecond: 100_000 } });
    const slow = await observer(gw);
    const fast = await observer(gw);
    const { client: writer } = await connectClient(gw, { instanceId: "writer" });
    // 100 rows of ~1.2 KB each make every push ~120 KB.
    for (let i = 0; i < 100; i += 25) {
      const batch = Array.from({ length: 25 }, (_, j) => ({ jsonrpc: "2.0", id: i + j + 10, method: "system-event", params: { instanceId: `row-${i + j}`, text: "x".repeat(1000) } }));
      writer.sendRaw(JSON.stringify(batch));
    }
    await writer.waitFor((f) => Array.isArray(f) && f.some((r) => (r as { id: number }).id === 109));
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let sent = 0;
    for (; sent < 400 && gw.metrics().droppedPushes === 0; sent++) {
      await writer.result("system-event", { text: `tick-${sent}` });
      await settle(1);
    }
    expect(gw.metrics().droppedPushes).toBeGreaterThan(0);
    const last = `tick-${sent - 1}`;
    await fast.waitFor((f) => JSON.stringify(f).includes(last), scaled(10_000));
    // The slow client resumes and resyncs with system-presence.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(rowOf(await list(slow), "writer")?.text).toBe(last);
  });
});

describe("E3: tick", () => {
  it("is sent every tickIntervalMs to handshaken connections, not before connect", async () => {
    const gw = await startGateway({ tickIntervalMs: 40 });
    const { client } = await connectClient(gw, { role: "node", mode: "node", instanceId: "ticked" });
    await client.waitFor((f) => client.notifications("tick").length >= 3 && f !== undefined);
    const ticks = client.notifications("tick").map((n) => n.params as { ts: number });
    for (const tick of ticks) expect(validate("TickEvent", tick).ok).toBe(true);
    expect(ticks[2].ts).toBeGreaterThanOrEqual(ticks[0].ts);
    const idle = await WireClient.open(gw.url);
    await settle(150);
    expect(idle.frames).toEqual([]);
  });
});

describe("T1: UTF-8 JSON text frames", () => {
  it("keeps non-ASCII text intact and refuses binary frames", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "utf8", displayName: "Ærøskøbing 🚀" });
    await client.result("system-event", { text: "Grüße, 世界 · ✓" });
    expect(rowOf(await list(client), "utf8")).toMatchObject({ host: "Ærøskøbing 🚀", text: "Grüße, 世界 · ✓" });
    client.sendRaw(Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 99, method: "system-presence" })), true);
    const answer = (await client.next(isResponse)) as { id: null; error: { data: { code: string }; message: string } };
    expect(answer.error.data.code).toBe("INVALID_REQUEST");
    expect(answer.error.message).toMatch(/binary frames/);
  });
});

describe("T3: batches after connect", () => {
  it("answers a batch with one response per request, in order; notifications get none", async () => {
    const gw = await startGateway();
    const { client } = await connectClient(gw, { instanceId: "batcher" });
    client.sendRaw(
      JSON.stringify([
        { jsonrpc: "2.0", id: "p", method: "system-presence" },
        { jsonrpc: "2.0", method: "system-event", params: { text: "as notification" } },
        { jsonrpc: "2.0", id: "e", method: "system-event", params: { text: "in batch" } },
        { jsonrpc: "2.0", id: "bad", method: "system-event", params: { text: 1 } },
      ]),
    );
    const batch = (await client.waitFor(Array.isArray)) as Array<{ id: string; result?: unknown; error?: { data: { code: string } } }>;
    expect(batch.map((r) => r.id)).toEqual(["p", "e", "bad"]);
    expect(batch[1].result).toEqual({ ok: true });
    expect(batch[2].error?.data.code).toBe("INVALID_PARAMS");
    expect(rowOf(await list(client), "batcher")?.text).toBe("in batch");
    expect(client.frames.filter(isResponse).every((r) => r.id !== null)).toBe(true);
  });
});
