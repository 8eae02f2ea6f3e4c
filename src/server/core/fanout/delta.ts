/**
 * `presence.delta` payloads (docs/delta.md D3-D5), computed by comparing row texts: a row is in
 * `changed` when its text differs from the one the client holds (new rows, writes, keep-alive
 * refreshes, the self row's fresh `ts`), in `removed` when it is gone. Comparing the texts the
 * snapshots already hold costs O(rows) per push, whatever the number of watchers.
 */
import type { GatewayFaults } from "../../faults.js";
import type { Push } from "../binding.js";
import { RawJson } from "./raw-json.js";
import type { Snapshot, SnapshotRow } from "./snapshot.js";

/** What a delta connection holds: the snapshot it was last sent and that snapshot's version. */
export interface DeltaBase {
  readonly snapshot: Snapshot;
  readonly version: number;
}

const keyedJson = (row: SnapshotRow) => `{"key":${JSON.stringify(row.key)},"entry":${row.json}}`;

/** From `base` to `next` (at `version`). `faults`: the delta faults (tests only). */
export function deltaPush(base: DeltaBase, next: Snapshot, version: number, faults: GatewayFaults = {}): Push {
  const before = base.snapshot.byKey();
  const after = next.byKey();
  let rows = next.rows.filter((row) => before.get(row.key) !== row.json);
  const removed = [...before.keys()].filter((key) => !after.has(key));
  if (faults.deltaDisconnectRemoves) {
    const gone = rows.filter((row) => row.entry.reason === "disconnect");
    rows = rows.filter((row) => !gone.includes(row));
    removed.push(...gone.map((row) => row.key));
  }
  const changed = rows.map(keyedJson);
  return {
    event: "presence.delta",
    payload: { baseVersion: faults.deltaStaleBase ? base.version - 1 : base.version, changed: new RawJson(`[${changed.join(",")}]`), removed },
    stateVersion: { presence: version },
  };
}

/** The whole list, replacing the client's (D5: on `presence.resync`). */
export function resetPush(snapshot: Snapshot, version: number): Push {
  return {
    event: "presence.delta",
    payload: { reset: true, changed: new RawJson(`[${snapshot.rows.map(keyedJson).join(",")}]`), removed: [] },
    stateVersion: { presence: version },
  };
}
