/**
 * The rows a scenario saw (what the likely causes of a failed check read, context.ts) are folded
 * frame by frame as failed checks ask (SeenRowsFold), not rebuilt from every frame for each failed
 * check: the result must be what a fold of every frame from the start gives, at every point, and
 * each frame is read once. Real reference gateway (test clock), real connections, pushes interleaved.
 */
import { afterEach, describe, expect, it } from "vitest";
import { noteSeen, type SeenRows } from "../../../src/conformance/checks/likely-causes.js";
import { ScenarioContext, type RunConfig } from "../../../src/conformance/run/context.js";
import { WireConnection, type Received } from "../../../src/conformance/run/wire.js";
import type { Gateway } from "../../../src/server/index.js";
import { jsonRpcBinding } from "../../../src/transport/jsonrpc.js";
import { FAST, planter, referenceGateway, TOKEN } from "../gateways.js";

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** What context.ts did before: every frame of every connection, sorted by seq, folded from nothing. */
function rebuilt(connections: readonly WireConnection[]): SeenRows {
  const seen = new Map<string, { instanceId: string; ts: number; seq: number; goneSeq?: number }>();
  const received = connections.flatMap((c) => c.received).sort((a, b) => a.record.seq - b.record.seq);
  for (const r of received) noteSeen(seen, r.frame.kind === "result" ? r.frame.result : r.frame.kind === "event" ? r.frame.payload : undefined, r.record.seq);
  return seen;
}

const plain = (rows: SeenRows) => Object.fromEntries([...rows].map(([id, row]) => [id, { ...row }]));

describe("the rows a scenario saw, for the likely causes of its failed checks", () => {
  it("are, after every step, what a fold of all frames from the start gives, each frame folded once", async () => {
    gateway = await referenceGateway();
    const ctx = new ScenarioContext(planter, { url: gateway.url, urls: [gateway.url], binding: jsonRpcBinding, token: TOKEN, stepTimeoutMs: 2000, capabilities: new Set(), runId: "r", handshakeTimeoutMs: FAST.handshakeTimeoutMs, needs: {}, ttlMs: 300_000 } as RunConfig);
    const open = async (name: string, instanceId: string) => {
      const conn = await WireConnection.open(gateway!.url, name, jsonRpcBinding, ctx.log, undefined, 2000);
      ctx.track(name, conn);
      await call(conn, "connect", { minProtocol: 1, maxProtocol: 1, client: { id: "conformance", version: "1", platform: "test", mode: "test", instanceId }, auth: { token: TOKEN } });
      return conn;
    };
    const call = async (conn: WireConnection, method: string, params: unknown): Promise<Received> => conn.waitResponse(conn.request(method, params).id, 2000);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 150)); // pushes land
    const snapshots: { step: string; folded: SeenRows; rebuilt: SeenRows }[] = [];
    const check = async (step: string) => {
      await settle();
      snapshots.push({ step, folded: plain(ctx.seenRows.update(ctx.all)) as never, rebuilt: plain(rebuilt(ctx.all)) as never });
    };

    const observer = await open("observer", "r-seen-observer");
    await check("observer connected");
    const app = await open("app", "r-seen-app");
    await check("app connected (observer pushed)");
    await call(app, "system-event", { instanceId: "r-seen-beacon", text: "beacon" });
    await call(observer, "system-presence", {});
    await check("a beacon and a listing");
    await app.close();
    await check("app closed (a disconnect push)");
    const later = await open("later", "r-seen-later");
    await call(later, "test.clock.advance", { ms: 301_000 });
    await call(observer, "system-presence", {});
    await check("the clock past the TTL: the app's and the beacon's rows gone from a whole listing");
    await call(later, "system-event", { instanceId: "r-seen-app", text: "back" });
    await call(later, "system-presence", {});
    await check("a row seen gone comes back");
    await check("nothing new");

    for (const s of snapshots) expect(s.folded, s.step).toEqual(s.rebuilt);
    // The fold saw the rows go, as a whole listing said (what the TTL causes read).
    const gone = snapshots[4]!.folded as unknown as Record<string, { goneSeq?: number }>;
    expect(gone["r-seen-beacon"]?.goneSeq).toBeTypeOf("number");
    expect(gone["r-seen-app"]?.goneSeq).toBeTypeOf("number");
    expect((snapshots[5]!.folded as unknown as Record<string, { goneSeq?: number }>)["r-seen-app"]?.goneSeq).toBeUndefined();
    // Each received frame was read once, however many times it was asked (7 calls here).
    const frames = ctx.all.reduce((n, c) => n + c.received.length, 0);
    expect(frames).toBeGreaterThan(10);
    expect(ctx.seenRows.folded).toBe(frames);
    await ctx.closeAll();
  });
});
