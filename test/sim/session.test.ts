import { describe, expect, it } from 'vitest';
import { BUY, SELL } from '../../src/core/types.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';
import { buildSession, simulate } from '../../src/sim/session.js';

for (const file of ['scenarios/default.json', 'scenarios/cst.json']) {
  const scenario = loadScenarioFile(file);

  describe(`a simulated session of ${file}`, () => {
    it('is the same for the same seed and different for another', () => {
      const a = simulate(buildSession(scenario, 7), 10);
      const b = simulate(buildSession(scenario, 7), 10);
      const c = simulate(buildSession(scenario, 8), 10);
      expect(b).toEqual(a);
      expect(c.event_log_hash).not.toBe(a.event_log_hash);
      expect(c.venues).not.toEqual(a.venues);
    });

    it('runs on its own: every venue trades, books stay uncrossed, the NBBO is never locked or crossed', () => {
      const s = buildSession(scenario, 3);
      const sum = simulate(s, 30);
      for (const v of sum.venues) {
        expect(v.orders).toBeGreaterThan(0);
        expect(v.trades).toBeGreaterThan(0);
        expect(v.volume).toBeGreaterThan(0);
      }
      for (const v of s.lit) v.book.checkInvariants();
      expect(sum.nbbo.share_of_time_locked_or_crossed).toBe(0);
      expect(sum.nbbo.mean_spread_ticks).toBeGreaterThanOrEqual(1);
      const shares = Object.values(sum.nbbo.share_of_time_by_spread_ticks).reduce((x, y) => x + y, 0);
      expect(shares + sum.nbbo.share_of_time_one_sided).toBeCloseTo(1, 5);
      // the NBBO is the best of the venues' own books
      const bids = s.lit.map((v) => v.book.bestBid());
      const asks = s.lit.map((v) => v.book.bestAsk());
      expect(s.nbbo.bid).toBe(Math.max(...bids.filter((x) => !Number.isNaN(x))));
      expect(s.nbbo.ask).toBe(Math.min(...asks.filter((x) => !Number.isNaN(x))));
      // limit-order flow follows the configured market shares (0.45 / 0.25 / 0.30)
      const orders = sum.venues.slice(0, 3).map((v) => v.orders);
      const total = orders.reduce((x, y) => x + y, 0);
      expect(orders[0]! / total).toBeGreaterThan(orders[2]! / total);
      expect(orders[2]! / total).toBeGreaterThan(orders[1]! / total);
      // a thin venue may empty a side for a while; the consolidated market stays two-sided
      expect(sum.nbbo.share_of_time_one_sided).toBeLessThan(0.01);
      expect(s.lit.some((v) => v.book.sideQty(BUY) > 0) && s.lit.some((v) => v.book.sideQty(SELL) > 0)).toBe(true);
    });
  });
}
