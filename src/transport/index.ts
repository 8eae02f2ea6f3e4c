export type {
  BindingName,
  CheckSocket,
  ClientBinding,
  HandshakeContext,
  SocketCloseEvent,
  SocketErrorEvent,
  SocketHandler,
  SocketMessageEvent,
} from "./binding.js";
export { FrameDecodeError, type InboundFrame, type RequestId, type WireError } from "./frames.js";
export { jsonRpcBinding, jsonRpcErrorName } from "./jsonrpc.js";
export { assertRoundTripId, isRoundTripId, requestIdProblem } from "./request-id.js";
export {
  createOpenClawBinding,
  decodeOpenClawFrame,
  DEFAULT_OPERATOR_SCOPES,
  encodeOpenClawRequest,
  OPENCLAW_PROTOCOL,
  openClawBinding,
  type OpenClawBindingOptions,
} from "./openclaw.js";
export { mapOpenClawError, openClawErrorName, parseOpenClawValidationMessage, type OpenClawError } from "./openclaw-errors.js";
export {
  CLIENT_ID_FOR_MODE,
  mapClientForOpenClaw,
  OPENCLAW_CLIENT_IDS,
  OPENCLAW_CLIENT_MODES,
  needsOrigin,
  ORIGIN_REQUIRED_IDS,
  ORIGIN_REQUIRED_MODES,
  originForUrl,
  type ClientMapping,
} from "./openclaw-client-ids.js";
export {
  base64UrlDecode,
  base64UrlEncode,
  buildDeviceAuthPayload,
  checkStoredDeviceIdentity,
  deviceIdFromPublicKey,
  loadOrCreateDeviceIdentity,
  memoryDeviceIdentityStore,
  normalizeDeviceMetadata,
  signDeviceAuth,
  type DeviceAuthBlock,
  type DeviceAuthFields,
  type DeviceAuthVersion,
  type DeviceIdentity,
  type DeviceIdentityStore,
  type StoredDeviceIdentity,
} from "./device-identity.js";
export {
  DEFAULT_DEVICE_IDENTITY_KEY,
  generateWebDeviceIdentity,
  loadOrCreateWebDeviceIdentity,
  localStorageDeviceIdentityStore,
  webDeviceIdentity,
  type KeyValueStorage,
} from "./device-identity-web.js";
