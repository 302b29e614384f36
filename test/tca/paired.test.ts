import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { pairedComparison } from '../../src/tca/paired.js';

describe('paired comparison of policies', () => {
  it('finds a real 1 bp advantage, and its 95 % interval covers the truth about 95 % of the time', () => {
    const rng = new Rng(3);
    let covered = 0;
    let excludesZero = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      // 200 orders; the paths' common noise (sd 10 bp) cancels in the pairs; A is 1 bp cheaper, idiosyncratic sd 2 bp
      const common = Array.from({ length: 200 }, () => 10 * rng.normal());
      const b = common.map((c) => c + 2 * rng.normal());
      const a = common.map((c) => c - 1 + 2 * rng.normal());
      const cmp = pairedComparison(a, b, rng, 1000);
      if (cmp.ci95[0] <= -1 && -1 <= cmp.ci95[1]) covered++;
      if (cmp.ci95[1] < 0) excludesZero++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.99);
    expect(excludesZero / trials).toBeGreaterThan(0.95); // the effect is ~3.5 standard errors: nearly always detected
  });

  it('computes the probability of outperformance and the gain–loss ratio from the differences', () => {
    const cmp = pairedComparison([1, 2, 3, 4], [2, 2, 1, 10], new Rng(1), 200);
    // differences −1, 0, +2, −6: wins 2 and a tie, gains 7, losses 2
    expect(cmp.mean_diff).toBeCloseTo(-1.25, 12);
    expect(cmp.p_outperform).toBeCloseTo(2.5 / 4, 12);
    expect(cmp.gain_loss).toBeCloseTo(3.5, 12);
    expect(cmp.ci95[0]).toBeLessThanOrEqual(cmp.mean_diff);
    expect(cmp.ci95[1]).toBeGreaterThanOrEqual(cmp.mean_diff);
  });

  it('is reproducible for a seed, and refuses unpaired samples', () => {
    const a = [3, 1, 4, 1, 5, 9, 2, 6];
    const b = [2, 7, 1, 8, 2, 8, 1, 8];
    expect(pairedComparison(a, b, new Rng(7))).toEqual(pairedComparison(a, b, new Rng(7)));
    expect(() => pairedComparison([1], [1, 2], new Rng(1))).toThrow(/equally long/);
  });
});
