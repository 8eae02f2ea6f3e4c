/**
 * npm's `prepare`: builds dist/ (`npm run build`) unless the last build was made from the sources as
 * they are now. `npm ci` runs prepare, and so does every `npx gateway-presence` in a clone: npx links
 * the clone into its cache as a package and prepares it, which rebuilt dist/ each time (8 to 20 s
 * before the command started, and dist/ rewritten under anything running from it).
 *
 * The build writes STAMP last (package.json "build") and removes it first, so an interrupted build
 * counts as stale. The sources are the files the build reads: a file or folder modified after the
 * stamp (a folder's time moves when a file is added or removed) makes the build stale.
 * `tsx scripts/setup/prepare.ts`; `npm run build` always builds.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Written by `npm run build` when it finished, relative to the package root. */
export const STAMP = "dist/.built";

/** What the build reads, relative to the package root. */
export const BUILD_INPUTS = ["src", "scripts/web", "scripts/browser-bundle.ts", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"];

/** The latest modification time (ms) of `path` and, for a folder, of everything in it. */
function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, name)));
  return newest;
}

/** Whether `root`'s dist/ needs building: no finished build, or a build input changed since it. */
export function buildIsStale(root: string, inputs: readonly string[] = BUILD_INPUTS): boolean {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => existsSync(join(root, input)) && newestChange(join(root, input)) > built);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // Silent when there is nothing to do: npx prints a command's output, and this would come first.
  if (buildIsStale(process.cwd())) {
    const build = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
    process.exitCode = build.status ?? 1;
  }
}
