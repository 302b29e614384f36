import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlmgrenChriss, PovSchedule, TwapSchedule, VwapSchedule, type AlmgrenChrissParams } from '../../src/router/schedulers.js';

// the worked example of Almgren and Chriss (2000): 1e6 shares over 5 days in 5 steps
const paper: AlmgrenChrissParams = { X: 1e6, T: 5, N: 5, sigma: 0.95, gamma: 2.5e-7, eta: 2.5e-6, epsilon: 0.0625, lambda: 1e-6 };

describe('Almgren–Chriss', () => {
  it('reproduces the paper’s urgency for its example (κ ≈ 0.6 per day)', () => {
    expect(new AlmgrenChriss(paper).kappa).toBeCloseTo(0.607, 3);
  });

  it('with λ = 0 is TWAP exactly', () => {
    const ac = new AlmgrenChriss({ ...paper, lambda: 0 });
    expect(ac.holdings).toEqual([1e6, 8e5, 6e5, 4e5, 2e5, 0]);
    const twap = new TwapSchedule(1e6, 0, 5e9);
    const sched = ac.schedule(0, 5e9);
    for (const t of [0, 1e9, 2.5e9, 4e9, 5e9]) expect(sched.target(t)).toBeCloseTo(twap.target(t), 6);
  });

  it('converges to TWAP as λ → 0', () => {
    const twap = new AlmgrenChriss({ ...paper, lambda: 0 });
    const near = new AlmgrenChriss({ ...paper, lambda: 1e-14 });
    near.holdings.forEach((x, j) => expect(Math.abs(x - twap.holdings[j]!)).toBeLessThan(1e-8 * 1e6)); // the gap shrinks with κ² ∝ λ
  });

  it('expected cost and variance of the trajectory match the closed forms to 1e-9 relative', () => {
    fc.assert(
      fc.property(
        fc.record({
          X: fc.double({ min: 1e3, max: 1e7, noNaN: true }),
          T: fc.double({ min: 0.5, max: 20, noNaN: true }),
          N: fc.integer({ min: 2, max: 200 }),
          sigma: fc.double({ min: 0.05, max: 3, noNaN: true }),
          gammaRatio: fc.double({ min: 0, max: 0.5, noNaN: true }),
          eta: fc.double({ min: 1e-7, max: 1e-4, noNaN: true }),
          epsilon: fc.double({ min: 0, max: 0.1, noNaN: true }),
          lambda: fc.double({ min: 1e-9, max: 1e-4, noNaN: true }),
        }),
        (r) => {
          // γ small enough that η̃ = η − γτ/2 stays positive; κT kept where sinh does not overflow
          const tau = r.T / r.N;
          const p = { ...r, gamma: (r.gammaRatio * r.eta) / tau };
          const ac = new AlmgrenChriss(p);
          fc.pre(ac.kappa * r.T < 30 && ac.kappa * tau > 1e-3);
          const cf = ac.closedForm();
          expect(Math.abs(cf.E / ac.expectedCost() - 1)).toBeLessThan(1e-9);
          expect(Math.abs(cf.V / ac.variance() - 1)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('trades faster the more risk-averse it is', () => {
    const slow = new AlmgrenChriss({ ...paper, lambda: 1e-8 }).trades();
    const fast = new AlmgrenChriss({ ...paper, lambda: 1e-5 }).trades();
    expect(fast[0]!).toBeGreaterThan(slow[0]!);
    expect(fast.reduce((a, b) => a + b, 0)).toBeCloseTo(1e6, 6);
  });
});

describe('TWAP, VWAP and POV schedules', () => {
  it('TWAP runs evenly from 0 to the quantity', () => {
    const s = new TwapSchedule(900, 100, 400);
    expect([0, 100, 200, 250, 400, 500].map((t) => s.target(t))).toEqual([0, 0, 300, 450, 900, 900]);
  });

  it('VWAP follows the volume profile within the horizon', () => {
    // four buckets of 10 ns with volumes 1, 3, 3, 1; the order runs over the middle two buckets
    const s = new VwapSchedule(600, 10, 30, [1, 3, 3, 1], 0, 10);
    expect(s.target(10)).toBe(0);
    expect(s.target(20)).toBeCloseTo(300, 9);
    expect(s.target(15)).toBeCloseTo(150, 9);
    const u = new VwapSchedule(800, 0, 40, [1, 3, 3, 1], 0, 10);
    expect(u.target(10)).toBeCloseTo(100, 9); // 1/8 of the volume in the first bucket
    expect(u.target(30)).toBeCloseTo(700, 9);
  });

  it('POV targets a share of observed volume and is done by the end', () => {
    const s = new PovSchedule(10_000, 0, 100, 0.2);
    s.observe(4000);
    expect(s.target(50)).toBeCloseTo(1000, 9); // 1000 = 20 % of (4000 + 1000)
    s.observe(1e6);
    expect(s.target(60)).toBe(10_000);
    expect(new PovSchedule(10_000, 0, 100, 0.2).target(100)).toBe(10_000);
  });
});
