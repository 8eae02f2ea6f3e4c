/**
 * Rows no client could have made under the contract: a row with neither host nor instanceId
 * (every connection row has a host, SPEC P2, and a beacon writes to its instanceId's row or its
 * sender's, SPEC K2), a row of a `cli` client (never recorded, SPEC P3), and a row whose fields do
 * not have the types of the row schema (SPEC §3, W1: a string where a number belongs, null, an object...).
 */
import type { Draft, ListView } from "./check.js";
import { mistypedFields } from "../client/status.js";
import { folded, isSelfRow, plural } from "./rows.js";

export function impossibleRowFindings(view: ListView): Draft[] {
  const drafts: Draft[] = [...mistypedRows(view)];
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

/** Rows with a field of the wrong type (the self row too): each named with what it holds. */
function mistypedRows(view: ListView): Draft[] {
  const found = view.entries.map((row) => ({ row, fields: mistypedFields(row) })).filter((r) => r.fields.length > 0);
  if (found.length === 0) return [];
  const names = [...new Set(found.flatMap((r) => r.fields.map((f) => f.field)))];
  return [
    {
      id: "row-field-wrong-type",
      rule: "W1",
      severity: "error",
      subject: "",
      title: `${plural(found.length, "row has", "rows have")} a field of the wrong type (${names.join(", ")})`,
      detail:
        "SPEC §3 gives each field of a presence row its type: strings for instanceId, host, ip, version, platform, " +
        "deviceFamily, modelIdentifier, mode, reason and text; arrays of strings for roles and scopes; an integer >= 0 " +
        "for lastInputSeconds; and an integer ts (ms since the epoch) in every row. Consumers that trust those types " +
        "show such a row wrongly or fail on it; the other checks skip a ts that is not a number.",
      advice:
        "Gateway: send each field with its schema type, and validate beacons before merging them (SPEC W1, B1: a beacon " +
        "with a wrongly typed field is invalid params, never stored).",
      evidence: found.map(({ row, fields }) => ({
        row,
        note: fields.map((f) => `${f.field} holds ${f.holds.length > 40 ? `${f.holds.slice(0, 39)}…` : f.holds}, not ${f.expected}`).join("; "),
      })),
    },
  ];
}
