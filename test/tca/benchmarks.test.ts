import { describe, expect, it } from 'vitest';
import { BUY, NS_PER_SECOND, SELL } from '../../src/core/types.js';
import { MidPath, TradeTape, markoutsByVenue, slippageBps } from '../../src/tca/benchmarks.js';

const S = NS_PER_SECOND;

describe('TCA benchmarks', () => {
  it('a mid path answers the last mid at or before a time, and its time-weighted average', () => {
    const p = new MidPath();
    p.record(10 * S, 1000);
    p.record(20 * S, 1010);
    p.record(20 * S, 1020); // same instant: the later value holds
    p.record(30 * S, 1020); // unchanged: not a new point
    expect(p.at(9 * S)).toBeNaN();
    expect(p.at(10 * S)).toBe(1000);
    expect(p.at(19.999 * S)).toBe(1000);
    expect(p.at(25 * S)).toBe(1020);
    // samples at 10..29 s: ten at 1000, ten at 1020
    expect(p.twap(10 * S, 29 * S)).toBeCloseTo(1010, 9);
  });

  it('interval VWAP counts only prints inside the interval', () => {
    const t = new TradeTape();
    t.record(1 * S, 100, 10);
    t.record(2 * S, 110, 30);
    t.record(3 * S, 200, 1000);
    expect(t.interval(1 * S, 2 * S)).toEqual({ volume: 40, vwap: (100 * 10 + 110 * 30) / 40 });
    expect(t.interval(5 * S, 6 * S).volume).toBe(0);
  });

  it('slippage is signed so that paying up is a cost on either side', () => {
    expect(slippageBps(BUY, 10010, 10000)).toBeCloseTo(10, 9);
    expect(slippageBps(SELL, 10010, 10000)).toBeCloseTo(-10, 9);
    expect(slippageBps(SELL, 9990, 10000)).toBeCloseTo(10, 9);
  });

  it('markouts: a buy followed by a falling mid is adverse, share-weighted per venue and horizon', () => {
    const p = new MidPath();
    p.record(0, 10000);
    p.record(5 * S, 9990); // down 10 after 5 s
    p.record(50 * S, 10050);
    const fills = [
      { time: 0, price: 10000, qty: 100, fee: 0, venue: 'A' },
      { time: 0, price: 10000, qty: 300, fee: 0, venue: 'A' },
      { time: 1 * S, price: 10005, qty: 100, fee: 0, venue: 'B' },
    ];
    const m = markoutsByVenue(BUY, fills, p);
    const a = m.find((v) => v.venue === 'A')!;
    expect(a.shares).toBe(400);
    expect(a.markout_bps[0]).toBeCloseTo(0, 9); // 1 s: mid still 10000
    expect(a.markout_bps[1]).toBeCloseTo(10, 9); // 10 s: 9990, we paid 10000
    expect(a.markout_bps[2]).toBeCloseTo(-50, 9); // 60 s: 10050
    const b = m.find((v) => v.venue === 'B')!;
    expect(b.markout_bps[0]).toBeCloseTo((5 / 10005) * 1e4, 9); // at 2 s the mid is 10000, paid 10005
    // a sell sees the same moves with the opposite sign
    expect(markoutsByVenue(SELL, fills.slice(0, 1), p)[0]!.markout_bps[1]).toBeCloseTo(-10, 9);
  });
});
