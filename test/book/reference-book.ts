/**
 * A deliberately naive order book for property tests: a flat list of orders, and for every fill a full scan for
 * the best maker by (price, displayed-before-hidden, time priority). Slow and obviously faithful to the rules
 * stated at the top of src/book/order-book.ts, so the fast book can be compared with it operation by operation.
 */
import type { Side } from '../../src/core/types.js';

interface RefOrder {
  id: number;
  side: Side;
  price: number;
  shown: number; // quantity in its queue
  reserve: number;
  display: number;
  hidden: boolean;
  prio: number;
}

export interface RefTrade {
  maker: number;
  taker: number;
  price: number;
  qty: number;
}

export class ReferenceBook {
  orders: RefOrder[] = [];
  trades: RefTrade[] = [];
  private clock = 0;

  limit(id: number, side: Side, price: number, qty: number, o: { tif?: number; postOnly?: boolean; hidden?: boolean; display?: number } = {}): string {
    if (this.orders.some((x) => x.id === id)) return 'rejected-duplicate-id';
    const crosses = (m: RefOrder): boolean => m.side !== side && (side === 0 ? m.price <= price : m.price >= price);
    if (o.postOnly && this.orders.some(crosses)) return 'rejected-post-only';
    if (o.tif === 2) {
      const avail = this.orders.filter(crosses).reduce((a, m) => a + m.shown + m.reserve, 0);
      if (avail < qty) return 'rejected-fok';
    }
    const left = this.match(id, side, price, qty);
    if (left === 0) return 'filled';
    if ((o.tif ?? 0) !== 0) return 'partial-cancelled';
    const display = o.display ?? 0;
    const ice = !o.hidden && display > 0 && display < left;
    this.orders.push({
      id,
      side,
      price,
      shown: ice ? display : left,
      reserve: ice ? left - display : 0,
      display: ice ? display : 0,
      hidden: !!o.hidden,
      prio: this.clock++,
    });
    return left < qty ? 'partial-rested' : 'rested';
  }

  market(id: number, side: Side, qty: number): number {
    return qty - this.match(id, side, side === 0 ? Infinity : -Infinity, qty);
  }

  cancel(id: number): number {
    const i = this.orders.findIndex((x) => x.id === id);
    if (i < 0) return 0;
    const o = this.orders[i]!;
    this.orders.splice(i, 1);
    return o.shown + o.reserve;
  }

  reduce(id: number, by: number): number {
    const o = this.orders.find((x) => x.id === id);
    if (!o || by <= 0) return 0;
    if (by >= o.shown + o.reserve) return this.cancel(id);
    const r = Math.min(by, o.reserve);
    o.reserve -= r;
    o.shown -= by - r;
    return by;
  }

  replace(id: number, price: number, qty: number): string {
    const o = this.orders.find((x) => x.id === id);
    if (!o) return 'rejected-unknown-id';
    const leaves = o.shown + o.reserve;
    if (price === o.price && qty <= leaves) {
      this.reduce(id, leaves - qty);
      return 'rested';
    }
    this.cancel(id);
    return this.limit(id, o.side, price, qty, { hidden: o.hidden, display: o.display });
  }

  /** L2 of one side, best first, displayed quantity only. */
  depth(side: Side): { price: number; qty: number }[] {
    const m = new Map<number, number>();
    for (const o of this.orders) if (o.side === side && !o.hidden) m.set(o.price, (m.get(o.price) ?? 0) + o.shown);
    return [...m.entries()].map(([price, qty]) => ({ price, qty })).sort((a, b) => (side === 0 ? b.price - a.price : a.price - b.price));
  }

  private match(taker: number, side: Side, limit: number, qty: number): number {
    let left = qty;
    while (left > 0) {
      let best: RefOrder | undefined;
      for (const m of this.orders) {
        if (m.side === side) continue;
        if (side === 0 ? m.price > limit : m.price < limit) continue;
        if (!best || better(m, best, side)) best = m;
      }
      if (!best) break;
      const fill = Math.min(left, best.shown);
      left -= fill;
      best.shown -= fill;
      this.trades.push({ maker: best.id, taker, price: best.price, qty: fill });
      if (best.shown === 0) {
        if (best.reserve > 0) {
          best.shown = Math.min(best.display, best.reserve);
          best.reserve -= best.shown;
          best.prio = this.clock++;
        } else this.orders.splice(this.orders.indexOf(best), 1);
      }
    }
    return left;
  }
}

function better(a: RefOrder, b: RefOrder, takerSide: Side): boolean {
  if (a.price !== b.price) return takerSide === 0 ? a.price < b.price : a.price > b.price;
  if (a.hidden !== b.hidden) return !a.hidden;
  return a.prio < b.prio;
}
