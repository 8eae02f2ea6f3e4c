/** Which capabilities a run has, from what the probe saw (hello-ok, and methods tried), the URL and the run options. */
import type { SlowSkip } from "../report/results.js";
import type { Capability, Scenario } from "../scenario/scenario.js";
import { SDK_OPTION_WORDS, testModeHint } from "./option-words.js";
import type { MethodState } from "./probe.js";
import { isLoopbackAddress } from "../../server/core/remote-address.js";

export const ALL_CAPABILITIES: readonly Capability[] = [
  "testClock",
  "token",
  "nodeRole",
  "scopes",
  "systemEvent",
  "presenceEvents",
  "presenceDelta",
  "tick",
  "jsonrpc",
  "loopback",
  "handshakeTimeout",
  "slow",
  "realTime",
  "cluster",
];

/** Waits longer than this need `--slow`. */
export const FAST_WAIT_LIMIT_MS = 5000;

export interface CapabilityInput {
  hello: unknown;
  url: string;
  /** Every gateway of the run, when several (a cluster); default just `url`. */
  urls?: string[];
  bindingName: string;
  token: string | undefined;
  slow: boolean;
  handshakeTimeoutMs: number;
  overrides?: Partial<Record<Capability, boolean>>;
  /** A real-time run (`--real-time`). */
  realTime?: boolean;
  /** What the probe's calls showed (a method that answers counts even when hello-ok does not list it). */
  methods?: Partial<Record<"system-event" | "test.clock.advance", MethodState>>;
  /** How to give a token, in the caller's words (OptionWords.giveToken); default `the token option`. */
  giveToken?: string;
  /** How the reference gateway is started in test mode, in the caller's words (OptionWords.testMode); default the SDK's. */
  testMode?: string;
}

export interface Capabilities {
  available: Set<Capability>;
  /** Why each missing capability is missing. */
  missing: Partial<Record<Capability, string>>;
  /**
   * The missing capabilities that `--slow` alone would add, each with its long wait in words (`ticks
   * every 15 s`). Their `missing` reasons say what is long, not what to do: a report says `--slow`
   * once, in needsSlowLine (report/summary.ts), with the scenarios it would run.
   */
  onlyWithSlow: Partial<Record<Capability, string>>;
}

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  return isLoopbackAddress(host);
}

export function detectCapabilities(input: CapabilityInput): Capabilities {
  const hello = (input.hello ?? {}) as { features?: { methods?: unknown; events?: unknown; caps?: unknown }; policy?: { tickIntervalMs?: unknown } };
  const caps = Array.isArray(hello.features?.caps) ? (hello.features.caps as unknown[]) : [];
  const methods = Array.isArray(hello.features?.methods) ? (hello.features.methods as unknown[]) : [];
  const events = Array.isArray(hello.features?.events) ? (hello.features.events as unknown[]) : [];
  const tick = hello.policy?.tickIntervalMs;
  const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;
  // The waits over FAST_WAIT_LIMIT_MS that only a slow run makes, in words.
  const longWaits: Partial<Record<Capability, string>> = {
    ...(events.includes("tick") && typeof tick === "number" && tick > FAST_WAIT_LIMIT_MS ? { tick: `ticks every ${seconds(tick)}` } : {}),
    ...(input.handshakeTimeoutMs > FAST_WAIT_LIMIT_MS ? { handshakeTimeout: `a ${seconds(input.handshakeTimeoutMs)} handshake timeout; --handshake-timeout MS if the gateway's differs` } : {}),
    slow: "long waits of its own",
  };
  // How to get the test-clock scenarios run, once (the capability's reason), not per skipped scenario.
  const testModeNote = (method: string) => (method === "test.clock.advance" ? ` (${testModeHint({ testMode: input.testMode ?? SDK_OPTION_WORDS.testMode })})` : "");
  /** Tried by the probe: works (listed or not), missing (listed or not), or as listed when it could not tell. */
  const offers = (method: "system-event" | "test.clock.advance"): string | undefined => {
    const state = input.methods?.[method];
    if (state === "works") return undefined;
    if (state === "missing") return `${method} answers METHOD_NOT_FOUND${methods.includes(method) ? " (although hello-ok lists it)" : ""}${testModeNote(method)}`;
    return methods.includes(method) ? undefined : `hello-ok.features.methods has no ${method}${testModeNote(method)}`;
  };
  const why: Record<Capability, string | undefined> = {
    testClock: offers("test.clock.advance"),
    token: input.token !== undefined ? undefined : `no token given (${input.giveToken ?? SDK_OPTION_WORDS.giveToken})`,
    nodeRole: undefined,
    scopes: undefined,
    systemEvent: offers("system-event"),
    presenceEvents: events.includes("presence") ? undefined : "hello-ok.features.events has no presence",
    presenceDelta: caps.includes("presence.delta") ? undefined : "hello-ok.features.caps has no presence.delta (the delta stream is not offered)",
    tick: !events.includes("tick")
      ? "hello-ok.features.events has no tick"
      : typeof tick !== "number"
        ? `policy.tickIntervalMs is ${JSON.stringify(tick) ?? "absent"}, not a number of ms`
        : longWaits.tick && !input.slow
          ? `policy.tickIntervalMs is ${tick} (> ${FAST_WAIT_LIMIT_MS} ms)`
          : undefined,
    jsonrpc: input.bindingName === "jsonrpc" ? undefined : `binding is ${input.bindingName}, not jsonrpc`,
    loopback: (input.urls ?? [input.url]).every(isLoopbackUrl) ? undefined : "the gateway is not reached over loopback",
    handshakeTimeout:
      longWaits.handshakeTimeout && !input.slow
        ? // The run's value (SPEC's 10 s unless given), not one the gateway told: none says it.
          `the handshake timeout is taken to be ${input.handshakeTimeoutMs} ms (> ${FAST_WAIT_LIMIT_MS} ms)`
        : undefined,
    slow: input.slow ? undefined : "not a slow run",
    realTime: input.realTime ? undefined : "not a real-time run (--real-time)",
    cluster:
      (input.urls?.length ?? 1) >= 2 ? undefined : "one gateway: the cross-gateway scenarios need two gateways of one cluster (--url A --url B)",
  };
  const available = new Set<Capability>();
  const missing: Partial<Record<Capability, string>> = {};
  const onlyWithSlow: Partial<Record<Capability, string>> = {};
  for (const cap of ALL_CAPABILITIES) {
    const override = input.overrides?.[cap];
    const reason = override === false ? "turned off by the run options" : override === true ? undefined : why[cap];
    if (reason === undefined) available.add(cap);
    else missing[cap] = reason;
    if (reason !== undefined && override === undefined && !input.slow && longWaits[cap]) onlyWithSlow[cap] = longWaits[cap];
  }
  return { available, missing, onlyWithSlow };
}

/**
 * The scenarios a run skips for long waits that `--slow` would allow: each with those waits in words,
 * and anything else it lacks (a scenario that also needs a token is not run by `--slow` alone).
 */
export function slowSkips(scenarios: readonly Scenario[], capabilities: Capabilities): SlowSkip[] {
  return scenarios.flatMap((s) => {
    const lacking = (s.requires ?? []).filter((c) => !capabilities.available.has(c));
    const waits = lacking.flatMap((c) => capabilities.onlyWithSlow[c] ?? []);
    const also = lacking.filter((c) => capabilities.onlyWithSlow[c] === undefined);
    return waits.length ? [{ id: s.id, waits, ...(also.length ? { alsoNeeds: also } : {}) }] : [];
  });
}
