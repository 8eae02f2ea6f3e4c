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

/**
 * A bootstrap interval of median(gateway) / median(echo): resamples each side's rounds with
 * replacement `draws` times and returns the ratios' (1 - level) / 2 and (1 + level) / 2 quantiles.
 * Seeded (mulberry32), so the same figures print the same interval. [NaN, NaN] with under 3 rounds
 * a side: too few for the interval to mean anything.
 */
export function ratioInterval(gateway: number[], echo: number[], level = 0.9, draws = 2000): [number, number] {
  if (gateway.length < 3 || echo.length < 3) return [Number.NaN, Number.NaN];
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resample = (values: number[]) => values.map(() => values[Math.floor(random() * values.length)]);
  const ratios = Array.from({ length: draws }, () => median(resample(gateway)) / median(resample(echo))).sort((a, b) => a - b);
  return [percentile(ratios, ((1 - level) / 2) * 100), percentile(ratios, ((1 + level) / 2) * 100)];
}
