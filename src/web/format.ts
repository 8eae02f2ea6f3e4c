/** How times read on the page: short, exact enough, and the same in every cell (durations: formatAge of src/client/status.ts, as in the CLI). */

/** An absolute time for titles: the ISO form, which reads the same for every visitor. */
export function formatInstant(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "";
}
