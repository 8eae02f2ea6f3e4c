export * from "./connect.js";
export * from "./presence.js";
export * from "./hello.js";
export * from "./events.js";
export * from "./delta.js";
export * from "./test-clock.js";
export * from "./errors.js";
export * from "./methods.js";
