// A large answer (hello-ok, system-presence) goes out as one WebSocket message in fragments, the
// cached list's bytes among them as they are (issue 11, raw-json.ts encodeAsFragments): clients
// still receive one whole message, and nothing else comes between its fragments.
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { PresenceEntry } from "../../../src/protocol/index.js";
import { encodeAsFragments, encodeWithRaw, RawJson } from "../../../src/server/core/fanout/raw-json.js";
import { connectClient, list, startGateway } from "../helpers.js";

afterEach(() => vi.restoreAllMocks());

describe("encodeAsFragments", () => {
  it("gives the same JSON as encodeWithRaw, with a large list chunk as a fragment of its own (not copied)", () => {
    const rows = Buffer.from(Array.from({ length: 60 }, (_, i) => JSON.stringify({ instanceId: `row-${i}`, text: "x".repeat(80) })).join(","));
    const value = { type: "hello-ok", snapshot: { presence: new RawJson('[{"self":1},', rows, "]"), stateVersion: { presence: 3 } } };
    const fragments = encodeAsFragments(value);
    expect(Array.isArray(fragments)).toBe(true);
    const parts = fragments as readonly Buffer[];
    expect(parts.length).toBe(3);
    expect(parts.some((part) => part === rows)).toBe(true);
    expect(Buffer.concat(parts).toString()).toBe(encodeWithRaw(value).toString());
    expect(JSON.parse(Buffer.concat(parts).toString())).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it("keeps a small answer one piece", () => {
    expect(encodeAsFragments({ ok: true, list: new RawJson("[1,2]") })).toBe('{"ok":true,"list":[1,2]}');
  });
});

describe("a large hello-ok and system-presence answer on the wire", () => {
  it("is sent in fragments and received as one message holding the whole list, before the pushes that follow", async () => {
    const gw = await startGateway();
    for (let i = 0; i < 40; i++) await connectClient(gw, { instanceId: `row-${i}`, id: `client-${i}` });
    const send = vi.spyOn(WebSocket.prototype, "send");
    const { client, hello } = await connectClient(gw, { mode: "cli", id: "watcher" });
    const fragmentsSent = () => send.mock.calls.filter(([, options]) => (options as { fin?: boolean } | undefined)?.fin === false).length;
    expect(fragmentsSent()).toBeGreaterThan(0);
    const rows = hello.snapshot.presence as PresenceEntry[];
    expect(rows.filter((row) => row.instanceId?.startsWith("row-")).length).toBe(40);
    // One message per answer: hello-ok was frame 0, and the listing's answer is one frame too.
    expect(client.frames.length).toBe(1);
    const before = fragmentsSent();
    const listed = await list(client);
    expect(fragmentsSent()).toBeGreaterThan(before);
    expect(listed.filter((row) => row.instanceId?.startsWith("row-")).length).toBe(40);
    // A push right after the answer arrives whole, after it.
    await connectClient(gw, { instanceId: "row-late", id: "late" });
    await vi.waitFor(() => expect(JSON.stringify(client.frames.at(-1))).toContain("row-late"));
    for (const frame of client.frames) expect(typeof frame).toBe("object");
  });
});
