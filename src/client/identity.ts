/**
 * A stable instanceId: made once, then kept, so a restarted client merges into its old row
 * instead of showing up twice (SPEC K1). Browser and caller-supplied stores live here; the file
 * store for Node is in identity-node.ts (entry `gateway-presence/node`).
 */
import { randomInstanceId } from "./options.js";

/** Where an instanceId is kept. Either method may be sync or async. */
export interface InstanceIdStore {
  load(): string | undefined | null | Promise<string | undefined | null>;
  save(instanceId: string): void | Promise<void>;
}

export const INSTANCE_ID_MAX_LENGTH = 128;

/** A stored value is used when it is a non-empty string of at most 128 characters after trimming. */
export function isUsableInstanceId(value: unknown): value is string {
  return typeof value === "string" && value.trim().length > 0 && value.trim().length <= INSTANCE_ID_MAX_LENGTH;
}

/**
 * The stored instanceId, or a new one that is saved first. A stored value that is not usable is
 * replaced. `create` makes new ids (default: a random UUID).
 */
export async function loadInstanceId(store: InstanceIdStore, create: () => string = randomInstanceId): Promise<string> {
  const stored = await store.load();
  if (isUsableInstanceId(stored)) return stored.trim();
  const fresh = create();
  if (!isUsableInstanceId(fresh)) throw new TypeError(`loadInstanceId: create() returned an unusable id ${JSON.stringify(fresh)}`);
  await store.save(fresh);
  // Another tab or process may have saved first: whatever is stored now wins, so all agree.
  const settled = await store.load();
  return isUsableInstanceId(settled) ? settled.trim() : fresh;
}

/** Keeps the id in memory only (tests, or a caller that persists it elsewhere). */
export function memoryInstanceIdStore(initial?: string): InstanceIdStore {
  let value = initial;
  return {
    load: () => value,
    save: (id) => {
      value = id;
    },
  };
}

/** The subset of the Web Storage API used. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Keeps the id in `localStorage` (or another Web Storage) under `key`. */
export function localStorageInstanceIdStore(
  key = "gateway-presence.instanceId",
  storage: StorageLike | undefined = (globalThis as { localStorage?: StorageLike }).localStorage,
): InstanceIdStore {
  if (!storage) throw new Error("localStorageInstanceIdStore: no localStorage here; pass a storage or use another store");
  return {
    load: () => storage.getItem(key),
    save: (id) => storage.setItem(key, id),
  };
}
