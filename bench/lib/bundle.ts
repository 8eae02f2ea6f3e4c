/**
 * Bundles the bench's child processes with esbuild into .tmp/bench (git-ignored), so the gateway and the
 * echo server both run as plain `node` on JavaScript (as `npm start` runs the built gateway), with
 * the same runtime overhead, and no TypeScript loader in their memory or CPU figures.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const here = fileURLToPath(new URL(".", import.meta.url));
// Git-ignored, inside the repository: the gateway finds its package.json by walking up.
export const BUNDLE_DIR = fileURLToPath(new URL("../../.tmp/bench/", import.meta.url));

/** Builds server-child and load-child; returns their paths. */
export async function bundleChildren(): Promise<{ server: string; load: string }> {
  await build({
    entryPoints: { "server-child": join(here, "server-child.ts"), "load-child": join(here, "load-child.ts") },
    outdir: BUNDLE_DIR,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  return { server: join(BUNDLE_DIR, "server-child.mjs"), load: join(BUNDLE_DIR, "load-child.mjs") };
}
