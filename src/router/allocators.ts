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

/** One venue as Cont–Kukanov optimal placement sees it. */
export interface PlacementVenue {
  venue: string;
  /** Shares queued ahead of a new limit order at the touch. */
  queue: number;
  /** Rebate for providing liquidity, per share, price units (a fee is a negative rebate). */
  rebate: number;
  /** Draws the venue's outflow over the horizon: shares that leave the front of the queue (trades and cancels). */
  outflow(u: () => number): number;
}

export interface PlacementProblem {
  /** Shares to get done over the horizon. */
  target: number;
  /** Half the spread, and the fee to take now (per share, price units). */
  halfSpread: number;
  takeFee: number;
  venues: readonly PlacementVenue[];
  /** Penalties per share for ending short of the target, or beyond it. */
  underfill: number;
  overfill: number;
}

/** The cost of a split (market order M, limit orders L) for one draw of the outflows. */
export function placementCost(p: PlacementProblem, M: number, L: readonly number[], xi: readonly number[]): number {
  let filled = M;
  let cost = (p.halfSpread + p.takeFee) * M;
  p.venues.forEach((v, k) => {
    const f = Math.min(Math.max(xi[k]! - v.queue, 0), L[k]!);
    filled += f;
    cost -= (p.halfSpread + v.rebate) * f;
  });
  return cost + p.underfill * Math.max(p.target - filled, 0) + p.overfill * Math.max(filled - p.target, 0);
}

/**
 * Cont–Kukanov optimal order placement (R. Cont, A. Kukanov, "Optimal order placement in limit order markets",
 * Quantitative Finance 17(1), 2017): how much to take now with a market order and how much to post at each venue,
 * minimising the expected cost above by stochastic approximation: projected subgradient steps (Robbins–Monro,
 * step γ0/√n) over sampled outflows, averaging the iterates. `u` draws uniforms in [0, 1): a seeded generator.
 */
export function contKukanov(p: PlacementProblem, u: () => number, iterations = 4000): { market: number; limits: number[] } {
  const K = p.venues.length;
  let M = p.target / (K + 1);
  const L = p.venues.map(() => p.target / (K + 1));
  let avgM = 0;
  const avgL = new Array<number>(K).fill(0);
  const scale = p.halfSpread + p.takeFee + p.underfill + p.overfill;
  const gamma0 = p.target / Math.max(scale, 1e-9);
  const xi = new Array<number>(K);
  for (let n = 1; n <= iterations; n++) {
    for (let k = 0; k < K; k++) xi[k] = p.venues[k]!.outflow(u);
    let filled = M;
    for (let k = 0; k < K; k++) filled += Math.min(Math.max(xi[k]! - p.venues[k]!.queue, 0), L[k]!);
    const pen = filled < p.target ? -p.underfill : filled > p.target ? p.overfill : 0;
    const step = gamma0 / Math.sqrt(n);
    M = Math.min(p.target, Math.max(0, M - step * (p.halfSpread + p.takeFee + pen)));
    for (let k = 0; k < K; k++) {
      // one more share posted fills only if the outflow reaches past the queue and what is already posted
      const g = xi[k]! - p.venues[k]!.queue > L[k]! ? -(p.halfSpread + p.venues[k]!.rebate) + pen : 0;
      L[k] = Math.min(p.target, Math.max(0, L[k]! - step * g));
    }
    avgM += (M - avgM) / n;
    for (let k = 0; k < K; k++) avgL[k] = avgL[k]! + (L[k]! - avgL[k]!) / n;
  }
  return { market: Math.round(avgM), limits: avgL.map(Math.round) };
}
