import { BUY, type Side } from '../../core/types.js';
import { mergeLevels, type BookSnapshot } from '../../features/engine.js';

/**
 * The consolidated book as our own lit lots make it. The models learnt from probes whose features were the book
 * without the probe; the router's lots are many, and in a market whose flow reacts to the queues they change the
 * book the next lot meets: the best price (a lot inside the spread is the new best), the queue there, the imbalance,
 * the spread and the depths. The router asks its models about each next lot with the lots already given in the book,
 * each lot as a probe that meets them.
 */
export class OwnDisplay {
  /** Our lots on our side, best first, consolidated by price. */
  private readonly ours: { price: number; qty: number }[] = [];
  private cached: BookSnapshot | null = null;

  constructor(
    private readonly market: BookSnapshot,
    private readonly side: Side,
  ) {}

  /** `qty` more shown at `price`. */
  add(price: number, qty: number): void {
    const l = this.ours.find((s) => s.price === price);
    if (l) l.qty += qty;
    else {
      this.ours.push({ price, qty });
      this.ours.sort((a, b) => (this.side === BUY ? b.price - a.price : a.price - b.price));
    }
    this.cached = null;
  }

  /** The consolidated top five levels with our lots on our side. */
  book(): BookSnapshot {
    if (this.cached) return this.cached;
    if (this.ours.length === 0) return (this.cached = this.market);
    const own = mergeLevels([this.side === BUY ? this.market.bids : this.market.asks, this.ours], this.side, 5);
    return (this.cached = this.side === BUY ? { bids: own, asks: this.market.asks } : { bids: this.market.bids, asks: own });
  }

  /** Shares we show in all, and at `price`. */
  shown(price?: number): number {
    let n = 0;
    for (const l of this.ours) if (price === undefined || l.price === price) n += l.qty;
    return n;
  }
}
