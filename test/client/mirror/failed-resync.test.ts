// A whole-list mirror whose resync failed stays `stale` only until a push that follows on from its
// version: each push is the whole list (SPEC E1), so nothing is missing any more. It stayed stale for
// the rest of the connection, so an app showing "may be out of date" showed it for good.
// Reference gateway, a socket that loses chosen frames.
import { afterEach, expect, it } from "vitest";
import { createPresenceClient, type PresenceClient } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { isPresencePush, LossySocket } from "../lossy-socket.js";
import { waitFor } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

let gw: Gateway;
const clients: PresenceClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await gw.close();
});

it("a failed resync leaves the mirror stale until the next whole-list push, which makes it current", async () => {
  gw = await createGateway({ port: 0 });
  const info = { id: "test", version: "1.0.0", platform: "linux", mode: "ui" } as const;
  const watcher = createPresenceClient({ url: gw.url, client: info, instanceId: "watcher", presenceDelta: false, WebSocket: LossySocket, resyncDelayMs: 10, requestTimeoutMs: 300 });
  const writer = createPresenceClient({ url: gw.url, client: info, instanceId: "writer", presenceDelta: false });
  clients.push(watcher, writer);
  await watcher.connect();
  const socket = LossySocket.all.at(-1)!;
  await waitFor(() => watcher.presence.version === gw.stateVersion(), "the watcher's own round");
  const errors: Error[] = [];
  watcher.presence.on("resyncError", (e) => errors.push(e));

  // One push lost (the next one is a version gap), and the resync's answer lost too: it times out.
  socket.drop = (text) => (socket.dropped.length === 0 ? isPresencePush(text) : /"result":\[/.test(text));
  await writer.connect();
  await waitFor(() => socket.dropped.length === 1, "the lost push");
  await writer.systemEvent({ instanceId: "beacon-1", reason: "periodic" });
  await waitFor(() => errors.length === 1, "the failed resync", scaled(3000));
  expect(errors[0]).toMatchObject({ kind: "timeout", message: "system-presence: no answer within 300 ms" });
  expect(watcher.presence.stale).toBe(true);
  socket.drop = () => false;

  await writer.systemEvent({ instanceId: "beacon-2", reason: "periodic" });
  await waitFor(() => watcher.presence.get("beacon-2") !== undefined, "the next push");
  expect(watcher.presence.version).toBe(gw.stateVersion());
  expect(watcher.presence.stale).toBe(false);
  expect(watcher.presence.resyncCount).toBe(0); // made current by the push, not by a resync
});
