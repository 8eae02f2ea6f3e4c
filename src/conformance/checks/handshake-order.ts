/**
 * The probe's handshake-order check (SPEC E1, H4): nothing is pushed to a connection before its
 * hello-ok. E1 pushes go to handshaken connections, and hello-ok's snapshot is where a client's list
 * starts: a `presence` event before it is one the client has no list to place in (and a client that
 * waits for hello-ok as the first frame answering its connect may take it for a protocol error). The
 * binding's own greeting before `connect` (OpenClaw's `connect.challenge`, SPEC T2) is not a push.
 */
import type { CheckResult } from "../report/results.js";

/** The events a binding sends before `connect` by design. */
const GREETINGS = new Set(["connect.challenge"]);

/** `events`: the names of the events the probe's connection received before the answer to its connect, in order. */
export function noPushBeforeHelloCheck(events: readonly string[]): Omit<CheckResult, "status"> {
  const base = { id: "no-push-before-hello-ok", title: "nothing is pushed before hello-ok (SPEC E1: pushes go to handshaken connections; H4: the snapshot comes first)", rules: ["E1", "H4"] as CheckResult["rules"], level: "MUST" as const };
  const pushed = events.filter((e) => !GREETINGS.has(e));
  if (pushed.length === 0) return base;
  const names = [...new Set(pushed)].map((e) => `"${e}"`).join(", ");
  return {
    ...base,
    message: `the probe's connection got ${pushed.length} ${names} event${pushed.length === 1 ? "" : "s"} before the answer to its connect: a gateway sends hello-ok first and pushes only after it (add the connection to the push fan-out once its hello-ok is written)`,
  };
}
