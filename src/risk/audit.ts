import { BPS, BUY, NS_PER_SECOND, PRICE_UNITS_PER_CURRENCY } from '../core/types.js';
import type { ExecReport, OrderMessage } from '../venue/types.js';
import type { RiskLimits } from './limits.js';

type NewOrder = Extract<OrderMessage, { type: 'new' }>;

/**
 * An independent reading of every child order that leaves the router: the limits each must have kept, worked out from
 * the messages sent and the venues' reports alone, with its own simple bookkeeping (not the guardrails' windows nor
 * the order manager's books). It is what the property test and `sor risk fuzz` hold the guardrails to. It checks
 * size, notional, the price collar against the consolidated quote at the moment of sending, the rates per venue and
 * in all (a sliding second), open orders per venue and in all, duplicates within the window, nothing new while
 * halted, and that no parent could overfill (its fills plus what its working children could still fill, plus the
 * new child, within its size). Participation is left to the unit tests: its window's volume is sampled.
 */
export class ChildAudit {
  readonly breaches: string[] = [];
  breachCount = 0;
  children = 0;
  /** Per venue and in all: send times of the last second, oldest first. */
  private readonly recentByVenue = new Map<string, number[]>();
  private readonly recentAll: number[] = [];
  /** Working children: venue, parent, size and filled so far. */
  private readonly working = new Map<number, { venue: string; parent: string; qty: number; filled: number }>();
  private readonly workingByVenue = new Map<string, number>();
  private readonly parents = new Map<string, { qty: number; filled: number }>();
  /** Recent orders by their identity (parent, venue, side, type, price, size): when last sent. */
  private readonly lastSame = new Map<string, number>();

  constructor(
    private readonly L: RiskLimits,
    /** How many breaches are kept in full (all are counted). */
    private readonly keep = 20,
  ) {}

  /** A parent the router took, and its size. */
  parent(id: string, qty: number): void {
    this.parents.set(id, { qty, filled: 0 });
  }

  /** A message that left for a venue at time t (ns), with the consolidated quote then and whether the router was halted. */
  sent(t: number, venue: string, msg: OrderMessage, parentId: string, quote: { bid: number; ask: number }, halted: boolean): void {
    if (msg.type !== 'new') return;
    this.children++;
    const m: NewOrder = msg;
    const tag = `child ${m.clOrdId} (${parentId}, ${venue}, ${m.qty} @ ${m.price})`;
    const L = this.L;
    if (halted) this.flag(`${tag}: sent while halted`);
    if (m.qty > L.child.maxQty) this.flag(`${tag}: size above ${L.child.maxQty}`);
    const { bid, ask } = quote;
    const mid = (bid + ask) / 2;
    const px = m.ordType === 'limit' ? m.price : m.ordType === 'market' ? (m.side === BUY ? ask : bid) : Number.isFinite(mid) ? mid : m.price;
    if (Number.isFinite(px) && (m.qty * px) / PRICE_UNITS_PER_CURRENCY > L.child.maxNotional) this.flag(`${tag}: notional above ${L.child.maxNotional}`);
    if (m.ordType === 'limit') {
      const b = L.child.collarBps / BPS;
      const above = Number.isFinite(ask) && m.price > ask * (1 + b);
      const below = Number.isFinite(bid) && m.price < bid * (1 - b);
      if (above || below) this.flag(`${tag}: outside the collar of ${bid} × ${ask}`);
      if (!Number.isFinite(bid) && !Number.isFinite(ask)) this.flag(`${tag}: a limit order with no quote`);
    }
    // rates: sends in the last second, this one included
    let rv = this.recentByVenue.get(venue);
    if (!rv) this.recentByVenue.set(venue, (rv = []));
    for (const list of [rv, this.recentAll]) {
      list.push(t);
      while (list[0]! <= t - NS_PER_SECOND) list.shift();
    }
    if (rv.length > L.rate.perVenuePerSecond) this.flag(`${tag}: ${rv.length} orders to ${venue} within a second`);
    if (this.recentAll.length > L.rate.totalPerSecond) this.flag(`${tag}: ${this.recentAll.length} orders within a second`);
    // open orders before it
    const atVenue = this.workingByVenue.get(venue) ?? 0;
    if (atVenue >= L.openOrders.perVenue) this.flag(`${tag}: ${atVenue} already working at ${venue}`);
    if (this.working.size >= L.openOrders.total) this.flag(`${tag}: ${this.working.size} already working`);
    if (L.duplicateWindowMs > 0) {
      const key = `${parentId}|${venue}|${m.side}|${m.ordType}|${m.price}|${m.qty}`;
      const last = this.lastSame.get(key);
      if (last !== undefined && t - last < L.duplicateWindowMs * 1e6) this.flag(`${tag}: the same order ${(t - last) / 1e6} ms after the last`);
      this.lastSame.set(key, t);
    }
    // the parent: what is filled, what its working children could still fill, and this one, within its size
    const p = this.parents.get(parentId);
    if (!p) this.flag(`${tag}: for a parent the router never took`);
    else {
      let exposure = p.filled + m.qty;
      for (const w of this.working.values()) if (w.parent === parentId) exposure += w.qty - w.filled;
      if (exposure > p.qty) this.flag(`${tag}: ${parentId} could fill ${exposure} of ${p.qty}`);
    }
    this.working.set(m.clOrdId, { venue, parent: parentId, qty: m.qty, filled: 0 });
    this.workingByVenue.set(venue, atVenue + 1);
  }

  /** A venue's report. */
  report(r: ExecReport): void {
    const w = this.working.get(r.clOrdId);
    if (!w) return;
    if (r.kind === 'fill') {
      w.filled += r.qty;
      const p = this.parents.get(w.parent);
      if (p) {
        p.filled += r.qty;
        if (p.filled > p.qty) this.flag(`parent ${w.parent} filled ${p.filled} of ${p.qty}`);
      }
    }
    if (r.kind === 'cancelled' || r.kind === 'rejected' || (r.kind === 'fill' && r.leaves === 0)) {
      this.working.delete(r.clOrdId);
      this.workingByVenue.set(w.venue, (this.workingByVenue.get(w.venue) ?? 1) - 1);
    }
  }

  /** Children still working (by the venues' reports). */
  get open(): number {
    return this.working.size;
  }

  private flag(s: string): void {
    this.breachCount++;
    if (this.breaches.length < this.keep) this.breaches.push(s);
  }
}
