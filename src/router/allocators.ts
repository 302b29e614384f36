import { BUY, type Side } from '../core/types.js';

/**
 * Allocators decide *where and how*: given what each venue displays on the side we take from, and what taking
 * costs there, split a quantity into child orders. They are pure functions of that view, so the same allocator
 * runs in a backtest and live. What comes back unfilled is routed again by calling the allocator on the next view.
 */
export interface VenueView {
  venue: string;
  /** Displayed levels on the side we would take from (asks to buy, bids to sell), best first. */
  levels: readonly { price: number; qty: number }[];
  /** Fee to take, per share, in price units (negative = a rebate). */
  takeFee: number;
}

/** A child order: an immediate-or-cancel limit at `price` (the worst price it may take) for `qty`. */
export interface ChildPlan {
  venue: string;
  price: number;
  qty: number;
}

export interface Allocator {
  readonly name: string;
  allocate(side: Side, qty: number, views: readonly VenueView[]): ChildPlan[];
}

/**
 * The traditional rule-based smart order router (the seed's Table 1): sweep the best displayed prices across all
 * venues, best price first; among equal prices take where the all-in price (price + take fee) is lowest, then where
 * more is displayed. One IOC child per venue, limited at the worst price taken there.
 */
export const ruleBasedSor: Allocator = {
  name: 'rule',
  allocate(side, qty, views) {
    const buy = side === BUY;
    const offers: { venue: string; price: number; qty: number; allIn: number; shown: number }[] = [];
    for (const v of views) {
      for (const l of v.levels) {
        if (l.qty > 0) offers.push({ venue: v.venue, price: l.price, qty: l.qty, allIn: buy ? l.price + v.takeFee : l.price - v.takeFee, shown: l.qty });
      }
    }
    offers.sort((a, b) => (buy ? a.price - b.price : b.price - a.price) || (buy ? a.allIn - b.allIn : b.allIn - a.allIn) || b.shown - a.shown);
    const byVenue = new Map<string, ChildPlan>();
    let left = qty;
    for (const o of offers) {
      if (left <= 0) break;
      const take = Math.min(left, o.qty);
      const c = byVenue.get(o.venue);
      if (c) {
        c.qty += take;
        c.price = o.price; // levels come best first: the last one taken is the worst
      } else byVenue.set(o.venue, { venue: o.venue, price: o.price, qty: take });
      left -= take;
    }
    return [...byVenue.values()];
  },
};

/**
 * The naive router: split the quantity across the venues quoting the best price, in proportion to what each
 * displays there (largest remainder to the largest), each child an IOC at that price. It ignores fees and depth.
 */
export const proRata: Allocator = {
  name: 'prorata',
  allocate(side, qty, views) {
    const buy = side === BUY;
    let best = NaN;
    for (const v of views) {
      const p = v.levels[0]?.price;
      if (p !== undefined && v.levels[0]!.qty > 0 && (best !== best || (buy ? p < best : p > best))) best = p;
    }
    if (best !== best) return [];
    const at = views.filter((v) => v.levels[0]?.price === best && v.levels[0].qty > 0);
    const shown = at.reduce((a, v) => a + v.levels[0]!.qty, 0);
    const total = Math.min(qty, shown);
    const plans = at.map((v) => ({ venue: v.venue, price: best, qty: Math.floor((total * v.levels[0]!.qty) / shown) }));
    let rest = total - plans.reduce((a, p) => a + p.qty, 0);
    const order = plans.map((_, i) => i).sort((a, b) => at[b]!.levels[0]!.qty - at[a]!.levels[0]!.qty);
    for (const i of order) {
      if (rest <= 0) break;
      plans[i]!.qty++;
      rest--;
    }
    return plans.filter((p) => p.qty > 0);
  },
};
