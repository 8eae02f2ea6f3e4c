/** Wire-format findings (SPEC §11) and scenario lists in words, shared by every report format. */
import type { WireFinding } from "./results.js";

/**
 * Where a finding comes from, in words: `in rows planted by b1-wrong-types`, `seen in probe`, or both
 * (`in rows planted by planter; seen in probe`); `from ...` for a report without `plantedBy`. `names` writes a list of scenario ids (default: joined
 * by commas; a report may shorten it or write a count).
 */
export function findingWhere(f: Pick<WireFinding, "scenarios" | "plantedBy">, names: (ids: string[]) => string = (ids) => ids.join(", ")): string {
  // A report written before plantedBy existed cannot tell the two apart.
  if (!f.plantedBy) return `from ${names(f.scenarios)}`;
  const planted = f.plantedBy;
  const seen = f.scenarios.filter((id) => !planted.includes(id));
  return [...(planted.length ? [`in rows planted by ${names(planted)}`] : []), ...(seen.length ? [`seen in ${names(seen)}`] : [])].join("; ");
}

/** `1 scenario`, `3 scenarios`: a scenario list written as a count. */
export function scenarioCount(ids: readonly string[]): string {
  return `${ids.length} scenario${ids.length === 1 ? "" : "s"}`;
}
