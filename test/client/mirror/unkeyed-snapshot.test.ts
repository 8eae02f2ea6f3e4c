// A gateway that grants presence.delta but sends hello-ok's snapshot without usable presenceKeys
// (docs/delta.md D2 broken) sends deltas and never whole lists, and a delta needs keys: the mirror
// used to fall back to whole-list mode and then ignore every delta, frozen at the snapshot for the
// whole connection. It now shows the snapshot as stale and asks for a reset (D7), which carries keys.
// Scripted gateway on loopback (the reference gateway always sends keys).
import { afterEach, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../../src/index.js";
import { helloFor, startScriptedGateway, waitFor, type ScriptedGateway } from "../scripted-gateway.js";

let gw: ScriptedGateway;
let client: PresenceClient;
afterEach(async () => {
  await client.close();
  await gw.close();
});

it("a granted delta stream with a snapshot without keys: stale, a reset asked at once, then deltas apply", async () => {
  gw = await startScriptedGateway();
  const self = { host: "gw", mode: "gateway", reason: "self", ts: Date.now() };
  const desk = { instanceId: "desk-1", host: "desk", mode: "ui", reason: "connect", ts: Date.now() - 1000 };
  gw.handlers.connect = () => helloFor([self], 5, { features: { methods: ["connect", "system-presence", "presence.resync"], events: ["presence.delta"], caps: ["presence.delta"] } });
  let resyncs = 0;
  gw.handlers["presence.resync"] = (req) => {
    resyncs++;
    // D7: the reset first, then the answer, on the same socket.
    const reset = { reset: true, changed: [{ key: "@Self", entry: self }, { key: "desk-1", entry: desk }], removed: [], stateVersion: { presence: 5 } };
    req.socket.send(JSON.stringify({ jsonrpc: "2.0", method: "presence.delta", params: reset }));
    return { ok: true, stateVersion: { presence: 5 } };
  };
  client = createPresenceClient({ url: gw.url, client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" }, resyncDelayMs: 10 });
  const staleAtSnapshot: boolean[] = [];
  client.presence.on("change", (c) => c.source === "snapshot" && staleAtSnapshot.push(client.presence.stale));
  await client.connect();
  expect(client.presence.deltaMode).toBe(true);
  expect(staleAtSnapshot).toEqual([true]);
  expect(client.presence.entries).toEqual([self]);

  await waitFor(() => client.presence.get("desk-1") !== undefined && !client.presence.stale, "the reset");
  expect(resyncs).toBe(1);
  const laptop = { instanceId: "laptop-2", host: "laptop", mode: "ui", reason: "connect", ts: Date.now() };
  gw.notify("presence.delta", { baseVersion: 5, changed: [{ key: "laptop-2", entry: laptop }], removed: [], stateVersion: { presence: 6 } });
  await waitFor(() => client.presence.version === 6, "the delta");
  expect(client.presence.entries.map((e) => e.instanceId ?? "self")).toEqual(["laptop-2", "self", "desk-1"]);
});
