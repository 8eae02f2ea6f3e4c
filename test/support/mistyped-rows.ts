/**
 * Rows of a non-conforming gateway whose fields have the wrong type (a number where SPEC §3 wants a
 * string, null, an object, an array, a boolean, a string where a number belongs, no ts, a ts too large
 * for a double), and how a scripted gateway sends them: for the tests of list, watch, doctor
 * (test/cli/mistyped-rows.test.ts) and the Instances page (test/browser/mistyped-rows.test.ts).
 */
import type { ScriptedRequest } from "../client/scripted-gateway.js";

/** Stands for a number JSON can hold but JSON.stringify cannot write: 1e400 parses as Infinity. */
const HUGE = "__1e400__";

/** A well-typed self row (`host: "gw"`) and six rows with wrongly typed fields, newest first; `now`: the gateway's time. */
export function badRows(now: number): unknown[] {
  return [
    { host: "gw", mode: "gateway", reason: "self", ts: now },
    // What the newcomer's proxy made of two rows of the reference gateway.
    { instanceId: "desk", host: "desk", mode: "ui", reason: "connect", version: 7, ts: now - 1_000 },
    { instanceId: "laptop", host: 5, mode: "ui", reason: "connect", ts: now - 2_000 },
    {
      instanceId: { id: "tab" },
      host: null,
      ip: ["10.0.0.7"],
      mode: true,
      platform: 12.5,
      lastInputSeconds: "3",
      roles: "operator",
      scopes: [1, 2],
      reason: "periodic",
      ts: now - 3_000,
    },
    { instanceId: "no-ts", host: "ghost", mode: "node", reason: "connect" },
    { instanceId: "far", host: "far", mode: "node", reason: "connect", ts: HUGE, lastInputSeconds: HUGE },
    { instanceId: "odd-ts", host: "odd", mode: "node", reason: "connect", ts: "1700000000000" },
  ];
}

/** Answers with `result` written as JSON, with 1e400 where badRows has its stand-in. */
export function answerRaw(req: ScriptedRequest, result: unknown): "silent" {
  req.socket.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result }).replaceAll(`"${HUGE}"`, "1e400"));
  return "silent";
}
