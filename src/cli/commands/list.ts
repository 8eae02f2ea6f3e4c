/** `gateway-presence list`: the Instances table (or JSON), newest first, from one system-presence call. */
import type { Command } from "commander";
import { addConnectionOptions, cliClientOptions, describeFailure, type ConnectionFlags } from "../connection.js";
import { exitCodes } from "../usage.js";
import { fieldText, formatAge, newestTsFirst } from "../../client/status.js";
import { createPresenceClient, presenceAge, presenceStatus, type PresenceEntry } from "../../index.js";
import { alignColumns, cutToWidth, textWidth } from "../../doctor/columns.js";
import { HEALTH_WAIT_MS, readHealth } from "../../doctor/health.js";
import { DEGRADED_LINE } from "../health-poll.js";
import { printable } from "../../validation/printable.js";

export function newestFirst(entries: readonly PresenceEntry[]): PresenceEntry[] {
  return [...entries].sort(newestTsFirst);
}

const COLUMNS = ["STATUS", "HOST", "IP", "MODE", "VERSION", "LAST INPUT", "REASON", "AGE"] as const;
/** The widest a cell gets, in terminal columns; a longer value is cut and ends in "…" (`--json` has it whole). */
const CELL_WIDTH = 40;

/**
 * A cell: the value as text (a wrongly typed one as its JSON text, see fieldText), or "-" when absent;
 * control, bidi and zero-width characters as escapes (`\x1b`: any writer sets any row's fields, see
 * printable); cut to `width`.
 */
function fit(value: unknown, width = CELL_WIDTH): string {
  return cutToWidth(printable(fieldText(value) ?? "-").replace(/\s+/g, " "), width);
}

/**
 * The HOST cell. A cluster lists one self row per gateway, told apart by the gateway id in instanceId
 * (docs/cluster.md); OpenClaw's self row carries a UUID there. The id is what gets cut, inside its
 * parentheses, so the cell still reads as host (id).
 */
function hostCell(e: PresenceEntry): string {
  if (e.reason !== "self" || e.instanceId === undefined) return fit(e.host !== undefined ? e.host : e.instanceId);
  const host = fit(e.host, CELL_WIDTH - 4);
  return `${host} (${fit(e.instanceId, CELL_WIDTH - textWidth(host) - 3)})`;
}

/** The Instances table as text, newest first; `now` is on the gateway's clock. */
export function renderInstances(entries: readonly PresenceEntry[], now: number): string {
  const rows = newestFirst(entries).map((e) => [
    presenceStatus(e, now),
    hostCell(e),
    e.ip,
    e.mode,
    e.version,
    Number.isFinite(e.lastInputSeconds) ? formatAge(e.lastInputSeconds! * 1000) : e.lastInputSeconds,
    e.reason,
    formatAge(presenceAge(e, now)),
  ]);
  return alignColumns([[...COLUMNS], ...rows].map((r) => r.map((cell) => fit(cell)))).join("\n");
}

/** The rows as JSON: each entry as the gateway sent it, plus its `status` and `ageMs`. */
export function instancesJson(entries: readonly PresenceEntry[], now: number): Array<PresenceEntry & { status: string; ageMs: number }> {
  return newestFirst(entries).map((e) => ({ ...e, status: presenceStatus(e, now), ageMs: presenceAge(e, now) }));
}

export function register(program: Command): void {
  const command = program.command("list").description("print the presence list (Instances table), newest first");
  exitCodes(command, { 0: "the list was printed", 1: "the gateway could not be reached or read, or refused (one line on stderr says why)" });
  addConnectionOptions(command)
    .option("--json", "print JSON: the entries with status and ageMs")
    .action(async (flags: ConnectionFlags & { json?: boolean }, command: Command) => {
      const options = await cliClientOptions(command, flags);
      let client: ReturnType<typeof createPresenceClient> | undefined;
      let entries: PresenceEntry[];
      // A cluster gateway that cannot reach its Redis lists what it knows alone; only /healthz says so.
      const health = readHealth(flags.url, HEALTH_WAIT_MS);
      try {
        client = createPresenceClient({ ...options, reconnect: false });
        await client.connect();
        entries = await client.systemPresence();
      } catch (error) {
        health.abort();
        process.stderr.write(`gateway-presence list: ${describeFailure(flags.url, error, flags.binding, options.token !== undefined)}\n`);
        process.exitCode = 1;
        return;
      } finally {
        await client?.close();
      }
      if ((await health.within(HEALTH_WAIT_MS))?.status === "degraded") {
        process.stderr.write(`gateway-presence list: warning: ${DEGRADED_LINE.trim()} (GET /healthz said degraded)\n`);
      }
      try {
        // Ages and statuses on the SDK's estimate of the gateway's clock (fed by hello-ok's snapshot and
        // this list), as watch and the Instances page read them: the same rows show the same ages. It
        // read the self row's ts alone, and without a self row this machine's clock.
        const now = client.gatewayClock.now();
        process.stdout.write(flags.json ? `${JSON.stringify(instancesJson(entries, now), null, 2)}\n` : `${renderInstances(entries, now)}\n`);
      } catch (error) {
        // The gateway was reached: a fault here is not "cannot reach the gateway".
        process.stderr.write(`gateway-presence list: read the list but could not show it: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
