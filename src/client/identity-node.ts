/**
 * Node only: the instanceId kept in a file under the user's config directory
 * (`$XDG_CONFIG_HOME/gateway-presence/<name>.instance-id`, else `~/.config/...`, `%APPDATA%` on Windows).
 * Browsers use localStorageInstanceIdStore from the main entry instead.
 */
import { randomBytes } from "node:crypto";
import { link, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { configDir, makeFolders, readTextIfExists } from "../transport/config-files-node.js";
import { isUsableInstanceId, loadInstanceId, type InstanceIdStore } from "./identity.js";

export interface FileStoreOptions {
  /** One id per application name: two apps on one machine are two instances. Default "default". */
  name?: string;
  /** Directory; default configDir(). */
  dir?: string;
  /** Full file path; overrides name and dir. */
  path?: string;
}

export interface FileInstanceIdStore extends InstanceIdStore {
  readonly path: string;
}

export function fileInstanceIdStore(options: FileStoreOptions = {}): FileInstanceIdStore {
  const name = options.name ?? "default";
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
    throw new TypeError(`fileInstanceIdStore: name must be 1-64 of A-Z a-z 0-9 . _ -, got ${JSON.stringify(name)}`);
  }
  const path = options.path ?? join(options.dir ?? configDir(), `${name}.instance-id`);
  const dir = join(path, "..");

  const load = async (): Promise<string | undefined> => (await readTextIfExists(path))?.trim();

  // Saves unless a usable id is already there, so two processes starting at once agree on one id.
  const save = async (instanceId: string): Promise<void> => {
    await makeFolders(dir, 0o700);
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, `${instanceId}\n`, { mode: 0o600 });
    try {
      await link(tmp, path); // atomic, and fails if the file exists
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "EPERM" && code !== "ENOTSUP") throw error;
      // Exists (or no hard links here): keep a usable one, else replace it atomically.
      if (code !== "EEXIST" || !isUsableInstanceId(await load())) return rename(tmp, path);
    }
    await unlink(tmp).catch(() => {});
  };

  return { path, load, save };
}

/** The instanceId of this application on this machine, created on first use. */
export function loadNodeInstanceId(options: FileStoreOptions = {}): Promise<string> {
  return loadInstanceId(fileInstanceIdStore(options));
}
