// `gateway-presence doctor` as a library: read a gateway, analyse what was read, render the report.
export { analyze, LIST_CHECKS, resolveDoctorOptions } from "./analyze.js";
export { clockSamples, estimateOffset, type ClockSample } from "./clock.js";
export { DoctorReadError, displayUrl, readGateway, type ReadOptions } from "./read.js";
export { renderReport, type RenderOptions } from "./render.js";
export * from "./types.js";
