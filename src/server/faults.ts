/**
 * Deliberate protocol faults, for TESTS ONLY: the conformance harness proves it catches real
 * deviations by running against a reference gateway with one of these switched on.
 * NEVER use them in production: every flag makes the gateway break a MUST rule of the contract.
 * Each flag is a small branch at the one place it matters.
 */
export interface GatewayFaults {
  /** K1: instanceIds are compared case-sensitively (`ABC` and `abc` become two rows). */
  caseSensitiveKeys?: boolean;
  /** P3: ephemeral (`cli`) connections are recorded and announced like any other. */
  listCli?: boolean;
  /** P5: a loopback remote address is recorded as `ip`, overwriting a beacon-reported one. */
  loopbackWipesIp?: boolean;
  /** S2: the list may hold `maxEntries + 1` rows. */
  overCap?: boolean;
  /** P1/S2: when the list is over the cap, the self row is the one dropped. */
  evictSelf?: boolean;
  /** E1: no `presence` events are pushed. */
  noPresenceEvents?: boolean;
  /** §10: errors carry the wrong code (INVALID_PARAMS is answered as INTERNAL_ERROR). */
  wrongErrorCodes?: boolean;
  /** K1: rows are kept per connection: a client that reconnects with the same instanceId gets a second row. */
  perConnectionRows?: boolean;
  /** K2: a beacon without instanceId writes a row keyed by its text (as OpenClaw does), not the sender's row. */
  beaconRowsByText?: boolean;
  /** P1: listings (and hello-ok) leave the self row out. */
  noSelfRow?: boolean;
  /** P1: the self row is listed with the `ts` of its first listing instead of a fresh one. */
  staleSelfRow?: boolean;
  /** S1: rows never expire. */
  noExpiry?: boolean;
  /** K3: rows a `periodic` beacon wrote last are listed with a `ts` 10 minutes ahead of the gateway's clock. */
  futureTs?: boolean;
  /** §11 W2: every row carries fields beyond the contract (OpenClaw 2026.9.x's `clientId`, `onlineSince`, ...). */
  extraRowFields?: boolean;
  /**
   * For the first STARTING_FAULT_MS after start-up, `connect` is answered INTERNAL_ERROR "gateway starting;
   * retry shortly" with `data.retryAfterMs`, then close 1013 (as OpenClaw's UNAVAILABLE while it starts).
   * The first `connect` always is, however late it comes: the gateway starts once both are past.
   */
  startsSlowly?: boolean;
  /** S3: `test.clock.advance` works but hello-ok.features.methods does not list it. */
  hiddenTestClock?: boolean;
  /** M2: a `system-event` without a non-empty `text` is refused with INVALID_PARAMS (as OpenClaw's "text required"). */
  beaconTextRequired?: boolean;
  /** D4 (docs/delta.md): a row that became `reason: "disconnect"` is sent in `removed`, not in `changed`. */
  deltaDisconnectRemoves?: boolean;
  /** D3 (docs/delta.md): every `presence.delta` names the version before the one the connection holds as its baseVersion. */
  deltaStaleBase?: boolean;
  /** §3: every listed row's `ts` is in seconds since the epoch, not ms. */
  tsSeconds?: boolean;
  /** P6: rows of closed connections (`reason: "disconnect"`) are left out of every listing, as if removed on disconnect. */
  disconnectRemovesRow?: boolean;
  /**
   * P6: the row is DELETED when the last connection with its key closes, as a gateway that keeps no
   * disconnect rows does: it is gone from every listing and push, and a reconnect (or a beacon) of its
   * instanceId makes a new row, without the fields the old one had (a beacon's `ip`, P5; its
   * `displayName`, K3). Unlike `disconnectRemovesRow`, which only hides the row and keeps its fields.
   */
  disconnectDeletesRow?: boolean;
  /** B1/§10: `data.errors` paths of INVALID_PARAMS start at the request (`/params/x`), not inside params (`/x`). */
  errorPathsFromRequest?: boolean;
  /** E1/H4: each accepted connection is sent a `tick` event just before its hello-ok. */
  pushBeforeHelloOk?: boolean;
}

/** How long a `startsSlowly` gateway says it is starting. */
export const STARTING_FAULT_MS = 3000;

/** The `extraRowFields` fault: the fields OpenClaw 2026.9.x adds to every row, on a copy. */
export function withExtraRowFields<T extends { ts: number }>(row: T): T {
  return { ...row, clientId: "extra-client-id", onlineSince: row.ts, user: { id: "gateway-owner" } };
}

export type GatewayFaultName = keyof GatewayFaults;

export const FAULT_NAMES: readonly GatewayFaultName[] = [
  "caseSensitiveKeys",
  "listCli",
  "loopbackWipesIp",
  "overCap",
  "evictSelf",
  "noPresenceEvents",
  "wrongErrorCodes",
  "perConnectionRows",
  "beaconRowsByText",
  "noSelfRow",
  "staleSelfRow",
  "noExpiry",
  "futureTs",
  "extraRowFields",
  "startsSlowly",
  "hiddenTestClock",
  "beaconTextRequired",
  "deltaDisconnectRemoves",
  "deltaStaleBase",
  "tsSeconds",
  "disconnectRemovesRow",
  "disconnectDeletesRow",
  "errorPathsFromRequest",
  "pushBeforeHelloOk",
];

/** The `tsSeconds` fault: the row with its `ts` in seconds. */
export function inSeconds<T extends { ts: number }>(row: T): T {
  return { ...row, ts: Math.floor(row.ts / 1000) };
}

/** How far ahead the `futureTs` fault lists rows. */
export const FUTURE_TS_MS = 600_000;

/** The faults that are switched on, for a warning line at start-up. */
export function activeFaults(faults: GatewayFaults | undefined): GatewayFaultName[] {
  if (!faults) return [];
  return FAULT_NAMES.filter((name) => faults[name] === true);
}

/**
 * The `disconnectDeletesRow` fault's bookkeeping. The store has no delete (SPEC keeps a closed
 * connection's row, P6), so a deleted row is retired instead: left out of every listing (and so of
 * every push), while the later writes of its presence key go to a fresh store key (`<key>#deleted-<n>`)
 * whose row starts empty and is listed under the presence key. Keys are normalised store keys
 * (trimmed, lower-cased, as PresenceChange.key).
 */
export class DeletedOnDisconnect {
  /** Store keys whose rows were deleted. */
  readonly #retired = new Set<string>();
  /** Presence key -> how many times its row was deleted. */
  readonly #deletions = new Map<string, number>();
  /** Fresh store key -> the presence key it stands for. */
  readonly #presenceKey = new Map<string, string>();

  /** The row of store key `storeKey` became `reason: "disconnect"`: it is deleted. */
  deleted(storeKey: string): void {
    const key = this.#presenceKey.get(storeKey) ?? storeKey;
    this.#retired.add(storeKey);
    const n = (this.#deletions.get(key) ?? 0) + 1;
    this.#deletions.set(key, n);
    this.#presenceKey.set(`${key}#deleted-${n}`, key);
  }

  /** The store key that writes of presence key `key` go to now. */
  storeKey(key: string): string {
    const n = this.#deletions.get(key.trim().toLowerCase());
    return n === undefined ? key : `${key}#deleted-${n}`;
  }

  /** `rows` as the deleting gateway lists them: deleted rows left out, fresh ones under their presence key. */
  listing<R extends { key: string }>(rows: R[]): R[] {
    if (this.#retired.size === 0) return rows;
    return rows.filter((row) => !this.#retired.has(row.key)).map((row) => {
      const key = this.#presenceKey.get(row.key);
      return key === undefined ? row : { ...row, key };
    });
  }
}
