import { describe, expect, it } from 'vitest';
import { BUY, IOC, SELL } from '../../src/core/types.js';
import { litVenue, Recorder, T0 } from './helpers.js';

describe('LitVenue', () => {
  it("queues a participant's order behind the liquidity that was there first", () => {
    const { k, v } = litVenue();
    const me = new Recorder(k);
    const first = v.flowLimit(BUY, 9_900, 300);
    v.send(me, { type: 'new', clOrdId: 1, side: BUY, ordType: 'limit', price: 9_900, qty: 100 });
    k.run(T0 + 10_000);
    expect(me.kinds()).toEqual(['ack']);
    expect(v.book.queue(BUY, 9_900)).toEqual([first, 2]);
    // a seller takes 250: all from the order ahead, nothing from ours
    v.flowLimit(SELL, 9_900, 250, IOC);
    k.run(T0 + 20_000);
    expect(me.kinds()).toEqual(['ack']);
    // 100 more: 50 from the order ahead, then 50 from ours
    v.flowLimit(SELL, 9_900, 100, IOC);
    k.run(T0 + 30_000);
    const fill = me.reports[1]!;
    expect(fill).toMatchObject({ kind: 'fill', qty: 50, leaves: 50, cumQty: 50, price: 9_900, liquidity: 'make', fee: -20 * 50 });
  });

  it('delivers after entry latency plus speed bump, and reports after response latency', () => {
    const { k, v } = litVenue({ entry: 1000, response: 2000, bump: 350_000 });
    const me = new Recorder(k);
    v.send(me, { type: 'new', clOrdId: 1, side: SELL, ordType: 'limit', price: 10_100, qty: 10 });
    k.run(T0 + 350_999);
    expect(v.book.orderCount).toBe(0); // still in flight
    k.run(T0 + 351_000);
    expect(v.book.orderCount).toBe(1);
    k.run(T0 + 1e9);
    expect(me.reports[0]).toMatchObject({ kind: 'ack', at: T0 + 353_000, venueTime: T0 + 351_000 });
  });

  it('a market order takes liquidity, pays the take fee, and moves the book', () => {
    const { k, v } = litVenue({ take: 30 });
    const me = new Recorder(k);
    v.subscribe(me);
    v.flowLimit(SELL, 10_000, 100);
    v.flowLimit(SELL, 10_100, 100);
    v.flowLimit(BUY, 9_900, 100);
    k.run(T0 + 1);
    v.send(me, { type: 'new', clOrdId: 7, side: BUY, ordType: 'market', price: NaN, qty: 150 });
    k.run(T0 + 1e9);
    const fills = me.reports.filter((r) => r.kind === 'fill');
    expect(fills.map((f) => [f.price, f.qty, f.fee, f.liquidity])).toEqual([
      [10_000, 100, 3000, 'take'],
      [10_100, 50, 1500, 'take'],
    ]);
    expect(fills[1]!.leaves).toBe(0);
    expect(v.book.bestAsk()).toBe(10_100);
    expect(v.book.bestQty(SELL)).toBe(50);
    // the feed saw the ask move, after its latency
    const last = me.quotes[me.quotes.length - 1]!;
    expect(last).toMatchObject({ ask: 10_100, askQty: 50, bid: 9_900 });
    expect(last.at - last.venueTime).toBe(500);
    expect(me.prints.map((p) => [p.price, p.qty, p.aggressor])).toEqual([
      [10_000, 100, BUY],
      [10_100, 50, BUY],
    ]);
  });

  it('cancels, replaces (losing priority on a size increase) and rejects what it cannot accept', () => {
    const { k, v } = litVenue();
    const me = new Recorder(k);
    v.send(me, { type: 'new', clOrdId: 1, side: BUY, ordType: 'limit', price: 9_900, qty: 100 });
    k.run(T0 + 5_000);
    const other = v.flowLimit(BUY, 9_900, 100);
    v.send(me, { type: 'replace', clOrdId: 1, price: 9_900, qty: 200 });
    v.send(me, { type: 'new', clOrdId: 2, side: BUY, ordType: 'limit', price: 9_950, qty: 100 }); // off the tick
    v.send(me, { type: 'new', clOrdId: 1, side: BUY, ordType: 'limit', price: 9_900, qty: 100 }); // duplicate
    k.run(T0 + 10_000);
    expect(v.book.queue(BUY, 9_900)).toEqual([other, 1]);
    expect(v.book.leaves(1)).toBe(200);
    v.send(me, { type: 'cancel', clOrdId: 1 });
    v.send(me, { type: 'cancel', clOrdId: 99 });
    k.run(T0 + 1e9);
    expect(me.kinds()).toEqual(['ack', 'replaced', 'rejected', 'rejected', 'cancelled', 'rejected']);
    expect(me.reports[2]!.reason).toMatch(/tick/);
    expect(me.reports[3]!.reason).toMatch(/duplicate/);
    expect(v.book.has(1)).toBe(false);
    expect(v.stats).toMatchObject({ orders: 2, cancels: 1 });
  });

  it('reports an IOC remainder as cancelled and a rejected post-only order as rejected', () => {
    const { k, v } = litVenue();
    const me = new Recorder(k);
    v.flowLimit(SELL, 10_000, 30);
    v.send(me, { type: 'new', clOrdId: 1, side: BUY, ordType: 'limit', price: 10_000, qty: 50, tif: IOC });
    v.send(me, { type: 'new', clOrdId: 2, side: BUY, ordType: 'limit', price: 10_000, qty: 50, postOnly: true });
    k.run(T0 + 1e9);
    expect(me.kinds()).toEqual(['fill', 'cancelled', 'ack']);
    expect(me.reports[0]!.qty).toBe(30);
    // the post-only order did not cross once the ask was gone: it rests
    expect(v.book.bestBid()).toBe(10_000);
    v.flowLimit(SELL, 10_100, 10);
    v.send(me, { type: 'new', clOrdId: 3, side: BUY, ordType: 'limit', price: 10_100, qty: 5, postOnly: true });
    k.run(T0 + 2e9);
    expect(me.reports[3]).toMatchObject({ kind: 'rejected', reason: 'rejected-post-only' });
  });
});
