/** Where this package keeps its files in Node (instanceIds, device identities), and reading them. Node only. */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

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
