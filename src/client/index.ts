// The client SDK (browser-safe: no Node built-ins). Re-exported by the package entry, src/index.ts.
export { createPresenceClient } from "./client.js";
export type { ClientEvents, ConnectionState, ConnectOptions, PresenceClient, StateChange } from "./types.js";
export type { PresenceClientOptions, ReconnectOptions } from "./options.js";
export {
  GatewayError,
  TransportError,
  FATAL_CONNECT_ERRORS,
  isFatalConnectError,
  certificateProblem,
  tlsProblem,
  TLS_PROBLEM_HINTS,
  REFUSALS_FOR_A_PERSON,
  REFUSED_FOR_NOW,
  type CertificateProblem,
  type TlsProblem,
  type TransportErrorKind,
} from "./errors.js";
export { PresenceMirror, type MirrorChange, type MirrorGap, type MirrorEvents, type MirrorSource } from "./mirror.js";
export { backoffDelay, resolveBackoff, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
export { startBeacons, type BeaconHandle, type BeaconOptions } from "./beacons.js";
export { GatewayClock, GATEWAY_CLOCK_WINDOW_MS } from "./clock/gateway-clock.js";
export { presenceStatus, presenceAge, ACTIVE_MS, IDLE_MS, type PresenceStatus } from "./status.js";
export {
  loadInstanceId,
  memoryInstanceIdStore,
  localStorageInstanceIdStore,
  isUsableInstanceId,
  type InstanceIdStore,
  type StorageLike,
} from "./identity.js";
export { DEFAULT_GATEWAY_URL, randomInstanceId } from "./options.js";
export { registerBinding, resolveBinding } from "./bindings.js";
export type { WebSocketConstructor, WebSocketLike } from "./connection.js";
