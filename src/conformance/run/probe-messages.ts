/**
 * What the probe says when it cannot start the run, and what to change: a gateway of the other wire
 * binding, a refused connect, a gateway still not ready when the readiness wait ran out. Options are
 * named in the caller's words (OptionWords: runConformance's options, or conform's flags).
 */
import { errorCodeText, type WireError } from "../../transport/frames.js";
import type { WireRecord } from "../report/results.js";
import type { OptionWords } from "./option-words.js";
import { askedWaitText } from "./refusals.js";

/**
 * A gateway of the other wire binding opens the socket but never completes the handshake: say which
 * binding its frames are in (OpenClaw sends connect.challenge first; a JSON-RPC gateway none).
 */
export function bindingHint(binding: string, records: readonly WireRecord[]): string {
  const received = records.filter((r) => r.dir === "recv").map((r) => parsed(r.text));
  if (binding !== "openclaw" && received.some((f) => typeof f?.type === "string" && f.jsonrpc === undefined)) {
    return " (the gateway answers in OpenClaw's frames: run with --binding openclaw)";
  }
  if (binding === "openclaw" && received.some((f) => f?.jsonrpc === "2.0")) return " (the gateway answers in JSON-RPC: leave out --binding openclaw)";
  if (binding === "openclaw" && received.length === 0) return " (no connect.challenge came: if the gateway speaks JSON-RPC, leave out --binding openclaw)";
  return "";
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** What to change when the gateway refuses the probe's connect for a reason the caller can fix. */
export function refusalHint(error: WireError, tokenGiven: boolean, words: OptionWords): string {
  if (error.name === "UNAUTHORIZED") {
    return tokenGiven ? " (the token given is not the gateway's)" : ` (the gateway wants a token; give it with ${words.giveToken})`;
  }
  if (error.name === "FORBIDDEN") return " (the token lacks a scope the probe asks for)";
  return "";
}

export function describe(error: WireError): string {
  return `${errorCodeText(error)}: ${error.message}`;
}

/**
 * The end of a readiness wait that ran out (the URL is said beside the reason already): what answered
 * decides what to ask. `nothing` accepted the connection (is a gateway running there?); an `http`
 * refusal of the upgrade, with the wait it asked for (`askedMs`) if any; or the `gateway` kept saying
 * it is not ready.
 */
export function notReadyText(answered: "nothing" | "http" | "gateway", waitedMs: number, attempts: number, limitMs: number, words: OptionWords, askedMs?: number): string {
  const what =
    answered === "nothing" ? "is a gateway running there?" : askedMs !== undefined && answered === "http" ? `it asked for ${askedWaitText(askedMs)}, past that` : "it may need a longer wait";
  return ` (not ready within ${words.waitReady(limitMs)}: ${attempts} attempt${attempts === 1 ? "" : "s"} in ${(waitedMs / 1000).toFixed(1)} s; ${what})`;
}
