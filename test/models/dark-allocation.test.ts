import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { allocateDark, CensoredLiquidity, evaluateDarkPools, fitDarkPools, type PingObservation } from '../../src/models/dark-allocation.js';

describe('dark-pool allocation from censored fills (Ganchev et al.)', () => {
  it('Kaplan–Meier recovers a liquidity distribution seen only through censored fills', () => {
    // true liquidity: exponential, mean 300 shares; pings of random sizes see min(liquidity, sent)
    const rng = new Rng(7);
    const est = new CensoredLiquidity(10, 400, 1, 0);
    for (let i = 0; i < 20_000; i++) {
      const L = Math.floor(rng.exponential(1 / 300));
      const sent = 10 * (1 + rng.int(100)); // 10 … 1,000
      est.observe(sent, Math.min(L, sent));
    }
    for (const s of [10, 100, 300, 600, 900]) {
      // P(L ≥ s) for L = floor(Exp(300)) is exp(−s/300)
      expect(Math.abs(est.tailAt(s) - Math.exp(-s / 300))).toBeLessThan(0.03);
    }
  });

  it('ignoring censoring would be badly biased: fills alone understate the liquidity', () => {
    const rng = new Rng(8);
    const est = new CensoredLiquidity(10, 400, 1, 0);
    const fills: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const L = Math.floor(rng.exponential(1 / 300));
      const sent = 10 * (1 + rng.int(100));
      const f = Math.min(L, sent);
      est.observe(sent, f);
      fills.push(f);
    }
    const truth = Math.exp(-300 / 300);
    const naive = fills.filter((f) => f >= 300).length / fills.length;
    expect(truth - naive).toBeGreaterThan(0.1);
    expect(Math.abs(est.tailAt(300) - truth)).toBeLessThan(0.03);
  });

  it('allocates lots where the chance of filling them is highest, and explores a pool it knows nothing of', () => {
    const deep = new CensoredLiquidity(50, 100, 1, 0.01);
    const shallow = new CensoredLiquidity(50, 100, 1, 0.01);
    for (let i = 0; i < 200; i++) {
      deep.observe(500, 500); // always filled: at least 500 there
      shallow.observe(500, 50); // exactly 50 there
    }
    const a = allocateDark([deep, shallow], 1000, 50, [1, 1], 0);
    const got = Object.fromEntries(a.map((x) => [x.pool, x.qty]));
    expect(got[0]).toBeGreaterThanOrEqual(500);
    expect(got[1] ?? 0).toBeLessThanOrEqual(100);
    expect((got[0] ?? 0) + (got[1] ?? 0)).toBe(1000);
    // the shallow pool gets the one lot it reliably fills; a pool never tried is optimistic (T = 1) and gets the rest
    const fresh = new CensoredLiquidity(50, 100);
    expect(allocateDark([shallow, fresh], 200, 50, [1, 1], 0)).toEqual([
      { pool: 0, qty: 50 },
      { pool: 1, qty: 150 },
    ]);
    // a pool worth nothing (its adverse selection exceeds what it saves) gets nothing
    expect(allocateDark([deep, fresh], 200, 50, [1, -0.5], 0)).toEqual([{ pool: 0, qty: 200 }]);
    // a pool that gave nothing once is not written off (the prior keeps a chance)
    const once = new CensoredLiquidity(50, 100);
    once.observe(300, 0);
    expect(once.tailAt(50)).toBeGreaterThan(0);
  });

  it('an estimate learnt offline carries over as pseudo-observations: the same tail, then it learns on', () => {
    const rng = new Rng(11);
    const a = new CensoredLiquidity(50, 40, 1, 0);
    for (let i = 0; i < 3000; i++) {
      const L = Math.floor(rng.exponential(1 / 400));
      const sent = 50 * (1 + rng.int(20));
      a.observe(sent, Math.min(L, sent));
    }
    const b = CensoredLiquidity.fromTail(a.tailArray(), 50, 200, 1, 0);
    for (let s = 0; s <= 2000; s += 50) expect(b.tailAt(s)).toBeCloseTo(a.tailAt(s), 9);
    // expected fill E[min(L, s)] = Σ lot·T(k lots), checked against the tail by hand
    let e = 0;
    for (let k = 1; k <= 6; k++) e += 50 * a.tailAt(50 * k);
    expect(a.expectedFill(300)).toBeCloseTo(e, 9);
    // new evidence moves it: a pool that now gives nothing
    for (let i = 0; i < 400; i++) b.observe(500, 0);
    expect(b.tailAt(50)).toBeLessThan(a.tailAt(50) / 2);
  });

  it('where pools hold a stock of shares, the offline pool model predicts held-out fills better than a fill rate, without bias', () => {
    const rng = new Rng(12);
    const pings = (n: number): PingObservation[] =>
      Array.from({ length: n }, () => {
        const deep = rng.float() < 0.5;
        const L = Math.floor(rng.exponential(1 / (deep ? 600 : 80)));
        const sent = 50 * (1 + rng.int(30));
        return { venue: deep ? 'DEEP' : 'THIN', sent, filled: Math.min(L, sent) };
      });
    const train = pings(4000);
    const art = fitDarkPools(train, 50, 100);
    expect(Object.keys(art.pools)).toEqual(['DEEP', 'THIN']);
    expect(art.pools.DEEP!.tail[4]!).toBeGreaterThan(art.pools.THIN!.tail[4]!);
    const m = evaluateDarkPools(art, train, pings(2000));
    expect(m.improvement_vs_fill_rate).toBeGreaterThan(0.05);
    expect(Math.abs(m.predicted_over_filled.model - 1)).toBeLessThan(0.1);
  });
});
