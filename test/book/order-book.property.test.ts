import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook, RESULT_NAMES, type TradeListener } from '../../src/book/order-book.js';
import { BUY, SELL, type Side } from '../../src/core/types.js';
import { ReferenceBook, type RefTrade } from './reference-book.js';

type Op =
  | { k: 'limit'; side: Side; price: number; qty: number; tif: 0 | 1 | 2; postOnly: boolean; hidden: boolean; display: number }
  | { k: 'market'; side: Side; qty: number }
  | { k: 'cancel'; pick: number }
  | { k: 'reduce'; pick: number; by: number }
  | { k: 'replace'; pick: number; price: number; qty: number };

// Prices on a narrow grid so that orders meet, queue at the same price and cross often.
const price = fc.integer({ min: 95, max: 105 }).map((p) => p * 100);
const side = fc.constantFrom<Side>(BUY, SELL);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        k: fc.constant('limit' as const),
        side,
        // buys mostly below sells, overlapping by two ticks: queues build up and some orders cross
        off: fc.integer({ min: 0, max: 6 }),
        qty: fc.integer({ min: 1, max: 50 }),
        tif: fc.constantFrom<0 | 1 | 2>(0, 0, 0, 1, 2),
        postOnly: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
        hidden: fc.integer({ min: 0, max: 5 }).map((x) => x === 0),
        display: fc.constantFrom(0, 0, 0, 5, 10),
      })
      .map(({ off, ...o }) => ({ ...o, price: o.side === BUY ? (100 - off) * 100 : (99 + off) * 100 })),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('market' as const), side, qty: fc.integer({ min: 1, max: 120 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('reduce' as const), pick: fc.nat(), by: fc.integer({ min: 1, max: 30 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('replace' as const), pick: fc.nat(), price, qty: fc.integer({ min: 1, max: 50 }) }),
  },
);

class Recorder implements TradeListener {
  trades: RefTrade[] = [];
  leaves: number[] = [];
  onTrade(maker: number, taker: number, price: number, qty: number, _s: Side, _mo: number, _to: number, makerLeaves: number): void {
    this.trades.push({ maker, taker, price, qty });
    this.leaves.push(makerLeaves);
  }
}

/** Runs ops on both books; returns the fast book, its recorder and the reference for further checks. */
function runBoth(ops: Op[], idOf: (n: number) => number = (n) => n) {
  const rec = new Recorder();
  const book = new OrderBook(rec, 4); // tiny capacity forces the pool to grow during the run
  const ref = new ReferenceBook();
  let nextId = 1;
  const live = (): number[] => ref.orders.map((o) => o.id);
  let submitted = 0;
  let removedByCancel = 0;
  let droppedUnfilled = 0;
  for (const op of ops) {
    switch (op.k) {
      case 'limit': {
        const id = idOf(nextId++);
        const opts = { tif: op.tif, postOnly: op.postOnly, hidden: op.hidden, display: op.display };
        const r = book.limit(id, op.side, op.price, op.qty, opts);
        const e = ref.limit(id, op.side, op.price, op.qty, opts);
        expect(RESULT_NAMES[r]).toBe(e);
        if (!e.startsWith('rejected')) {
          submitted += op.qty;
          if (e === 'partial-cancelled') droppedUnfilled += op.qty - book.lastTraded;
        }
        break;
      }
      case 'market': {
        const id = idOf(nextId++);
        const got = book.market(id, op.side, op.qty);
        expect(got).toBe(ref.market(id, op.side, op.qty));
        submitted += op.qty;
        droppedUnfilled += op.qty - got;
        break;
      }
      case 'cancel': {
        const ids = live();
        if (ids.length === 0) break;
        const id = ids[op.pick % ids.length]!;
        const got = book.cancel(id);
        expect(got).toBe(ref.cancel(id));
        removedByCancel += got;
        break;
      }
      case 'reduce': {
        const ids = live();
        if (ids.length === 0) break;
        const id = ids[op.pick % ids.length]!;
        const got = book.reduce(id, op.by);
        expect(got).toBe(ref.reduce(id, op.by));
        removedByCancel += got;
        break;
      }
      case 'replace': {
        const ids = live();
        if (ids.length === 0) break;
        const id = ids[op.pick % ids.length]!;
        const before = book.leaves(id);
        const r = book.replace(id, op.price, op.qty);
        expect(RESULT_NAMES[r]).toBe(ref.replace(id, op.price, op.qty));
        // a replace is, for conservation, a cancel of the old leaves and a new order of the new size
        removedByCancel += before;
        submitted += op.qty;
        if (RESULT_NAMES[r] === 'partial-cancelled') droppedUnfilled += op.qty - book.lastTraded;
        break;
      }
    }
    book.checkInvariants(); // never crossed; level totals and links consistent
  }
  return { book, rec, ref, submitted, removedByCancel, droppedUnfilled };
}

describe('order book properties', () => {
  it('matches the naive reference book trade for trade, and is never crossed', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }), (ops) => {
        const { book, rec, ref } = runBoth(ops);
        expect(rec.trades).toEqual(ref.trades);
        expect(book.depth(BUY, 100).map(({ price, qty }) => ({ price, qty }))).toEqual(ref.depth(BUY));
        expect(book.depth(SELL, 100).map(({ price, qty }) => ({ price, qty }))).toEqual(ref.depth(SELL));
        const bb = book.bestPriceInclHidden(BUY);
        const ba = book.bestPriceInclHidden(SELL);
        if (!Number.isNaN(bb) && !Number.isNaN(ba)) expect(bb).toBeLessThan(ba);
      }),
      { numRuns: 400 },
    );
  });

  it('behaves the same with ids that are large, negative or fractional (the id map’s other path)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 100, size: 'max' }), (ops) => {
        const { rec, ref } = runBoth(ops, (n) => (n % 3 === 0 ? -n : n % 3 === 1 ? 2 ** 40 + n : n + 0.5));
        expect(rec.trades).toEqual(ref.trades);
      }),
      { numRuns: 200 },
    );
  });

  it('conserves quantity: submitted = resting + cancelled + dropped + 2 × traded', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 150, size: 'max' }), (ops) => {
        const { book, rec, submitted, removedByCancel, droppedUnfilled } = runBoth(ops);
        const traded = rec.trades.reduce((a, t) => a + t.qty, 0);
        const resting = book.sideQty(BUY) + book.sideQty(SELL);
        expect(submitted).toBe(resting + removedByCancel + droppedUnfilled + 2 * traded);
      }),
      { numRuns: 300 },
    );
  });

  it('fills plain displayed orders at one price in arrival order (FIFO)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 20 }),
        (sizes, takes) => {
          const rec = new Recorder();
          const book = new OrderBook(rec);
          sizes.forEach((q, i) => book.limit(i + 1, SELL, 10_000, q));
          takes.forEach((q, j) => book.market(1000 + j, BUY, q));
          const makers = rec.trades.map((t) => t.maker);
          // each maker appears in one contiguous run and runs are in increasing id (arrival) order
          const firstSeen: number[] = [];
          for (const m of makers) if (firstSeen[firstSeen.length - 1] !== m) firstSeen.push(m);
          expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
          expect(new Set(firstSeen).size).toBe(firstSeen.length);
          // a maker is fully filled before the next one trades
          for (let i = 0; i + 1 < firstSeen.length; i++) {
            const filled = rec.trades.filter((t) => t.maker === firstSeen[i]).reduce((a, t) => a + t.qty, 0);
            expect(filled).toBe(sizes[firstSeen[i]! - 1]);
          }
        },
      ),
    );
  });

  it('never shows hidden quantity, and trades hidden only after all displayed at that price', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ hidden: fc.boolean(), qty: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 400 }),
        (orders, take) => {
          const rec = new Recorder();
          const book = new OrderBook(rec);
          orders.forEach((o, i) => book.limit(i + 1, BUY, 5_000, o.qty, { hidden: o.hidden }));
          const shown = orders.filter((o) => !o.hidden).reduce((a, o) => a + o.qty, 0);
          expect(book.depth(BUY, 5)).toEqual(shown > 0 ? [{ price: 5_000, qty: shown, orders: orders.filter((o) => !o.hidden).length }] : []);
          book.market(999, SELL, take);
          const hiddenIds = new Set(orders.map((o, i) => (o.hidden ? i + 1 : -1)));
          let sawHidden = false;
          let visibleTraded = 0;
          for (const t of rec.trades) {
            if (hiddenIds.has(t.maker)) sawHidden = true;
            else {
              expect(sawHidden).toBe(false); // no visible fill after a hidden one
              visibleTraded += t.qty;
            }
          }
          if (sawHidden) expect(visibleTraded).toBe(shown);
        },
      ),
    );
  });

  it('shows an iceberg a slice at a time and sends each refill to the back of the queue', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }), // display
        fc.integer({ min: 21, max: 200 }), // total
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 }), // others queued after it
        (display, total, others) => {
          const rec = new Recorder();
          const book = new OrderBook(rec);
          book.limit(1, SELL, 7_000, total, { display });
          others.forEach((q, i) => book.limit(10 + i, SELL, 7_000, q));
          const othersQty = others.reduce((a, b) => a + b, 0);
          expect(book.depth(SELL, 1)[0]!.qty).toBe(display + othersQty);
          // take exactly the first slice: the iceberg must now sit behind every other order
          book.market(100, BUY, display);
          expect(book.queue(SELL, 7_000)).toEqual([...others.map((_, i) => 10 + i), 1]);
          expect(book.depth(SELL, 1)[0]!.qty).toBe(othersQty + Math.min(display, total - display));
          // the next taker reaches the others before the iceberg's new slice
          rec.trades.length = 0;
          book.market(101, BUY, othersQty);
          expect(rec.trades.every((t) => t.maker !== 1)).toBe(true);
          book.checkInvariants();
        },
      ),
    );
  });
});
