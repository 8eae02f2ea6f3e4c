// Node-only helpers: `import { ... } from "gateway-presence/node"`. Everything else is in the main entry.
export { configDir } from "../transport/config-files-node.js";
export { fileInstanceIdStore, loadNodeInstanceId, type FileInstanceIdStore, type FileStoreOptions } from "./identity-node.js";
export { createNodeOpenClawBinding, type NodeOpenClawBindingOptions } from "../transport/openclaw-node.js";
export * from "../transport/device-identity-node.js";
