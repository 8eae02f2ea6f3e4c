/**
 * The method and event table of the contract, as data. `npm run gen` turns it (with the schemas)
 * into schemas/openrpc.json and the typed maps in src/generated/.
 */
import type { ErrorName } from "./errors.js";

export interface MethodSpec {
  /** Wire name. */
  name: string;
  /** camelCase name on the typed client surface. */
  clientName: string;
  summary: string;
  /** SPEC rule ids the method implements. */
  rules: string[];
  /** Schema (declaration) name of the params; params are optional when `paramsOptional`. */
  params: string;
  paramsOptional?: boolean;
  result: string;
  errors: ErrorName[];
  /** Only present on a gateway started in test mode (SPEC S3). */
  testOnly?: boolean;
}

export interface EventSpec {
  name: string;
  summary: string;
  rules: string[];
  payload: string;
}

const COMMON_ERRORS: ErrorName[] = ["INVALID_REQUEST", "INVALID_PARAMS", "PAYLOAD_TOO_LARGE", "INTERNAL_ERROR"];

export const METHODS: MethodSpec[] = [
  {
    name: "connect",
    clientName: "connect",
    summary: "Handshake: negotiates the protocol, authenticates, records the client's presence row.",
    rules: ["H1", "H2", "H3", "H4", "H5", "H6", "P2", "P3", "P4", "P5"],
    params: "ConnectParams",
    result: "HelloOk",
    errors: ["PROTOCOL_MISMATCH", "UNAUTHORIZED", "ALREADY_CONNECTED", ...COMMON_ERRORS],
  },
  {
    name: "system-event",
    clientName: "systemEvent",
    summary: "A presence beacon: merges its fields into a row (SPEC K2, K3).",
    rules: ["M2", "K2", "K3", "B2", "B3"],
    params: "SystemEventParams",
    result: "SystemEventResult",
    errors: ["NOT_CONNECTED", "FORBIDDEN", "RATE_LIMITED", ...COMMON_ERRORS],
  },
  {
    name: "system-presence",
    clientName: "systemPresence",
    summary: "The presence list, newest ts first, self included.",
    rules: ["M1"],
    params: "SystemPresenceParams",
    paramsOptional: true,
    result: "SystemPresenceResult",
    errors: ["NOT_CONNECTED", "FORBIDDEN", ...COMMON_ERRORS],
  },
  {
    name: "presence.resync",
    clientName: "presenceResync",
    summary:
      "Sends the whole list again, now, in this connection's push format: a presence.delta reset (with the presence.delta cap) or a presence event; deltas then continue from its version.",
    rules: ["D7"],
    params: "PresenceResyncParams",
    paramsOptional: true,
    result: "PresenceResyncResult",
    errors: ["NOT_CONNECTED", "FORBIDDEN", ...COMMON_ERRORS],
  },
  {
    name: "test.clock.advance",
    clientName: "testClockAdvance",
    summary: "Test mode only: moves the gateway clock forward; expiry runs as if that time had passed.",
    rules: ["S3"],
    params: "TestClockAdvanceParams",
    result: "TestClockAdvanceResult",
    errors: ["NOT_CONNECTED", ...COMMON_ERRORS],
    testOnly: true,
  },
];

export const EVENTS: EventSpec[] = [
  {
    name: "presence",
    summary: "Pushed on every change of the list to connections allowed to read presence.",
    rules: ["E1", "E2"],
    payload: "PresenceEvent",
  },
  {
    name: "presence.delta",
    summary: "Instead of presence, to connections that asked for the presence.delta cap: the rows changed and removed since baseVersion.",
    rules: ["E1", "E2", "D3", "D4", "D5", "D6"],
    payload: "PresenceDeltaEvent",
  },
  { name: "tick", summary: "Sent every tickIntervalMs.", rules: ["E3"], payload: "TickEvent" },
];

/** The declarations that become `schemas/<Name>.schema.json`. */
export const SCHEMA_TYPES = [
  "ClientInfo",
  "ConnectParams",
  "HelloOk",
  "PresenceEntry",
  "SystemEventParams",
  "SystemEventResult",
  "SystemPresenceParams",
  "SystemPresenceResult",
  "PresenceEvent",
  "PresenceDeltaEvent",
  "KeyedPresenceEntry",
  "PresenceResyncParams",
  "PresenceResyncResult",
  "TickEvent",
  "TestClockAdvanceParams",
  "TestClockAdvanceResult",
  "ErrorData",
] as const;

export type SchemaName = (typeof SCHEMA_TYPES)[number];

/** The protocol version of the `jsonrpc` binding (SPEC H3). */
export const JSONRPC_PROTOCOL_VERSION = 1;
