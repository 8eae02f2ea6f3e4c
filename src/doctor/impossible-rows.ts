/**
 * Rows no client could have made under the contract: a row with neither host nor instanceId
 * (every connection row has a host, SPEC P2, and a beacon writes to its instanceId's row or its
 * sender's, SPEC K2), and a row of a `cli` client (never recorded, SPEC P3).
 */
import type { Draft, ListView } from "./check.js";
import { folded, isSelfRow, plural } from "./rows.js";

export function impossibleRowFindings(view: ListView): Draft[] {
  const drafts: Draft[] = [];
  const rows = view.entries.filter((row) => !isSelfRow(row));

  const anonymous = rows.filter((row) => folded(row.host) === "" && folded(row.instanceId) === "");
  if (anonymous.length > 0) {
    drafts.push({
      id: "row-without-host-or-instance-id",
      rule: "K2",
      severity: "error",
      subject: "",
      title: `${plural(anonymous.length, "row has", "rows have")} neither host nor instanceId`,
      detail:
        "A connection's row always has a host (its displayName or client id), and a beacon updates the row of its instanceId " +
        "or of the connection that sent it. A row with neither was made by a beacon the gateway filed under something else, " +
        "such as its text or ip.",
      advice:
        "Gateway: a beacon without instanceId must update the sender's own row, and one from a connection that has no row " +
        "must change nothing (SPEC K2). Client: send the instanceId in every beacon.",
      evidence: anonymous.map((row) => ({ row, note: row.text === undefined ? undefined : `text ${JSON.stringify(row.text)}` })),
    });
  }

  const cli = rows.filter((row) => folded(row.mode) === "cli");
  if (cli.length > 0) {
    drafts.push({
      id: "cli-row",
      rule: "P3",
      severity: "error",
      subject: "",
      title: `${plural(cli.length, "row is a", "rows are")} cli client${cli.length === 1 ? "" : "s"}`,
      detail: "Connections with mode cli are short one-off commands and are never recorded, neither on connect nor on disconnect.",
      advice: "Gateway: do not upsert a row for client.mode \"cli\" (the ephemeral modes, SPEC P3), nor for a beacon that claims that mode.",
      evidence: cli.map((row) => ({ row })),
    });
  }
  return drafts;
}
