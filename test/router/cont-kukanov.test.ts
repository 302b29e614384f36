import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { contKukanov, placementCost, type PlacementProblem } from '../../src/router/allocators.js';

const expo = (mean: number) => (u: () => number) => -Math.log(1 - u()) * mean;

function problem(outA: number, outB: number): PlacementProblem {
  return {
    target: 1000,
    halfSpread: 50, // half a cent
    takeFee: 30,
    underfill: 200,
    overfill: 100,
    venues: [
      { venue: 'A', queue: 500, rebate: 20, outflow: expo(outA) },
      { venue: 'B', queue: 1500, rebate: -18, outflow: expo(outB) },
    ],
  };
}

/** Expected cost of a split, by Monte Carlo over fixed outflow samples. */
function expected(p: PlacementProblem, samples: number[][], M: number, L: number[]): number {
  return samples.reduce((a, xi) => a + placementCost(p, M, L, xi), 0) / samples.length;
}

describe('Cont–Kukanov optimal placement', () => {
  it('reaches the cost of a brute-force grid optimum (same outflow samples) within 2 %', () => {
    const p = problem(1500, 1800);
    const rng = new Rng(5);
    const u = () => rng.float();
    const samples = Array.from({ length: 3000 }, () => p.venues.map((v) => v.outflow(u)));
    let best = Infinity;
    for (let M = 0; M <= 1000; M += 50)
      for (let a = 0; a <= 1500; a += 50) for (let b = 0; b <= 1500; b += 100) best = Math.min(best, expected(p, samples, M, [a, b]));
    const sa = contKukanov(p, () => rng.float(), 20_000);
    const got = expected(p, samples, sa.market, sa.limits);
    console.log(`Cont–Kukanov: SA split M=${sa.market} L=${sa.limits.join(',')} cost ${got.toFixed(1)}; grid optimum ${best.toFixed(1)}`);
    expect(got).toBeLessThanOrEqual(best + 0.02 * Math.abs(best));
  });

  it('takes everything with a market order when posted orders would not fill', () => {
    const sa = contKukanov(problem(1, 1), () => 0.5, 4000); // every outflow is ~0.7 shares: posted orders never fill
    expect(sa.market).toBeGreaterThan(950);
  });

  it('posts where queues are short and outflows deep, and takes less', () => {
    const rng = new Rng(9);
    const deep = contKukanov(problem(20_000, 20_000), () => rng.float(), 8000);
    const shallow = contKukanov(problem(600, 600), () => rng.float(), 8000);
    expect(deep.market).toBeLessThan(shallow.market);
    expect(deep.limits[0]!).toBeGreaterThan(0);
  });
});
