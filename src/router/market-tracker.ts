import { BUY, type Side } from '../core/types.js';

/**
 * What the router learns from market data (events in: quotes and trade prints per venue, as a feed delivers them):
 * the lit volume printed, and per venue and side the queue depletion at the best, the outflow that
 * Cont–Kukanov placement needs. Depletion counts shares leaving the best level: a smaller displayed quantity at
 * the same price, or the whole level when the price worsens (the queue ran out). A better price starts a new queue.
 */
export class MarketTracker {
  private readonly index = new Map<string, number>();
  private readonly price: Float64Array;
  private readonly qty: Float64Array;
  private readonly depleted: Float64Array;
  volume = 0;

  constructor(venues: readonly string[]) {
    venues.forEach((v, i) => this.index.set(v, i));
    this.price = new Float64Array(venues.length * 2).fill(NaN);
    this.qty = new Float64Array(venues.length * 2);
    this.depleted = new Float64Array(venues.length * 2);
  }

  onQuote(venue: string, bid: number, bidQty: number, ask: number, askQty: number): void {
    const i = this.index.get(venue);
    if (i === undefined) return;
    this.side(2 * i, BUY, bid, bidQty);
    this.side(2 * i + 1, 1, ask, askQty);
  }

  onTrade(qty: number): void {
    this.volume += qty;
  }

  depletion(venue: string, side: Side): number {
    const i = this.index.get(venue);
    return i === undefined ? 0 : this.depleted[2 * i + side]!;
  }

  private side(k: number, side: Side, price: number, qty: number): void {
    const before = this.price[k]!;
    if (price === before) this.depleted[k]! += Math.max(0, this.qty[k]! - qty);
    else if (before === before) {
      const worse = price !== price || (side === BUY ? price < before : price > before);
      if (worse) this.depleted[k]! += this.qty[k]!;
    }
    this.price[k] = price;
    this.qty[k] = price === price ? qty : 0;
  }
}
