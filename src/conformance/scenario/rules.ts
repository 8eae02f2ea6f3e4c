/** The rules of SPEC.md, in its order, with their level and a short name for reports. */

/** SPEC.md rule ids. */
export type RuleId =
  | "T1" | "T2" | "T3"
  | "H1" | "H2" | "H3" | "H4" | "H5" | "H6" | "H7"
  | "K1" | "K2" | "K3" | "K4"
  | "P1" | "P2" | "P3" | "P4" | "P5" | "P6" | "P7"
  | "S1" | "S2" | "S3"
  | "M1" | "M2"
  | "E1" | "E2" | "E3"
  | "C1"
  | "B1" | "B2" | "B3"
  | "D1" | "D2" | "D3" | "D4" | "D5" | "D6" | "D7"
  | "W1" | "W2";

/** How binding a rule is (SPEC.md uses RFC 2119 words). */
export type Level = "MUST" | "SHOULD";

export interface RuleInfo {
  id: RuleId;
  /**
   * `consumer`: a rule for clients, not gateways (C1: the status indicator; D6: a client never
   * applies a delta across a gap). The harness checks gateways only, so no built-in scenario cites
   * one and the reports never say a gateway passed it; the client SDK's tests check them.
   */
  level: Level | "consumer";
  name: string;
}

export const RULES: readonly RuleInfo[] = [
  { id: "T1", level: "MUST", name: "WebSocket, UTF-8 JSON text frames" },
  { id: "T2", level: "MUST", name: "jsonrpc and openclaw bindings" },
  { id: "T3", level: "SHOULD", name: "JSON-RPC batches after connect" },
  { id: "H1", level: "MUST", name: "connect first; handshake timeout" },
  { id: "H2", level: "MUST", name: "connect params" },
  { id: "H3", level: "MUST", name: "protocol negotiation" },
  { id: "H4", level: "MUST", name: "hello-ok" },
  { id: "H5", level: "MUST", name: "token auth" },
  { id: "H6", level: "MUST", name: "second connect rejected" },
  { id: "H7", level: "SHOULD", name: "scopes and roles" },
  { id: "K1", level: "MUST", name: "presence key (case-insensitive instanceId, else connection)" },
  { id: "K2", level: "MUST", name: "beacons update the right row" },
  { id: "K3", level: "MUST", name: "field-by-field merge" },
  { id: "K4", level: "MUST", name: "latest writer's letter case" },
  { id: "P1", level: "MUST", name: "self row" },
  { id: "P2", level: "MUST", name: "connect upserts the row" },
  { id: "P3", level: "MUST", name: "cli never recorded" },
  { id: "P4", level: "MUST", name: "node role" },
  { id: "P5", level: "MUST", name: "loopback ip ignored; reported ip wins" },
  { id: "P6", level: "MUST", name: "disconnect keeps the row" },
  { id: "P7", level: "SHOULD", name: "keep-alive refreshes ts" },
  { id: "S1", level: "MUST", name: "TTL 5 minutes" },
  { id: "S2", level: "MUST", name: "at most 200 rows" },
  { id: "S3", level: "MUST", name: "configurable; test clock" },
  { id: "M1", level: "MUST", name: "system-presence" },
  { id: "M2", level: "MUST", name: "system-event" },
  { id: "E1", level: "MUST", name: "presence events, growing stateVersion" },
  { id: "E2", level: "SHOULD", name: "coalesced pushes; slow consumers" },
  { id: "E3", level: "SHOULD", name: "tick event" },
  { id: "C1", level: "consumer", name: "status indicator (consumers)" },
  { id: "B1", level: "MUST", name: "bad input gets clear errors" },
  { id: "B2", level: "MUST", name: "bounded list; rate limiting" },
  { id: "B3", level: "MUST", name: "length caps; maxPayload" },
  // The opt-in delta stream (docs/delta.md): binding on gateways that grant `presence.delta`.
  { id: "D1", level: "MUST", name: "presence.delta is opt-in (caps)" },
  { id: "D2", level: "MUST", name: "keyed hello-ok snapshot" },
  { id: "D3", level: "MUST", name: "presence.delta events with versions" },
  { id: "D4", level: "MUST", name: "changed and removed rows" },
  { id: "D5", level: "MUST", name: "applying a delta; reset" },
  { id: "D6", level: "consumer", name: "a gap is never applied (clients)" },
  { id: "D7", level: "MUST", name: "presence.resync" },
  { id: "W1", level: "MUST", name: "frames validate against their schemas" },
  { id: "W2", level: "SHOULD", name: "no fields beyond the contract" },
];

export const RULE_ORDER = new Map(RULES.map((r, i) => [r.id, i]));
