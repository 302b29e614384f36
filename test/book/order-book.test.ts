import { describe, expect, it } from 'vitest';
import {
  FILLED,
  OrderBook,
  PARTIAL_CANCELLED,
  PARTIAL_RESTED,
  REJECTED_DUPLICATE_ID,
  REJECTED_FOK,
  REJECTED_INVALID,
  REJECTED_POST_ONLY,
  REJECTED_UNKNOWN_ID,
  RESTED,
  type TradeListener,
} from '../../src/book/order-book.js';
import { BUY, FOK, IOC, SELL, type Side } from '../../src/core/types.js';

interface T {
  maker: number;
  taker: number;
  price: number;
  qty: number;
  side: Side;
  leaves: number;
  makerOwner: number;
  takerOwner: number;
}
function recorder(): TradeListener & { trades: T[] } {
  const trades: T[] = [];
  return {
    trades,
    onTrade(maker, taker, price, qty, side, makerOwner, takerOwner, leaves) {
      trades.push({ maker, taker, price, qty, side, leaves, makerOwner, takerOwner });
    },
  };
}

describe('OrderBook', () => {
  it('rests non-crossing limits and shows them in the L2 view, best first', () => {
    const b = new OrderBook();
    expect(b.limit(1, BUY, 9_900, 100)).toBe(RESTED);
    expect(b.limit(2, BUY, 9_800, 50)).toBe(RESTED);
    expect(b.limit(3, BUY, 9_900, 30)).toBe(RESTED);
    expect(b.limit(4, SELL, 10_100, 70)).toBe(RESTED);
    expect(b.limit(5, SELL, 10_000, 10)).toBe(RESTED);
    expect(b.depth(BUY, 5)).toEqual([
      { price: 9_900, qty: 130, orders: 2 },
      { price: 9_800, qty: 50, orders: 1 },
    ]);
    expect(b.depth(SELL, 1)).toEqual([{ price: 10_000, qty: 10, orders: 1 }]);
    expect(b.bestBid()).toBe(9_900);
    expect(b.bestAsk()).toBe(10_000);
    expect(b.bestQty(BUY)).toBe(130);
  });

  it('matches an aggressive limit at the makers’ prices, walking levels, and rests the rest', () => {
    const rec = recorder();
    const b = new OrderBook(rec);
    b.limit(1, SELL, 10_000, 10, { owner: 7 });
    b.limit(2, SELL, 10_100, 20);
    b.limit(3, SELL, 10_200, 30);
    expect(b.limit(9, BUY, 10_100, 50, { owner: 3 })).toBe(PARTIAL_RESTED);
    expect(b.lastTraded).toBe(30);
    expect(b.lastRested).toBe(20);
    expect(rec.trades).toEqual([
      { maker: 1, taker: 9, price: 10_000, qty: 10, side: BUY, leaves: 0, makerOwner: 7, takerOwner: 3 },
      { maker: 2, taker: 9, price: 10_100, qty: 20, side: BUY, leaves: 0, makerOwner: 0, takerOwner: 3 },
    ]);
    expect(b.bestBid()).toBe(10_100);
    expect(b.bestAsk()).toBe(10_200);
    b.checkInvariants();
  });

  it('IOC cancels its remainder; FOK trades all or nothing', () => {
    const b = new OrderBook();
    b.limit(1, SELL, 10_000, 10);
    b.limit(2, SELL, 10_100, 10);
    expect(b.limit(3, BUY, 10_000, 25, { tif: IOC })).toBe(PARTIAL_CANCELLED);
    expect(b.lastTraded).toBe(10);
    expect(b.has(3)).toBe(false);
    expect(b.limit(4, BUY, 10_100, 11, { tif: FOK })).toBe(REJECTED_FOK);
    expect(b.leaves(2)).toBe(10);
    expect(b.limit(5, BUY, 10_100, 10, { tif: FOK })).toBe(FILLED);
    expect(b.orderCount).toBe(0);
  });

  it('FOK counts hidden and iceberg reserve liquidity', () => {
    const b = new OrderBook();
    b.limit(1, SELL, 10_000, 10, { hidden: true });
    b.limit(2, SELL, 10_000, 30, { display: 5 });
    expect(b.limit(3, BUY, 10_000, 40, { tif: FOK })).toBe(FILLED);
  });

  it('rejects post-only orders that would take, and rests those that would not', () => {
    const b = new OrderBook();
    b.limit(1, SELL, 10_000, 10);
    expect(b.limit(2, BUY, 10_000, 5, { postOnly: true })).toBe(REJECTED_POST_ONLY);
    expect(b.leaves(1)).toBe(10);
    expect(b.limit(3, BUY, 9_900, 5, { postOnly: true })).toBe(RESTED);
  });

  it('market orders sweep until filled or the side is empty', () => {
    const rec = recorder();
    const b = new OrderBook(rec);
    b.limit(1, BUY, 9_900, 10);
    b.limit(2, BUY, 9_800, 10);
    expect(b.market(3, SELL, 15)).toBe(15);
    expect(b.leaves(2)).toBe(5);
    expect(b.market(4, SELL, 100)).toBe(5);
    expect(b.orderCount).toBe(0);
    expect(rec.trades.map((t) => [t.price, t.qty, t.side])).toEqual([
      [9_900, 10, SELL],
      [9_800, 5, SELL],
      [9_800, 5, SELL],
    ]);
  });

  it('rejects duplicate live ids and invalid quantities, and accepts an id again once it is gone', () => {
    const b = new OrderBook();
    b.limit(1, BUY, 9_900, 10);
    expect(b.limit(1, BUY, 9_800, 10)).toBe(REJECTED_DUPLICATE_ID);
    expect(b.limit(2, BUY, 9_800, 0)).toBe(REJECTED_INVALID);
    expect(b.limit(2, BUY, 9_800, 1.5)).toBe(REJECTED_INVALID);
    expect(b.limit(2, BUY, 98.5, 1)).toBe(REJECTED_INVALID);
    b.cancel(1);
    expect(b.limit(1, BUY, 9_800, 10)).toBe(RESTED);
  });

  it('ignores cancels, reductions and replaces of ids it does not hold', () => {
    const b = new OrderBook();
    b.limit(1, BUY, 9_900, 10);
    expect(b.cancel(2)).toBe(0);
    expect(b.reduce(2, 5)).toBe(0);
    expect(b.reduce(-7, 5)).toBe(0);
    expect(b.cancel(2 ** 40)).toBe(0);
    expect(b.replace(3, 9_900, 5)).toBe(REJECTED_UNKNOWN_ID);
    expect(b.leaves(1)).toBe(10);
    expect(b.orderCount).toBe(1);
    b.checkInvariants();
  });

  it('keeps finding orders when its direct id table grows past ids first filed in the Map', () => {
    const b = new OrderBook(null, 16);
    b.limit(5000, BUY, 9_900, 7); // beyond the initial table: filed in the Map
    b.limit(16_000_000, BUY, 9_900, 3); // LOBSTER-sized id: stays in the Map
    for (let id = 1; id < 4200; id++) b.limit(id, SELL, 10_000 + (id % 5) * 100, 1); // dense ids grow the table past 5000
    expect(b.leaves(5000)).toBe(7);
    expect(b.queue(BUY, 9_900)).toEqual([5000, 16_000_000]);
    expect(b.cancel(5000)).toBe(7);
    expect(b.has(5000)).toBe(false);
    expect(b.limit(5000, BUY, 9_800, 2)).toBe(RESTED); // the id may be used again once gone
    expect(b.cancel(16_000_000)).toBe(3);
    expect(b.orderCount).toBe(4199 + 1);
    b.checkInvariants();
  });

  it('partial cancel keeps queue priority', () => {
    const rec = recorder();
    const b = new OrderBook(rec);
    b.limit(1, SELL, 10_000, 100);
    b.limit(2, SELL, 10_000, 100);
    expect(b.reduce(1, 60)).toBe(60);
    expect(b.queue(SELL, 10_000)).toEqual([1, 2]);
    b.market(3, BUY, 50);
    expect(rec.trades.map((t) => [t.maker, t.qty])).toEqual([
      [1, 40],
      [2, 10],
    ]);
  });

  it('replace: a smaller size at the same price keeps priority; a new price or a larger size loses it', () => {
    const b = new OrderBook();
    b.limit(1, BUY, 9_900, 100);
    b.limit(2, BUY, 9_900, 100);
    b.limit(3, BUY, 9_900, 100);
    b.replace(1, 9_900, 80);
    expect(b.queue(BUY, 9_900)).toEqual([1, 2, 3]);
    b.replace(2, 9_900, 150);
    expect(b.queue(BUY, 9_900)).toEqual([1, 3, 2]);
    expect(b.leaves(2)).toBe(150);
    b.replace(1, 9_800, 80);
    b.replace(1, 9_900, 80);
    expect(b.queue(BUY, 9_900)).toEqual([3, 2, 1]);
  });

  it('a replace to a crossing price trades on arrival', () => {
    const rec = recorder();
    const b = new OrderBook(rec);
    b.limit(1, SELL, 10_000, 30);
    b.limit(2, BUY, 9_900, 50);
    expect(b.replace(2, 10_000, 50)).toBe(PARTIAL_RESTED);
    expect(rec.trades).toHaveLength(1);
    expect(b.bestBid()).toBe(10_000);
    expect(b.leaves(2)).toBe(20);
  });

  it('iceberg: shows a slice, refills to the back, and hides its reserve from the L2 view', () => {
    const rec = recorder();
    const b = new OrderBook(rec);
    b.limit(1, SELL, 10_000, 100, { display: 10 });
    b.limit(2, SELL, 10_000, 5);
    expect(b.depth(SELL, 1)).toEqual([{ price: 10_000, qty: 15, orders: 2 }]);
    expect(b.totalAt(SELL, 10_000)).toBe(105);
    b.market(3, BUY, 12);
    // 10 from the iceberg's slice, then order 2 (the refill went behind it)
    expect(rec.trades.map((t) => [t.maker, t.qty, t.leaves])).toEqual([
      [1, 10, 90],
      [2, 2, 3],
    ]);
    expect(b.queue(SELL, 10_000)).toEqual([2, 1]);
    expect(b.depth(SELL, 1)[0]!.qty).toBe(13);
    // a large taker chews through the refills one slice at a time
    rec.trades.length = 0;
    b.market(4, BUY, 1000);
    expect(rec.trades.length).toBe(1 + 9);
    expect(b.orderCount).toBe(0);
  });

  it('an iceberg that crosses on arrival takes with its whole size, then rests a slice', () => {
    const b = new OrderBook();
    b.limit(1, SELL, 10_000, 30);
    expect(b.limit(2, BUY, 10_000, 100, { display: 20 })).toBe(PARTIAL_RESTED);
    expect(b.lastTraded).toBe(30);
    expect(b.depth(BUY, 1)).toEqual([{ price: 10_000, qty: 20, orders: 1 }]);
    expect(b.leaves(2)).toBe(70);
  });

  it('hidden orders trade after displayed ones at their price but before worse prices', () => {
    const rec = recorder();
    const b = new OrderBook(rec);
    b.limit(1, SELL, 10_000, 10, { hidden: true });
    b.limit(2, SELL, 10_000, 10);
    b.limit(3, SELL, 10_100, 10);
    expect(b.bestAsk()).toBe(10_000);
    b.limit(4, SELL, 9_900, 10, { hidden: true });
    expect(b.bestAsk()).toBe(10_000); // a purely hidden level is not displayed
    expect(b.bestPriceInclHidden(SELL)).toBe(9_900);
    b.market(5, BUY, 25);
    expect(rec.trades.map((t) => t.maker)).toEqual([4, 2, 1]);
  });

  it('cancels deep in a queue of thousands without disturbing the order of the rest', () => {
    const b = new OrderBook(null, 16);
    const n = 5000;
    for (let i = 1; i <= n; i++) b.limit(i, BUY, 9_900, 1 + (i % 7));
    for (let i = 2; i <= n; i += 2) expect(b.cancel(i)).toBe(1 + (i % 7));
    const q = b.queue(BUY, 9_900);
    expect(q.length).toBe(n / 2);
    expect(q.every((id, k) => id === 2 * k + 1)).toBe(true);
    b.checkInvariants();
  });
});
