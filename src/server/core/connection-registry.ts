/** Open connections of this gateway, and the presence keys they hold (for keep-alive, SPEC P7). */
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

  /** Forgets `conn` (the store counts connections per key for SPEC P6: closeConnection). */
  remove(conn: Connection): void {
    this.all.delete(conn);
    const key = conn.key;
    if (key === undefined) return;
    const holders = this.byKey.get(key);
    holders?.delete(conn);
    if (holders?.size === 0) this.byKey.delete(key);
  }

  /** Keys of rows that have at least one open connection. */
  openKeys(): string[] {
    return [...this.byKey.keys()];
  }
}
