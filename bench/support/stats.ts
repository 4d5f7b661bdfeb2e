/**
 * Small statistics helpers shared by the benchmarks: percentiles, median and spread, the machine
 * description written beside every result.
 */
import os from 'node:os';

/** The value at percentile p (0–100) of sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median, p10, p90 and the interquartile range of samples. */
export function summarize(samples: number[]): { n: number; median: number; p10: number; p90: number; iqr: number; min: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    median: percentile(s, 50),
    p10: percentile(s, 10),
    p90: percentile(s, 90),
    iqr: percentile(s, 75) - percentile(s, 25),
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
  };
}

/** The machine a result was measured on. */
export function machine(): { cpu: string; cores: number; memoryGiB: number; node: string; platform: string; date: string } {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

/** Rounds to a few significant decimals for readable JSON. */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
