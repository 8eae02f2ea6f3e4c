/**
 * Probable duplicates (SPEC K1, and the design note's troubleshooting tips): one client shown as
 * several rows. Rows of one instanceId (in any letter case) must be one row; rows that share
 * host, platform, device family and version, or host and ip, are probably one machine under
 * several keys, and the usual cause is a missing or unstable instanceId.
 */
import { fieldText } from "../client/status.js";
import { isIpAddress, isLoopbackAddress, normalizeAddress } from "../presence/addresses.js";
import type { PresenceEntry } from "../protocol/presence.js";
import type { Draft, ListView } from "./check.js";
import { folded, isSelfRow, plural, rowName } from "./rows.js";

export function duplicateFindings(view: ListView): Draft[] {
  const rows = view.entries.filter((row) => !isSelfRow(row));
  return [...sameInstanceId(rows), ...sameMachine(rows)];
}

/** Rows whose instanceIds are equal when trimmed and lower-cased: K1 says they are one key. */
function sameInstanceId(rows: PresenceEntry[]): Draft[] {
  const groups = groupBy(rows.filter((row) => folded(row.instanceId) !== ""), (row) => folded(row.instanceId));
  const drafts: Draft[] = [];
  for (const [key, group] of groups) {
    if (group.length < 2) continue;
    const spellings = new Set(group.map((row) => fieldText(row.instanceId)!.trim()));
    if (spellings.size > 1) {
      drafts.push({
        id: "duplicate-letter-case",
        rule: "K1",
        severity: "error",
        subject: key,
        title: `instanceId ${[...spellings].map((s) => JSON.stringify(s)).join(" / ")} is listed as ${group.length} rows that differ only in letter case`,
        detail:
          "The presence key is the trimmed, lower-cased instanceId, so these rows should be one. " +
          "This gateway keeps them apart: it compares instanceIds case-sensitively, or keys the rows by something else (a device id).",
        advice:
          "Gateway: lower-case the trimmed instanceId before using it as the key (SPEC K1, K4). " +
          "Client, meanwhile: send the instanceId in one spelling, in the handshake and in every beacon.",
        evidence: group.map((row) => ({ row })),
      });
    }
    const repeated = [...spellings].filter((s) => group.filter((row) => fieldText(row.instanceId)!.trim() === s).length > 1);
    if (repeated.length > 0) {
      const same = group.filter((row) => repeated.includes(fieldText(row.instanceId)!.trim()));
      // "Beside the live one" needs a row of a connection that is still open: a beacon-only row
      // (no reason) beside two disconnect rows is not one (OpenClaw 2026.9.6 after a reconnect test).
      const reasons = same.map((row) => row.reason);
      const connectAndDisconnect = reasons.includes("disconnect") && reasons.some((r) => r !== undefined && r !== "disconnect");
      drafts.push({
        id: "duplicate-per-connection",
        rule: "K1",
        severity: "error",
        subject: key,
        title: `instanceId ${JSON.stringify(repeated[0])} is listed as ${same.length} rows${connectAndDisconnect ? ": a disconnect row beside the live one" : ""}`,
        detail:
          (connectAndDisconnect
            ? "One client's old connection (reason disconnect) and its new one are side by side: the gateway keeps rows per connection. "
            : "One instanceId has several rows: the gateway keys some of them by something other than the instanceId (the connection, a device id). ") +
          "A reconnect or a beacon with the same instanceId must update the old row.",
        advice:
          "Gateway: key rows by the instanceId when the client sends one, and the connection id only when it does not (SPEC K1). " +
          "Nothing to change on the client: it already sends a stable instanceId.",
        // The REASON column tells the disconnect row from the live one: no note repeats it.
        evidence: same.map((row) => ({ row })),
      });
    }
  }
  return drafts;
}

/**
 * Rows that look like one machine: the same host with the same platform, device family and
 * version, or the same host with the same ip. Groups are joined transitively; a group whose rows
 * each have an address no other row has is several machines.
 */
function sameMachine(rows: PresenceEntry[]): Draft[] {
  const signatures = (row: PresenceEntry): string[] => {
    const host = folded(row.host);
    if (!host) return [];
    const out: string[] = [];
    if (row.platform || row.version) {
      out.push(`machine\u0000${host}\u0000${folded(row.platform)}\u0000${folded(row.deviceFamily)}\u0000${folded(row.version)}`);
    }
    if (row.ip) out.push(`ip\u0000${host}\u0000${folded(row.ip)}`);
    return out;
  };
  const drafts: Draft[] = [];
  for (const group of joinedGroups(rows, signatures)) {
    if (group.length < 2 || severalAddresses(group)) continue;
    const name = rowName(group[0]);
    const without = group.filter((row) => folded(row.instanceId) === "");
    if (without.length > 0) {
      drafts.push({
        id: "duplicate-without-instance-id",
        rule: "K1",
        severity: "warning",
        subject: groupSubject(group),
        title: `${name} is listed ${group.length} times; ${plural(without.length, "row")} without an instanceId`,
        detail:
          "A row without an instanceId is keyed by its connection, so every reconnect of such a client adds a row. " +
          "These are the expected duplicates of the design note; the old rows go when the TTL runs out.",
        advice:
          "Client: send a stable client.instanceId in the handshake (kept on disk across restarts, e.g. loadNodeInstanceId()) " +
          "and the same instanceId in every beacon.",
        // The INSTANCEID column shows which rows lack one ("-"): no note repeats it.
        evidence: group.map((row) => ({ row })),
      });
      continue;
    }
    const ids = new Set(group.map((row) => folded(row.instanceId)));
    if (ids.size < 2) continue; // one instanceId: the checks above speak about it
    drafts.push({
      id: "duplicate-other-instance-id",
      rule: "K1",
      severity: "warning",
      subject: groupSubject(group),
      title: `${name} is listed ${group.length} times under ${ids.size} different instanceIds`,
      detail:
        "These rows share host and platform, device family and version (or host and ip) but carry different instanceIds, " +
        "so the gateway keeps them apart. Either the client makes a new instanceId when it starts, or its beacons use another instanceId than its handshake.",
      advice:
        "Client: keep the instanceId across restarts (store it on disk) and send the handshake's instanceId in every beacon. " +
        "If these are really different apps on one machine, nothing is wrong.",
      evidence: group.map((row) => ({ row })),
    });
  }
  return drafts;
}

/**
 * Every row has an address of its own (no two share one): machines with one name, platform and
 * version, not one machine. A name is often an app's, not a machine's (every Instances page is
 * "Instances page", a fleet's kiosks run one build), and a client that started twice within the TTL
 * did so from one address.
 */
function severalAddresses(group: PresenceEntry[]): boolean {
  const ips = group.map((row) => (typeof row.ip === "string" && isIpAddress(row.ip) && !isLoopbackAddress(row.ip) ? normalizeAddress(row.ip).toLowerCase() : ""));
  return !ips.includes("") && new Set(ips).size === ips.length;
}

function groupSubject(group: PresenceEntry[]): string {
  return [...new Set(group.map((row) => folded(row.host)))].sort().join(",");
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Items joined when they share any signature (union-find), in their original order. */
function joinedGroups<T>(items: T[], signatures: (item: T) => string[]): T[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const firstWith = new Map<string, number>();
  items.forEach((item, i) => {
    for (const sig of signatures(item)) {
      const j = firstWith.get(sig);
      if (j === undefined) firstWith.set(sig, i);
      else parent[find(i)] = find(j);
    }
  });
  return [...groupBy(items.map((item, i) => ({ item, i })), ({ i }) => String(find(i))).values()].map((g) => g.map(({ item }) => item));
}
