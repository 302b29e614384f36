import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUY, SELL } from '../../src/core/types.js';
import { proRata, ruleBasedSor, type VenueView } from '../../src/router/allocators.js';

const views: VenueView[] = [
  {
    venue: 'MT',
    takeFee: 30,
    levels: [
      { price: 10_000, qty: 300 },
      { price: 10_100, qty: 500 },
    ],
  },
  {
    venue: 'INV',
    takeFee: -5,
    levels: [
      { price: 10_000, qty: 200 },
      { price: 10_200, qty: 900 },
    ],
  },
  { venue: 'SB', takeFee: 9, levels: [{ price: 10_100, qty: 400 }] },
];

describe('rule-based SOR', () => {
  it('takes the best price first, the cheaper venue first among equal prices, one IOC per venue at its worst price', () => {
    expect(ruleBasedSor.allocate(BUY, 400, views)).toEqual([
      { venue: 'INV', price: 10_000, qty: 200 }, // taker rebate: cheapest all-in at 1.0000
      { venue: 'MT', price: 10_000, qty: 200 },
    ]);
    expect(ruleBasedSor.allocate(BUY, 1000, views)).toEqual([
      { venue: 'INV', price: 10_000, qty: 200 },
      { venue: 'MT', price: 10_100, qty: 400 }, // 300 at 1.0000, then the last 100 at 1.0100
      { venue: 'SB', price: 10_100, qty: 400 }, // at 1.0100 SB is cheaper all-in (9 mils against 30), so it goes first
    ]);
  });

  it('sells into the highest bids', () => {
    const bids: VenueView[] = [
      { venue: 'A', takeFee: 30, levels: [{ price: 9_900, qty: 100 }] },
      {
        venue: 'B',
        takeFee: 0,
        levels: [
          { price: 9_950, qty: 50 },
          { price: 9_900, qty: 100 },
        ],
      },
    ];
    expect(ruleBasedSor.allocate(SELL, 120, bids)).toEqual([
      { venue: 'B', price: 9_900, qty: 120 }, // 50 at 0.9950, then B's 0.9900 before A's (no fee)
    ]);
  });

  it('never allocates more than asked or than is displayed, at prices that are displayed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            takeFee: fc.integer({ min: -10, max: 30 }),
            levels: fc.array(fc.record({ price: fc.integer({ min: 1, max: 20 }).map((x) => x * 100), qty: fc.integer({ min: 0, max: 500 }) }), {
              maxLength: 5,
            }),
          }),
          { maxLength: 4, size: 'max' },
        ),
        fc.integer({ min: 1, max: 3000 }),
        (raw, qty) => {
          const vs = raw.map((v, i) => ({ venue: `V${i}`, takeFee: v.takeFee, levels: [...v.levels].sort((a, b) => a.price - b.price) }));
          const shown = vs.reduce((a, v) => a + v.levels.reduce((b, l) => b + l.qty, 0), 0);
          for (const alloc of [ruleBasedSor, proRata]) {
            const plans = alloc.allocate(BUY, qty, vs);
            const total = plans.reduce((a, p) => a + p.qty, 0);
            expect(total).toBeLessThanOrEqual(Math.min(qty, shown));
            for (const p of plans) {
              const v = vs.find((x) => x.venue === p.venue)!;
              expect(v.levels.some((l) => l.price === p.price)).toBe(true);
              expect(p.qty).toBeGreaterThan(0);
            }
          }
          // the sweep fills everything it can
          expect(ruleBasedSor.allocate(BUY, qty, vs).reduce((a, p) => a + p.qty, 0)).toBe(Math.min(qty, shown));
        },
      ),
    );
  });
});

describe('pro-rata router', () => {
  it('splits across the venues at the best price by displayed size, ignoring fees and depth', () => {
    expect(proRata.allocate(BUY, 250, views)).toEqual([
      { venue: 'MT', price: 10_000, qty: 150 },
      { venue: 'INV', price: 10_000, qty: 100 },
    ]);
    // more than the best level shows: it takes only what the best price shows
    expect(proRata.allocate(BUY, 1000, views).reduce((a, p) => a + p.qty, 0)).toBe(500);
    expect(proRata.allocate(BUY, 7, views)).toEqual([
      { venue: 'MT', price: 10_000, qty: 5 },
      { venue: 'INV', price: 10_000, qty: 2 },
    ]);
  });
});
