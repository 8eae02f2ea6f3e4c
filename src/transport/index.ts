export type { BindingName, ClientBinding, HandshakeContext } from "./binding.js";
export { FrameDecodeError, type InboundFrame, type RequestId, type WireError } from "./frames.js";
export { jsonRpcBinding, jsonRpcErrorName } from "./jsonrpc.js";
