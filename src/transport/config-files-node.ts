/** Where this package keeps its files in Node (instanceIds, device identities), and reading them. Node only. */
import { mkdir, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** `$XDG_CONFIG_HOME` (or `%APPDATA%` on Windows, or `~/.config`) + `/gateway-presence`. */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  if (xdg) return join(xdg, "gateway-presence");
  if (platform === "win32" && env.APPDATA) return join(env.APPDATA, "gateway-presence");
  return join(homedir(), ".config", "gateway-presence");
}

/** The file's text, or undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Creates `folder` and its missing parents, top down, one mkdir each (`mode` for each it creates); a
 * folder another process made meanwhile is fine. Not `mkdir(folder, { recursive: true })`: Node 20's
 * loops forever at full CPU when a parent exists but refuses the child with ENOENT (under /proc: a
 * store's save never settled); one by one, that ENOENT is the error it is.
 */
export async function makeFolders(folder: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  for (let path = resolve(folder); !(await stat(path).then(() => true, () => false)); path = dirname(path)) {
    missing.unshift(path);
    if (dirname(path) === path) break;
  }
  for (const path of missing) {
    await mkdir(path, { mode }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
}
