// Against the reference gateway: many clients' mirrors converge to the listing; a missed push
// (a forced gap) leads to a resync.
import { afterEach, describe, expect, it } from "vitest";
import { createPresenceClient, type MirrorGap, type PresenceClient, type PresenceEntry } from "../../../src/index.js";
import { createGateway, type Gateway } from "../../../src/server/index.js";
import { isDeltaPush, isPresencePush, LossySocket } from "../lossy-socket.js";
import { waitFor } from "../scripted-gateway.js";
import { scaled } from "../../support/timing.js";

/** The self row's ts is fresh in every listing (SPEC P1), so it is left out of comparisons. */
const comparable = (list: readonly PresenceEntry[]) => list.map((e) => (e.reason === "self" ? { ...e, ts: 0 } : e));

describe("the mirror against the reference gateway", () => {
  let gw: Gateway;
  const clients: PresenceClient[] = [];
  const client = (i: number, extra: Partial<Parameters<typeof createPresenceClient>[0]> = {}) => {
    const c = createPresenceClient({
      url: gw.url,
      client: { id: "test", displayName: `host-${i}`, version: "1.0.0", platform: "linux", mode: "ui" },
      instanceId: `client-${i}`,
      ...extra,
    });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gw.close();
  });

  it("20 clients sending 1,000 beacons in total all end with exactly what system-presence returns", async () => {
    gw = await createGateway({ port: 0 });
    const all = Array.from({ length: 20 }, (_, i) => client(i));
    await Promise.all(all.map((c) => c.connect()));
    // 50 beacons per client: the whole default burst (SPEC B2), sent as fast as the socket takes them.
    const results = await Promise.allSettled(
      all.flatMap((c, i) =>
        Array.from({ length: 50 }, (_, n) =>
          c.systemEvent({ instanceId: c.instanceId, reason: "periodic", lastInputSeconds: n, text: `beacon ${i}/${n}` }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    // The last changes may still wait for their push round (rounds are pushIntervalMs apart, and a
    // fast gateway takes all 1,000 beacons within one interval): the version the gateway has
    // published so far is not yet the final one. The final list is what system-presence returns now.
    const final = comparable(await all[0].systemPresence());
    expect(final).toHaveLength(21);
    const same = (c: PresenceClient) => !c.presence.stale && JSON.stringify(comparable(c.presence.entries)) === JSON.stringify(final);
    await waitFor(() => all.every(same), "every mirror at the final list", scaled(10_000));
    const version = gw.stateVersion();
    for (const c of all) {
      expect(c.presence.version).toBe(version);
      const listed = await c.systemPresence();
      expect(listed).toHaveLength(21);
      expect(comparable(c.presence.entries)).toEqual(comparable(listed));
    }
    for (let i = 0; i < 20; i++) {
      expect(all[0].presence.get(`client-${i}`)).toMatchObject({ lastInputSeconds: 49, text: `beacon ${i}/49`, reason: "periodic" });
    }
  });

  it("resyncs with system-presence after a missed push (a stateVersion gap)", async () => {
    gw = await createGateway({ port: 0 });
    const watcher = client(0, { WebSocket: LossySocket, resyncDelayMs: 10, presenceDelta: false });
    await watcher.connect();
    const socket = LossySocket.all.at(-1)!;
    const gaps: MirrorGap[] = [];
    watcher.presence.on("gap", (g) => gaps.push(g));
    await waitFor(() => watcher.presence.version === gw!.stateVersion(), "the watcher's own push");
    const startVersion = watcher.presence.version;

    // The push announcing client-1 is lost on the way (as when the gateway skips a slow client).
    socket.drop = isPresencePush;
    const other = client(1);
    await other.connect();
    await waitFor(() => socket.dropped.length === 1, "the dropped push");
    expect(watcher.presence.get("client-1")).toBeUndefined();
    socket.drop = () => false;

    await other.systemEvent({ instanceId: "client-1", reason: "periodic", lastInputSeconds: 5 });
    await waitFor(() => watcher.presence.resyncCount === 1, "the resync");
    expect(gaps).toEqual([{ kind: "version", from: startVersion, to: startVersion + 2 }]);
    expect(watcher.presence.get("client-1")).toMatchObject({ lastInputSeconds: 5 });
    expect(comparable(watcher.presence.entries)).toEqual(comparable(await watcher.systemPresence()));
  });

  it("a whole-list client takes the presence event answering its own presence.resync, at the version it already has (D7)", async () => {
    // Rounds 10 s apart: the first change (client-1's connect) is pushed at once, the later ones wait
    // for the next round, so the resync's list holds changes no push has announced yet, labelled with
    // the version the watcher already has (its hello-ok's).
    gw = await createGateway({ port: 0, pushIntervalMs: 10_000 });
    const other = client(1);
    await other.connect();
    await waitFor(() => gw!.stateVersion() > 0, "the first round");
    const watcher = client(0, { presenceDelta: false });
    await watcher.connect();
    const version = watcher.presence.version;
    expect(version).toBe(gw.stateVersion());
    await other.systemEvent({ instanceId: "client-1", reason: "periodic", lastInputSeconds: 9 });
    const answers: number[] = [];
    watcher.on("presence", (p) => answers.push(p.stateVersion?.presence ?? -1));
    const answer = await watcher.presenceResync({});
    // The event came before the answer (one socket, in order): same version, newer list.
    expect(answer.stateVersion.presence).toBe(version);
    expect(answers).toEqual([version]);
    expect(watcher.presence.version).toBe(version);
    expect(watcher.presence.get("client-1")).toMatchObject({ lastInputSeconds: 9 });
    expect(gw.stateVersion()).toBe(version); // no round has gone out meanwhile
  });

  it("uses the presence.delta stream when the gateway grants it, and resyncs with presence.resync after a missed delta", async () => {
    gw = await createGateway({ port: 0 });
    const watcher = client(0, { WebSocket: LossySocket, resyncDelayMs: 10 });
    const hello = await watcher.connect();
    expect(hello.features.caps).toEqual(["presence.delta"]);
    expect(watcher.presence.deltaMode).toBe(true);
    const socket = LossySocket.all.at(-1)!;
    const gaps: MirrorGap[] = [];
    watcher.presence.on("gap", (g) => gaps.push(g));
    await waitFor(() => watcher.presence.version === gw!.stateVersion(), "the watcher's own push");
    const startVersion = watcher.presence.version;

    // The delta announcing client-1 is lost on the way: the next one does not apply to the mirror.
    socket.drop = isDeltaPush;
    const other = client(1, { presenceDelta: false });
    await other.connect();
    await waitFor(() => socket.dropped.length === 1, "the dropped delta");
    socket.drop = () => false;

    await other.systemEvent({ instanceId: "client-1", reason: "periodic", lastInputSeconds: 7 });
    await waitFor(() => watcher.presence.resyncCount === 1 && !watcher.presence.stale, "the reset");
    expect(gaps).toEqual([{ kind: "delta", from: startVersion, to: startVersion + 2 }]);
    expect(watcher.presence.get("client-1")).toMatchObject({ lastInputSeconds: 7 });
    await waitFor(() => watcher.presence.version === gw!.stateVersion(), "the latest version");
    expect(comparable(watcher.presence.entries)).toEqual(comparable(await watcher.systemPresence()));
    // A full-list client and a delta client see the same list.
    await waitFor(() => other.presence.version === gw!.stateVersion(), "the full-list client at the latest version");
    expect(comparable(watcher.presence.entries)).toEqual(comparable(other.presence.entries));
  });
});
