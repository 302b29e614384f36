import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUY, SELL } from '../../src/core/types.js';
import { implementationShortfall, type Fill } from '../../src/tca/shortfall.js';

describe('implementation shortfall', () => {
  it('a worked buy: spread, impact, timing, fees and opportunity', () => {
    // arrival mid 100.00; bought 600 of 1000; the baseline market rose 0.05 by the fills, ours 0.10
    const fills: Fill[] = [
      { time: 1, price: 1_001_000, qty: 400, fee: 400 * 30, venue: 'A' }, // paid 100.10 against a mid of 100.05
      { time: 2, price: 1_001_500, qty: 200, fee: 200 * 30, venue: 'B' }, // 100.15 against 100.10
    ];
    const mids: Record<number, number> = { 1: 1_000_500, 2: 1_001_000 };
    const base: Record<number, number> = { 1: 1_000_200, 2: 1_000_500 };
    const r = implementationShortfall({
      side: BUY,
      qty: 1000,
      arrivalMid: 1_000_000,
      fills,
      midAt: (t) => mids[t]!,
      baselineMidAt: (t) => base[t]!,
      endMid: 1_002_000,
    });
    const bps = (x: number) => (x * 1e4) / (1_000_000 * 1000);
    expect(r.spread_bps).toBeCloseTo(bps(500 * 400 + 500 * 200), 10);
    expect(r.impact_bps).toBeCloseTo(bps(300 * 400 + 500 * 200), 10);
    expect(r.timing_bps).toBeCloseTo(bps(200 * 400 + 500 * 200), 10);
    expect(r.fees_bps).toBeCloseTo(bps(600 * 30), 10);
    expect(r.opportunity_bps).toBeCloseTo(bps(2000 * 400), 10);
    expect(r.fill_rate).toBe(0.6);
  });

  it('its parts add up to the direct shortfall, for buys and sells, with or without a baseline', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(BUY, SELL),
        fc.array(
          fc.record({
            dp: fc.integer({ min: -500, max: 500 }),
            dm: fc.integer({ min: -500, max: 500 }),
            db: fc.integer({ min: -500, max: 500 }),
            qty: fc.integer({ min: 1, max: 300 }),
            fee: fc.integer({ min: -20, max: 30 }),
          }),
          { minLength: 0, maxLength: 20 },
        ),
        fc.integer({ min: -2000, max: 2000 }),
        (side, raw, dEnd) => {
          const arrival = 500_000;
          const qty = 3000;
          const fills = raw.map((f, i) => ({ time: i, price: arrival + f.dm + f.dp, qty: f.qty, fee: f.fee * f.qty, venue: 'V' }));
          const mid = (t: number) => arrival + raw[t]!.dm;
          const base = (t: number) => arrival + raw[t]!.db;
          const s = side === BUY ? 1 : -1;
          const filled = fills.reduce((a, f) => a + f.qty, 0);
          const direct =
            ((fills.reduce((a, f) => a + s * (f.price - arrival) * f.qty + f.fee, 0) + s * dEnd * Math.max(0, qty - filled)) * 1e4) / (arrival * qty);
          const r = implementationShortfall({ side, qty, arrivalMid: arrival, fills, midAt: mid, baselineMidAt: base, endMid: arrival + dEnd });
          expect(r.total_bps).toBeCloseTo(direct, 9);
          expect(r.spread_bps + r.impact_bps + r.timing_bps + r.fees_bps + r.opportunity_bps).toBeCloseTo(direct, 9);
          expect(r.impact_bps + r.timing_bps).toBeCloseTo(r.drift_bps, 9);
          const nb = implementationShortfall({ side, qty, arrivalMid: arrival, fills, midAt: mid, endMid: arrival + dEnd });
          expect(nb.total_bps).toBeCloseTo(direct, 9);
          expect(Number.isNaN(nb.impact_bps)).toBe(true);
        },
      ),
    );
  });
});
