/**
 * Keys whose `ip` a beacon reported, for the in-memory store (SPEC P5, K3): a connection's own
 * address fills `ip` only where neither the connect's fields nor an earlier beacon gave one, so it
 * never overwrites a reported ip. A key is forgotten with its row.
 */
import type { PresenceFields } from "./types.js";

export class ReportedIps {
  readonly #keys: Set<string>;

  constructor(seed: Iterable<string> = []) {
    this.#keys = new Set(seed);
  }

  /**
   * What a connection opening on `key` writes: `fields` as they are, or with the connection's
   * address as `ip` (`fromConnection`: that ip is not a reported one).
   */
  connectionFields(key: string, fields: PresenceFields, connectionIp: string | undefined): { fields: PresenceFields; fromConnection: boolean } {
    if (connectionIp === undefined || fields.ip !== undefined || this.#keys.has(key)) return { fields, fromConnection: false };
    return { fields: { ...fields, ip: connectionIp }, fromConnection: true };
  }

  /** `fields` were stored on `key`: an ip among them is a reported one unless it is the connection's. */
  stored(key: string, fields: PresenceFields, fromConnection: boolean): void {
    if (fields.ip !== undefined && !fromConnection) this.#keys.add(key);
  }

  /** The row of `key` went (expired or evicted). */
  forget(key: string): void {
    this.#keys.delete(key);
  }
}
