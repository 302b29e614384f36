import type { Rng } from '../core/rng.js';

/**
 * Comparing two policies run on identical market paths (common random numbers): the i-th cost of each comes from
 * the same parent order on the same path, so the comparison is on the differences d_i = a_i − b_i (costs in bps,
 * positive = cost; d < 0 means A was cheaper).
 */
export interface PairedComparison {
  n: number;
  /** Mean of a − b, bps. */
  mean_diff: number;
  /** Percentile-bootstrap 95 % interval of the mean difference. */
  ci95: [number, number];
  /** Share of orders on which A cost less than B (ties count half). */
  p_outperform: number;
  /** Sum of A's gains over B divided by the sum of its losses (∞ if it never loses). */
  gain_loss: number;
}

/** The mean of a sample and its percentile-bootstrap 95 % interval. */
export function bootstrapMean(d: readonly number[], rng: Rng, resamples = 2000): { mean: number; ci95: [number, number] } {
  const n = d.length;
  if (n === 0) return { mean: NaN, ci95: [NaN, NaN] };
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)]!;
    means[r] = s / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { mean, ci95: [at(0.025), at(0.975)] };
}

export function pairedComparison(a: readonly number[], b: readonly number[], rng: Rng, resamples = 2000): PairedComparison {
  if (a.length !== b.length || a.length === 0) throw new Error('paired comparison needs two equally long, non-empty samples');
  const n = a.length;
  const d = a.map((x, i) => x - b[i]!);
  const { mean, ci95 } = bootstrapMean(d, rng, resamples);
  let wins = 0;
  let gains = 0;
  let losses = 0;
  for (const x of d) {
    if (x < 0) {
      wins++;
      gains -= x;
    } else if (x > 0) losses += x;
    else wins += 0.5;
  }
  return { n, mean_diff: mean, ci95, p_outperform: wins / n, gain_loss: losses > 0 ? gains / losses : Infinity };
}
