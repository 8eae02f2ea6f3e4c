/** The gateway's own row (SPEC P1), seeded before any client connects. */
import { readFileSync } from "node:fs";
import { hostname, networkInterfaces, release } from "node:os";
import type { PresenceFields } from "../../presence/types.js";

/**
 * The package version, from the nearest package.json of this package above this module: found the
 * same way from src/, dist/ and a bundle (the bench's), whatever the folder depth.
 */
export const GATEWAY_VERSION: string = packageVersion();

function packageVersion(): string {
  let dir = new URL(".", import.meta.url);
  for (let depth = 0; depth < 8; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "gateway-presence" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // none here: one level up
    }
    dir = new URL("..", dir);
  }
  throw new Error("gateway-presence: cannot find its package.json above " + import.meta.url);
}

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
