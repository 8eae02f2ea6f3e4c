/** The gateway's own row (SPEC P1), seeded before any client connects. */
import { readFileSync } from "node:fs";
import { hostname, networkInterfaces, release } from "node:os";
import type { PresenceFields } from "../../presence/types.js";

/** The package version, read from package.json (three levels up from src/server/core and dist/server/core). */
export const GATEWAY_VERSION: string = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** The first non-internal IPv4 address of this machine, if any. */
export function firstExternalIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === "IPv4" && !address.internal) return address.address;
    }
  }
  return undefined;
}

const DEVICE_FAMILIES: Partial<Record<NodeJS.Platform, string>> = {
  darwin: "Mac",
  linux: "Linux",
  win32: "Windows",
  freebsd: "FreeBSD",
  openbsd: "OpenBSD",
};

export function selfFields(): PresenceFields {
  const host = hostname().trim() || "gateway";
  const ip = firstExternalIPv4();
  return {
    host,
    ...(ip ? { ip } : {}),
    version: GATEWAY_VERSION,
    platform: `${process.platform} ${release()}`.trim(),
    deviceFamily: DEVICE_FAMILIES[process.platform] ?? process.platform,
    mode: "gateway",
    reason: "self",
  };
}
