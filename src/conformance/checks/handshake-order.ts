/**
 * The handshake-order checks (SPEC E1, H4): nothing is pushed to a connection before its hello-ok.
 * E1 pushes go to handshaken connections, and hello-ok's snapshot is where a client's list starts: a
 * `presence` event before it is one the client has no list to place in (and a client that waits for
 * hello-ok as the first frame answering its connect may take it for a protocol error). The binding's
 * own greeting before `connect` (OpenClaw's `connect.challenge`, SPEC T2) is not a push.
 *
 * E1 is about every connection, not a sample: the probe's connect (checked as it starts, at a quiet
 * moment) rarely meets a push round, while the scenarios' connections open, wait and connect while
 * other actors change the list. So every connection a scenario opened is watched too (EarlyPushes):
 * a push it got before its hello-ok, or at any time when it never got one (an `open` step without
 * connect, a refused connect), fails `no-push-before-hello-ok-in-scenarios`, a check of the probe's
 * result (the run's own checks), so the scenario's own rules are not failed for it.
 */
import type { CheckResult, WireRecord } from "../report/results.js";

/** The events a binding sends before `connect` by design. */
const GREETINGS = new Set(["connect.challenge"]);

const BASE = { rules: ["E1", "H4"] as CheckResult["rules"], level: "MUST" as const };
const FIX = "a gateway sends hello-ok first and pushes only to handshaken connections (add a connection to the push fan-out once its hello-ok is written, never at the socket's open)";

/** `events`: the names of the events the probe's connection received before the answer to its connect, in order. */
export function noPushBeforeHelloCheck(events: readonly string[]): Omit<CheckResult, "status"> {
  const base = { id: "no-push-before-hello-ok", title: "nothing is pushed before hello-ok (SPEC E1: pushes go to handshaken connections; H4: the snapshot comes first)", ...BASE };
  const pushed = events.filter((e) => !GREETINGS.has(e));
  if (pushed.length === 0) return base;
  return {
    ...base,
    message: `the probe's connection got ${eventsText(pushed)} before the answer to its connect: a gateway sends hello-ok first and pushes only after it (add the connection to the push fan-out once its hello-ok is written)`,
  };
}

const eventsText = (names: readonly string[]) => `${names.length} ${[...new Set(names)].map((e) => `"${e}"`).join(", ")} event${names.length === 1 ? "" : "s"}`;

/** A received frame as these checks read it (run/wire.ts's Received). */
interface Frame {
  frame: { kind: string; event?: string; result?: unknown };
  record: WireRecord;
}

const isHelloOk = (f: Frame) => f.frame.kind === "result" && (f.frame.result as { type?: unknown } | null)?.type === "hello-ok";

/**
 * The pushes a connection got before its hello-ok (the first result of type `hello-ok`), or all of
 * them when it never got one; greetings aside. `handshaken`: whether a hello-ok came at all.
 */
export function pushesBeforeHello(received: readonly Frame[]): { pushes: Frame[]; handshaken: boolean } {
  const hello = received.findIndex(isHelloOk);
  const before = hello < 0 ? received : received.slice(0, hello);
  return { pushes: before.filter((f) => f.frame.kind === "event" && !GREETINGS.has(f.frame.event ?? "")), handshaken: hello >= 0 };
}

/** The frames shown per check: the first pushes found, each once. */
const MAX_FRAMES = 6;

/** One connection that got pushes before its hello-ok. */
interface EarlyConnection {
  scenario: string;
  actor: string;
  events: string[];
  handshaken: boolean;
  records: WireRecord[];
}

/** The scenarios' connections that got pushes before their hello-ok, collected over a run (scenario-runner.ts). */
export class EarlyPushes {
  readonly #found: EarlyConnection[] = [];
  /** Connections looked at, in all. */
  connections = 0;

  /** Looks at the connections of one scenario when it has ended. */
  collect(scenario: string, connections: readonly { actor: string; received: readonly Frame[] }[]): void {
    for (const conn of connections) {
      this.connections++;
      const { pushes, handshaken } = pushesBeforeHello(conn.received);
      if (pushes.length === 0) continue;
      const records = [...new Set(pushes.map((p) => p.record))];
      this.#found.push({ scenario, actor: conn.actor, events: pushes.map((p) => p.frame.event ?? ""), handshaken, records });
    }
  }

  /**
   * The run's check of the scenarios' connections, when one of them got a push before its hello-ok
   * (undefined: none did, so no check is added and passing runs report as before). Its frames are
   * the first pushes, each labelled `<scenario> <actor>`.
   */
  check(): Omit<CheckResult, "status"> | undefined {
    if (this.#found.length === 0) return undefined;
    const scenarios = new Set(this.#found.map((f) => f.scenario));
    const said = this.#found.slice(0, 3).map((f) => `actor "${f.actor}" of ${f.scenario} got ${eventsText(f.events)} ${f.handshaken ? "before the answer to its connect" : "on a connection that never got hello-ok"}`);
    const more = this.#found.length > 3 ? ` and ${this.#found.length - 3} more` : "";
    const count = `${this.#found.length} of the ${this.connections} connections of the scenarios, in ${scenarios.size} scenario${scenarios.size === 1 ? "" : "s"}`;
    const frames = this.#found.flatMap((f) => f.records.map((r) => ({ ...r, actor: `${f.scenario} ${r.actor}` }))).slice(0, MAX_FRAMES);
    return {
      id: "no-push-before-hello-ok-in-scenarios",
      title: "nothing is pushed before hello-ok on any connection of the scenarios (SPEC E1: pushes go to handshaken connections; H4: the snapshot comes first)",
      ...BASE,
      message: `${said.join("; ")}${more} (${count}): ${FIX}`,
      frames,
    };
  }
}
