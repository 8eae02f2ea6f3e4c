/**
 * Feeds the presence mirror from one connection after another: hello-ok's snapshot (keyed when the
 * gateway granted the delta stream), then `presence` pushes or `presence.delta` (SPEC E1,
 * docs/delta.md); sequence numbers and frame versions reveal gaps (SPEC E2: the mirror resyncs).
 * `tick` and every other event are passed on as the client's events. Every list and tick is also a
 * reading of the gateway's clock (clock/gateway-clock.ts).
 */
import { PRESENCE_DELTA_CAP } from "../protocol/delta.js";
import type { HelloOk } from "../protocol/hello.js";
import type { InboundFrame } from "../transport/frames.js";
import type { GatewayClock } from "./clock/gateway-clock.js";
import { isDelta, keyedSnapshot } from "./delta.js";
import { TransportError } from "./errors.js";
import { helloFeature } from "./handshake.js";
import type { PresenceMirror } from "./mirror.js";
import type { ClientEvents } from "./types.js";

type EventFrame = Extract<InboundFrame, { kind: "event" }>;
/** The client's (protected) emit. */
export type EmitFn = <K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]) => void;

/** Events kept while a handshake settles, at most. */
const MAX_HELD_EVENTS = 64;

export class MirrorFeed {
  #lastSeq: number | undefined;
  /** Events that arrived with or right after hello-ok, before the handshake settled. */
  #held: EventFrame[] = [];

  constructor(
    private readonly presence: PresenceMirror,
    private readonly emit: EmitFn,
    /** The client asked for the delta stream (`presenceDelta` is not false). */
    private readonly deltaWanted: boolean,
    /** Sampled with every list the mirror takes (its newest ts) and every tick; reset on each hello-ok. */
    private readonly clock: GatewayClock,
  ) {
    presence.on("change", (change) => clock.sampleList(change.entries));
  }

  /** A new attempt: nothing held from the last one. */
  dialing(): void {
    this.#held = [];
  }

  /**
   * An event before the handshake settled: a push can arrive in the same read as hello-ok, before
   * the handshake's promise has settled. Kept for `opened`, which hands it back to apply after the snapshot.
   */
  hold(frame: EventFrame): void {
    if (this.#held.length < MAX_HELD_EVENTS) this.#held.push(frame);
  }

  /**
   * The connection opened: the mirror takes hello-ok's snapshot, sequence numbers start afresh.
   * Returns the events held meanwhile, to be routed once the client is open.
   */
  opened(hello: HelloOk): EventFrame[] {
    this.#lastSeq = undefined;
    this.clock.reset(); // maybe another gateway, or one restarted: its snapshot (next) is the first reading
    const granted = this.deltaWanted && (helloFeature(hello, "caps")?.includes(PRESENCE_DELTA_CAP) ?? false);
    const keyed = granted ? (keyedSnapshot(hello.snapshot.presence, hello.snapshot.presenceKeys) ?? "unkeyed") : undefined;
    this.presence.reset(hello.snapshot.presence, hello.snapshot.stateVersion.presence, keyed);
    const held = this.#held;
    this.#held = [];
    return held;
  }

  route(frame: EventFrame): void {
    // In delta mode each delta names the version it applies to: seq and frame versions are not needed.
    const deltaMode = this.presence.deltaMode;
    if (frame.seq !== undefined) {
      const last = this.#lastSeq;
      if (!deltaMode && last !== undefined && frame.seq > last + 1) this.presence.noteGap({ kind: "seq", from: last, to: frame.seq });
      this.#lastSeq = frame.seq;
    }
    if (!deltaMode && frame.event !== "presence" && frame.stateVersion !== undefined) this.presence.noteVersion(frame.stateVersion);
    if (frame.event === "presence.delta") this.#delta(frame);
    else if (frame.event === "presence") {
      if (!deltaMode) this.#push(frame); // a gateway that granted deltas sends no whole lists
    } else if (frame.event === "tick") {
      this.clock.sample((frame.payload as { ts?: unknown } | null)?.ts);
      this.emit("tick", frame.payload as ClientEvents["tick"]);
    }
    else this.emit("event", { event: frame.event, payload: frame.payload });
  }

  #delta(frame: EventFrame): void {
    if (!isDelta(frame.payload)) {
      this.emit("error", new TransportError("protocol", "presence.delta event without stateVersion, changed and removed: ignored"));
      return;
    }
    // Applied or not: a reset at the mirror's own version (the usual answer to presence.resync, D7)
    // changes the list and not the version; an old delta, or one while a reset is awaited, changes nothing.
    const before = this.presence.entries;
    this.presence.applyDelta(frame.payload);
    this.emit("presence.delta", frame.payload);
    if (this.presence.entries !== before) {
      this.emit("presence", { presence: [...this.presence.entries], stateVersion: { presence: this.presence.version } });
    }
  }

  #push(frame: EventFrame): void {
    const payload = frame.payload as ClientEvents["presence"];
    if (!Array.isArray(payload?.presence)) {
      this.emit("error", new TransportError("protocol", "presence event without a presence list: ignored"));
      return;
    }
    this.presence.applyPush(payload, frame.stateVersion);
    this.emit("presence", payload);
  }
}
