// Delta mode's resync (docs/delta.md D6, D7) against the reference gateway, through a socket that
// loses chosen frames: a presence.resync that fails, or whose reset is lost, does not leave the
// mirror ignoring every later delta; and the reset answering a resync reaches `presence` listeners.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, TransportError, type PresenceClient, type PresenceClientOptions, type PresenceEntry } from "../../../src/index.js";
import { NO_RESET_BEFORE_ANSWER } from "../../../src/client/mirror.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { isDeltaPush, LossySocket } from "../lossy-socket.js";
import { waitFor } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

const isReset = (text: string) => isDeltaPush(text) && text.includes('"reset":true');
const isResyncAnswer = (text: string) => /"result":\{"ok":true,"stateVersion"/.test(text);
/** The self row's ts is fresh in every listing (SPEC P1), so it is left out of comparisons. */
const comparable = (list: readonly PresenceEntry[]) => list.map((e) => (e.reason === "self" ? { ...e, ts: 0 } : e));

describe("the delta mirror's resync", () => {
  let gw: Gateway;
  const clients: PresenceClient[] = [];
  const client = (instanceId: string, extra: Partial<PresenceClientOptions> = {}) => {
    const c = createPresenceClient({
      url: gw.url,
      client: { id: "test", version: "1.0.0", platform: "linux", mode: "ui" },
      instanceId,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gw.close();
  });

  /** A delta watcher whose next delta is lost (a gap), and a whole-list client that makes changes. */
  async function watcherWithGap(drop: (text: string) => boolean, extra: Partial<PresenceClientOptions> = {}) {
    gw = await createGateway({ port: 0 });
    const watcher = client("watcher", { WebSocket: LossySocket, resyncDelayMs: 10, ...extra });
    await watcher.connect();
    expect(watcher.presence.deltaMode).toBe(true);
    const socket = LossySocket.all.at(-1)!;
    await waitFor(() => watcher.presence.version === gw.stateVersion(), "the watcher's own round");
    const errors: Error[] = [];
    watcher.presence.on("resyncError", (e) => errors.push(e));
    // The delta announcing `writer` is lost; then the chosen frames of the resync are too.
    socket.drop = (text) => (socket.dropped.length === 0 ? isDeltaPush(text) : drop(text));
    const writer = client("writer", { presenceDelta: false });
    await writer.connect();
    await waitFor(() => socket.dropped.length === 1, "the lost delta");
    await writer.systemEvent({ instanceId: "beacon-1", reason: "periodic" }); // does not apply: a gap
    return { watcher, writer, socket, errors };
  }

  async function convergesAtTheNextChange(watcher: PresenceClient, writer: PresenceClient, socket: LossySocket) {
    socket.drop = () => false;
    await writer.systemEvent({ instanceId: "beacon-2", reason: "periodic" });
    await waitFor(() => watcher.presence.get("beacon-2") !== undefined && !watcher.presence.stale, "the mirror to catch up", scaled(5000));
    await waitFor(() => watcher.presence.version === gw.stateVersion(), "the latest version");
    expect(comparable(watcher.presence.entries)).toEqual(comparable(await writer.systemPresence()));
  }

  it("a presence.resync answered without its reset (the reset lost) ends the wait: the next delta asks again", async () => {
    const { watcher, writer, socket, errors } = await watcherWithGap(isReset);
    await waitFor(() => errors.length === 1, "the resync error");
    expect(errors[0]).toBeInstanceOf(TransportError);
    expect(errors[0]!.message).toBe(NO_RESET_BEFORE_ANSWER);
    expect(watcher.presence.stale).toBe(true);
    await convergesAtTheNextChange(watcher, writer, socket);
    expect(watcher.presence.resyncCount).toBe(1);
  });

  it("a presence.resync that times out ends the wait too", async () => {
    const { watcher, writer, socket, errors } = await watcherWithGap((t) => isReset(t) || isResyncAnswer(t), { requestTimeoutMs: 300 });
    await waitFor(() => errors.length === 1, "the resync timeout", scaled(3000));
    expect(errors[0]).toMatchObject({ kind: "timeout", message: "presence.resync: no answer within 300 ms" });
    await convergesAtTheNextChange(watcher, writer, socket);
  });

  it("the reset answering the client's own resync, at the version it already has, is a `presence` event (as for a whole-list client)", async () => {
    gw = await createGateway({ port: 0 });
    const watcher = client("watcher");
    await watcher.connect();
    await waitFor(() => watcher.presence.version === gw.stateVersion(), "the watcher's own round");
    const version = watcher.presence.version;
    const events: Array<{ version: number | undefined; rows: number }> = [];
    watcher.on("presence", (p) => events.push({ version: p.stateVersion?.presence, rows: p.presence.length }));
    await watcher.presence.resync();
    expect(watcher.presence.deltaMode).toBe(true);
    expect(events).toEqual([{ version, rows: watcher.presence.entries.length }]);
  });
});
