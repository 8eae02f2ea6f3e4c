/** Small statistics and formatting helpers for the benchmarks. */

/** The p-th percentile (0..100) of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function ascending(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A number with `digits` decimals, or "-" when it is not finite. */
export function fmt(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

export function mb(bytes: number): string {
  return `${fmt(bytes / 1048576, 1)} MB`;
}

/** Monotonic time in ms, comparable across processes on one machine (CLOCK_MONOTONIC). */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
