/** Open connections, and which of them share a presence key (SPEC P6). */
import type { Connection } from "./connection.js";

export class ConnectionRegistry {
  readonly all = new Set<Connection>();
  private readonly byKey = new Map<string, Set<Connection>>();

  add(conn: Connection): void {
    this.all.add(conn);
  }

  /** Records that `conn` holds the row `key`. */
  track(conn: Connection, key: string): void {
    conn.key = key;
    let holders = this.byKey.get(key);
    if (!holders) this.byKey.set(key, (holders = new Set()));
    holders.add(conn);
  }

  /** Forgets `conn`; returns its key when it was the last open connection with that key. */
  remove(conn: Connection): string | undefined {
    this.all.delete(conn);
    const key = conn.key;
    if (key === undefined) return undefined;
    const holders = this.byKey.get(key);
    if (!holders) return undefined;
    holders.delete(conn);
    if (holders.size > 0) return undefined;
    this.byKey.delete(key);
    return key;
  }

  /** Keys of rows that have at least one open connection. */
  openKeys(): string[] {
    return [...this.byKey.keys()];
  }
}

/**
 * Keys whose `ip` came from a beacon (SPEC P5, K3): a connection-derived address never overwrites it.
 * Forgotten when the row expires or is evicted, so the set stays within the store's size.
 */
export class ReportedIps {
  private readonly keys = new Set<string>();

  mark(key: string): void {
    this.keys.add(key);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  forget(key: string): void {
    this.keys.delete(key);
  }
}
