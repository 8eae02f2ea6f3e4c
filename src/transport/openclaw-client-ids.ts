/**
 * OpenClaw checks `client.id` and `client.mode` against fixed enums (the contract accepts any
 * string). The `openclaw` binding maps an actor's client onto valid values and says what it did.
 */
import type { ClientInfo } from "../protocol/connect.js";

/** Client ids of 2026.1.30 and 2026.9.6 (the latter adds the ones marked 9.x). */
export const OPENCLAW_CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-ios",
  "openclaw-android",
  "node-host",
  "test",
  "fingerprint",
  "openclaw-probe",
  "openclaw-browser-copilot", // 9.x
  "openclaw-tui", // 9.x
  "openclaw-linux", // 9.x
  "openclaw-watchos", // 9.x
  "openclaw-worker", // 9.x
] as const;

/** Modes both releases accept (2026.9.x adds `worker`). */
export const OPENCLAW_CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "probe", "test"] as const;

/** The client id used for each mode when the actor's own id is not one of OpenClaw's. */
export const CLIENT_ID_FOR_MODE: Readonly<Record<(typeof OPENCLAW_CLIENT_MODES)[number], string>> = {
  webchat: "webchat-ui",
  cli: "cli",
  ui: "openclaw-macos",
  backend: "gateway-client",
  node: "node-host",
  probe: "openclaw-probe",
  test: "test",
};

/** Modes and client ids OpenClaw treats as browsers: their connections must send an `Origin` header. */
export const ORIGIN_REQUIRED_MODES: readonly string[] = ["webchat"];
export const ORIGIN_REQUIRED_IDS: readonly string[] = ["webchat-ui", "openclaw-control-ui"];

export function needsOrigin(client: Pick<ClientInfo, "id" | "mode">): boolean {
  return ORIGIN_REQUIRED_MODES.includes(client.mode.trim().toLowerCase()) || ORIGIN_REQUIRED_IDS.includes(client.id.trim().toLowerCase());
}

export interface ClientMapping {
  /** The client as sent on the wire. */
  client: ClientInfo;
  /** What changed, e.g. `client.id "actor-a" -> "test"`; empty when nothing did. */
  changes: string[];
}

const IDS = new Set<string>(OPENCLAW_CLIENT_IDS);
const MODES = new Set<string>(OPENCLAW_CLIENT_MODES);

/**
 * Maps an actor's client id onto OpenClaw's enum: an id that is not one of OpenClaw's becomes the id
 * for its mode (`gateway-client` for a mode OpenClaw does not know). The actor's own id is kept as
 * `displayName` (when it has none) so its row keeps the `host` the contract expects (SPEC P2:
 * host = displayName, else id). Modes and blank ids are sent as they are: OpenClaw rejecting them is
 * a finding (SPEC H2 accepts other modes and refuses blank strings), not something to paper over.
 */
export function mapClientForOpenClaw(client: ClientInfo): ClientMapping {
  const changes: string[] = [];
  const id = client.id.trim().toLowerCase();
  if (id === "" || IDS.has(id)) return { client: { ...client }, changes };
  const mode = client.mode.trim().toLowerCase();
  const wireId = MODES.has(mode) ? CLIENT_ID_FOR_MODE[mode as keyof typeof CLIENT_ID_FOR_MODE] : "gateway-client";
  changes.push(`client.id ${JSON.stringify(client.id)} -> ${JSON.stringify(wireId)}`);
  const mapped: ClientInfo = { ...client, id: wireId };
  if (client.displayName === undefined) {
    mapped.displayName = client.id;
    changes.push(`client.displayName set to ${JSON.stringify(client.id)} (keeps the row's host)`);
  }
  return { client: mapped, changes };
}

/** `ws://host:port/...` -> `http://host:port` (the Origin a browser page served by the gateway sends). */
export function originForUrl(url: string): string {
  const u = new URL(url);
  const scheme = u.protocol === "wss:" ? "https:" : "http:";
  return `${scheme}//${u.host}`;
}
