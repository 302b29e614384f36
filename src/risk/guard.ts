import { BPS, BUY, NS_PER_SECOND, PRICE_UNITS_PER_CURRENCY, type Side, type VenueKind } from '../core/types.js';
import type { RiskLimits } from './limits.js';

export type RiskCode =
  | 'STATE_HALTED'
  | 'STATE_REDUCING'
  | 'RESTRICTED'
  | 'BAD_ORDER'
  | 'MAX_QTY'
  | 'MAX_NOTIONAL'
  | 'NO_QUOTE'
  | 'PRICE_COLLAR'
  | 'RATE_VENUE'
  | 'RATE_TOTAL'
  | 'OPEN_VENUE'
  | 'OPEN_TOTAL'
  | 'PARTICIPATION'
  | 'DUPLICATE'
  | 'CREDIT';

export interface RiskDenial {
  code: RiskCode;
  /** What was refused and by which limit, for the record and the OMS. */
  detail: string;
}

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
const STRICTNESS: Record<TradingState, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

/** What the guardrails read of the market: the consolidated quote and the lit venues' volume since the open. */
export interface RiskMarket {
  bid(): number;
  ask(): number;
  tradedVolume(): number;
}

export interface ChildRequest {
  parentId: string;
  venue: string;
  venueKind: VenueKind;
  side: Side;
  ordType: 'limit' | 'market' | 'midpeg';
  /** Price units; NaN for none (a market order, an uncapped peg). */
  price: number;
  qty: number;
}

export interface ParentRequest {
  id: string;
  account: string;
  side: Side;
  qty: number;
  /** Price units; absent: none. */
  limit?: number;
}

export interface RiskHooks {
  onDenial?(d: RiskDenial & { time: number; parentId: string; venue?: string }): void;
  /** A trading state changed: in all (`scope` '*') or for a symbol; `who` is a person or a rule. */
  onState?(e: { time: number; scope: string; from: TradingState; to: TradingState; reason: string; who: string }): void;
}

interface OpenChild {
  parentId: string;
  venue: string;
  qty: number;
  filled: number;
}

interface ParentBook {
  account: string;
  qty: number;
  /** The reference price for its notional: its limit, else the mid when it came. */
  refPrice: number;
  filled: number;
  /** Shares out at the venues (working children's unfilled size). */
  working: number;
  children: number;
}

/** Timed values, oldest first, dropped from the front (no Array.shift: its cost grows with the length). */
class TimedQueue {
  private t: number[] = [];
  private v: number[] = [];
  private head = 0;
  get length(): number {
    return this.t.length - this.head;
  }
  push(t: number, v: number): void {
    this.t.push(t);
    this.v.push(v);
  }
  time(i: number): number {
    return this.t[this.head + i]!;
  }
  value(i: number): number {
    return this.v[this.head + i]!;
  }
  /** Drops the oldest; returns its value. */
  drop(): number {
    const x = this.v[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.t.length) {
      this.t = this.t.slice(this.head);
      this.v = this.v.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

/** A window of event times (ns), oldest first: how many fall in the last `spanNs`. */
export class TimeWindow {
  private times: number[] = [];
  private head = 0;
  count(now: number, spanNs: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - spanNs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
  push(t: number): void {
    this.times.push(t);
  }
}

const NS_PER_MS = 1e6;

/**
 * The guardrails between the policy and the venues: every child order of every policy passes `checkChild` before it
 * is sent, in backtests and live (the RouterEngine calls it), and every parent `checkParent` before it is taken.
 * A refusal has a reason code and a text, is counted and handed to `onDenial`, and comes back to the policy as an
 * order that was not sent. Beside the checks, a cross-check keeps its own account of what has left for the venues
 * (from what was sent and what the venues reported, not from the order manager's books) and halts the router when
 * it exceeds what the parents allow. Trading states, per symbol and in all: ACTIVE; REDUCING (no new parents; the
 * parents already working may finish); HALTED (no new child at all; cancels always go).
 *
 * Prices here are in price units (1/10,000 of the currency), as everywhere inside the router; the limits' notionals
 * are in the currency. Times are ns (the router's clock).
 */
export class Guardrails {
  private readonly global = { state: 'ACTIVE' as TradingState };
  private readonly states = new Map<string, TradingState>();
  private readonly restricted: Set<string>;
  private readonly open = new Map<number, OpenChild>();
  /** Per venue: its children of the last second, and how many work now. */
  private readonly perVenue = new Map<string, { rate: TimeWindow; open: number }>();
  private readonly parents = new Map<string, ParentBook>();
  private readonly credit = new Map<string, number>();
  private readonly rateAll = new TimeWindow();
  /** Lit shares sent (time, shares), and the market's cumulative lit volume sampled (time, volume), at most once a ms. */
  private readonly litSent = new TimedQueue();
  private litSentSum = 0;
  private readonly volume = new TimedQueue();
  /** Per parent: its children of the duplicate window, newest last. */
  private readonly recent = new Map<string, { t: number; c: ChildRequest }[]>();
  /** Refusals by reason code, since the start. */
  readonly denials: Partial<Record<RiskCode, number>> = {};
  /** Why the cross-check halted the router, if it did. */
  crossCheckFailure: string | null = null;

  constructor(
    readonly limits: RiskLimits,
    readonly symbol: string,
    private readonly market: RiskMarket,
    private readonly now: () => number,
    private readonly hooks: RiskHooks = {},
  ) {
    this.restricted = new Set(limits.restricted);
  }

  // ------------------------------------------------------------------ trading states

  /** The state that applies to the symbol: the stricter of its own and the router's in all. */
  state(symbol = this.symbol): TradingState {
    const own = this.states.get(symbol) ?? 'ACTIVE';
    let st = STRICTNESS[own] >= STRICTNESS[this.global.state] ? own : this.global.state;
    // the market rules' holds (the symbol's own)
    if (symbol === this.symbol) for (const h of this.holds.values()) if (STRICTNESS[h.state] > STRICTNESS[st]) st = h.state;
    return st;
  }

  // ------------------------------------------------------------------ market rules

  /** The market rules holding the symbol in a safer state now, by rule name (quote, stale, band, venue:<name>). */
  private readonly holds = new Map<string, { state: TradingState; reason: string }>();
  private badSince = NaN;
  private wasWhole = false;
  private lastQuote = { bid: NaN, ask: NaN, at: NaN };
  private readonly mids = new TimedQueue();

  /** The rules in force now: name → state and why. */
  ruleHolds(): Record<string, { state: TradingState; reason: string }> {
    return Object.fromEntries(this.holds);
  }

  /**
   * The market as it is now (the world calls it on every change of the consolidated quote, and the engine at every
   * wake-up, so that a quote that stops changing is seen): each rule holds the symbol or lets it go.
   */
  onMarket(): void {
    const R = this.limits.marketRules;
    const now = this.now();
    const bid = this.market.bid();
    const ask = this.market.ask();
    const hasBid = bid > 0 && Number.isFinite(bid);
    const hasAsk = ask > 0 && Number.isFinite(ask);
    if (!Object.is(bid, this.lastQuote.bid) || !Object.is(ask, this.lastQuote.ask) || !Number.isFinite(this.lastQuote.at))
      this.lastQuote = { bid, ask, at: now };
    // crossed, locked or one-sided, for longer than allowed (one-sided only once the market has been whole: not
    // while the books are still coming in at a start, or after a venue was lost, until its book is back)
    if (hasBid && hasAsk) this.wasWhole = true;
    const bad = !hasBid || !hasAsk ? (this.wasWhole ? 'one-sided' : null) : bid > ask ? 'crossed' : bid === ask ? 'locked' : null;
    if (bad === null) this.badSince = NaN;
    else if (!Number.isFinite(this.badSince)) this.badSince = now;
    this.hold(
      'quote',
      R.badQuoteMs > 0 && bad !== null && now - this.badSince > R.badQuoteMs * NS_PER_MS,
      'HALTED',
      () => `the consolidated quote has been ${bad} for more than ${R.badQuoteMs} ms`,
    );
    this.hold(
      'stale',
      R.staleQuoteMs > 0 && now - this.lastQuote.at > R.staleQuoteMs * NS_PER_MS,
      'HALTED',
      () => `the consolidated quote has not changed for more than ${R.staleQuoteMs} ms`,
    );
    // the price band: the mid against the oldest mid of the window (sampled at most every 100 ms)
    if (R.bandPct > 0 && bad === null) {
      const mid = (bid + ask) / 2;
      const span = R.bandSeconds * NS_PER_SECOND;
      if (this.mids.length === 0 || now - this.mids.time(this.mids.length - 1) >= 100 * NS_PER_MS) this.mids.push(now, mid);
      while (this.mids.length > 1 && this.mids.time(1) <= now - span) this.mids.drop();
      const ref = this.mids.value(0);
      const move = (Math.abs(mid - ref) / ref) * 100;
      this.hold('band', move > R.bandPct, 'HALTED', () => `the mid moved ${move.toFixed(1)} % in ${R.bandSeconds} s, beyond the ${R.bandPct} % band`);
    }
  }

  /** A venue's session lost (up: false) or back: while one is down the symbol is REDUCING. */
  onVenue(venue: string, up: boolean): void {
    if (!up) {
      this.wasWhole = false;
      this.badSince = NaN;
    }
    if (!this.limits.marketRules.venueDown) return;
    this.hold(`venue:${venue}`, !up, 'REDUCING', () => `venue ${venue} is disconnected`);
  }

  /** Sets or lifts one rule's hold, telling the state change (as the rule, `rule:<name>`) when the state moves. */
  private hold(rule: string, on: boolean, state: TradingState, why: () => string): void {
    if (on === this.holds.has(rule)) return;
    const from = this.state();
    const reason = on ? why() : `${rule}: cleared`;
    if (on) this.holds.set(rule, { state, reason });
    else this.holds.delete(rule);
    const to = this.state();
    if (from !== to) this.hooks.onState?.({ time: this.now(), scope: this.symbol, from, to, reason, who: `rule:${rule}` });
  }

  /** Moves a symbol, or everything ('*'), to a state; returns whether it changed. */
  setState(scope: string, to: TradingState, reason: string, who: string): boolean {
    const from = scope === '*' ? this.global.state : (this.states.get(scope) ?? 'ACTIVE');
    if (from === to) return false;
    if (scope === '*') this.global.state = to;
    else this.states.set(scope, to);
    this.hooks.onState?.({ time: this.now(), scope, from, to, reason, who });
    return true;
  }

  // ------------------------------------------------------------------ parents

  /** Whether a new parent may be taken: the trading state, the restricted list, the account's credit. */
  checkParent(p: ParentRequest): RiskDenial | null {
    const d = this.parentProblem(p);
    if (d) this.deny(d, p.id);
    return d;
  }

  private parentProblem(p: ParentRequest): RiskDenial | null {
    const st = this.state();
    if (st === 'HALTED') return { code: 'STATE_HALTED', detail: `${this.symbol} is halted: no new orders` };
    if (st === 'REDUCING') return { code: 'STATE_REDUCING', detail: `${this.symbol} is reducing: working orders only, no new ones` };
    if (this.restricted.has(this.symbol)) return { code: 'RESTRICTED', detail: `${this.symbol} is on the restricted list` };
    if (!(Number.isInteger(p.qty) && p.qty > 0)) return { code: 'BAD_ORDER', detail: `a parent of ${p.qty} shares` };
    const ref = this.refPrice(p.limit);
    const notional = Number.isFinite(ref) ? (p.qty * ref) / PRICE_UNITS_PER_CURRENCY : 0;
    const used = this.credit.get(p.account) ?? 0;
    const cap = this.limits.credit.perAccountNotional;
    if (used + notional > cap)
      return { code: 'CREDIT', detail: `account ${p.account}: ${money(used)} open + ${money(notional)} would pass its ${money(cap)} limit` };
    return null;
  }

  /** A parent taken (after checkParent): its notional counts against its account until it ends. */
  parentOpened(p: ParentRequest): void {
    const refPrice = this.refPrice(p.limit);
    this.parents.set(p.id, { account: p.account, qty: p.qty, refPrice, filled: 0, working: 0, children: 0 });
    if (Number.isFinite(refPrice)) this.addCredit(p.account, (p.qty * refPrice) / PRICE_UNITS_PER_CURRENCY);
  }

  /** A parent valued at nothing (no price when it came) takes the price of the market when its first child goes. */
  private priceIfUnpriced(b: ParentBook): void {
    if (Number.isFinite(b.refPrice)) return;
    const ref = this.refPrice(undefined);
    if (!Number.isFinite(ref)) return;
    b.refPrice = ref;
    this.addCredit(b.account, ((b.qty - b.filled) * ref) / PRICE_UNITS_PER_CURRENCY);
  }

  /** A parent's size changed (an OMS replace): its credit and the cross-check's bound follow. */
  parentResized(id: string, qty: number): void {
    const b = this.parents.get(id);
    if (!b) return;
    this.addCredit(b.account, ((qty - b.qty) * b.refPrice) / PRICE_UNITS_PER_CURRENCY);
    b.qty = qty;
  }

  /** A parent ended: what it did not fill no longer counts against its account's credit. */
  parentClosed(id: string): void {
    const b = this.parents.get(id);
    if (!b) return;
    this.addCredit(b.account, -((b.qty - b.filled) * b.refPrice) / PRICE_UNITS_PER_CURRENCY);
    this.parents.delete(id);
    this.recent.delete(id);
  }

  private addCredit(account: string, x: number): void {
    if (!Number.isFinite(x)) return;
    this.credit.set(account, Math.max(0, (this.credit.get(account) ?? 0) + x));
  }

  /** The notional an account has open now, currency. */
  creditUsed(account: string): number {
    return this.credit.get(account) ?? 0;
  }

  /**
   * The price a parent's notional is valued at: its limit; else the consolidated mid, the last mid seen, or the one
   * side quoted. NaN when there is none yet: then it counts as nothing until its first child prices it.
   */
  private refPrice(limit: number | undefined): number {
    if (limit !== undefined) return limit;
    const bid = this.market.bid();
    const ask = this.market.ask();
    if (bid > 0 && ask > 0 && Number.isFinite(bid) && Number.isFinite(ask)) return (this.lastMid = (bid + ask) / 2);
    if (Number.isFinite(this.lastMid)) return this.lastMid;
    return bid > 0 && Number.isFinite(bid) ? bid : ask > 0 && Number.isFinite(ask) ? ask : NaN;
  }
  private lastMid = NaN;

  // ------------------------------------------------------------------ children

  /** Whether a child order may go; a refusal is counted and reported, and the order must not be sent. */
  checkChild(c: ChildRequest): RiskDenial | null {
    const d = this.childProblem(c);
    if (d) this.deny(d, c.parentId, c.venue);
    return d;
  }

  private childProblem(c: ChildRequest): RiskDenial | null {
    const L = this.limits;
    const now = this.now();
    if (this.state() === 'HALTED') return { code: 'STATE_HALTED', detail: `${this.symbol} is halted: no new child orders` };
    if (this.restricted.has(this.symbol)) return { code: 'RESTRICTED', detail: `${this.symbol} is on the restricted list` };
    if (!(Number.isInteger(c.qty) && c.qty > 0)) return { code: 'BAD_ORDER', detail: `a child of ${c.qty} shares` };
    if (c.ordType !== 'midpeg' && c.ordType !== 'market' && !(Number.isFinite(c.price) && c.price > 0))
      return { code: 'BAD_ORDER', detail: `a limit order priced ${c.price}` };
    if (c.qty > L.child.maxQty) return { code: 'MAX_QTY', detail: `${c.qty} shares, above the ${L.child.maxQty} a child may have` };
    const bid = this.market.bid();
    const ask = this.market.ask();
    const quoted = bid > 0 && ask > 0 && Number.isFinite(bid) && Number.isFinite(ask);
    // the price it may trade at: its limit; a market order the far touch; a peg the mid (or its cap)
    const px = c.ordType === 'limit' ? c.price : c.ordType === 'market' ? (c.side === BUY ? ask : bid) : quoted ? (bid + ask) / 2 : c.price;
    if (c.ordType === 'market' && !quoted) return { code: 'NO_QUOTE', detail: 'a market order without a two-sided consolidated quote' };
    if (Number.isFinite(px)) {
      const notional = (c.qty * px) / PRICE_UNITS_PER_CURRENCY;
      if (notional > L.child.maxNotional)
        return { code: 'MAX_NOTIONAL', detail: `${money(notional)}, above the ${money(L.child.maxNotional)} a child may have` };
    }
    if (c.ordType === 'limit') {
      // collared against the side(s) quoted: through the far touch, or away from the near one
      const hasBid = bid > 0 && Number.isFinite(bid);
      const hasAsk = ask > 0 && Number.isFinite(ask);
      if (!hasBid && !hasAsk) return { code: 'NO_QUOTE', detail: 'a limit order with no consolidated quote to collar it against' };
      const band = L.child.collarBps / BPS;
      const through = c.side === BUY ? hasAsk && c.price > ask * (1 + band) : hasBid && c.price < bid * (1 - band);
      const away = c.side === BUY ? hasBid && c.price < bid * (1 - band) : hasAsk && c.price > ask * (1 + band);
      if (through || away)
        return {
          code: 'PRICE_COLLAR',
          detail: `${c.side === BUY ? 'buy' : 'sell'} at ${price(c.price)} against a quote of ${price(bid)} × ${price(ask)}: beyond the ${L.child.collarBps} bp collar`,
        };
    }
    const pv = this.perVenue.get(c.venue);
    const venueRate = pv ? pv.rate.count(now, NS_PER_SECOND) : 0;
    if (venueRate >= L.rate.perVenuePerSecond)
      return { code: 'RATE_VENUE', detail: `${venueRate} child orders to ${c.venue} in the last second (limit ${L.rate.perVenuePerSecond})` };
    const allRate = this.rateAll.count(now, NS_PER_SECOND);
    if (allRate >= L.rate.totalPerSecond) return { code: 'RATE_TOTAL', detail: `${allRate} child orders in the last second (limit ${L.rate.totalPerSecond})` };
    const openVenue = pv ? pv.open : 0;
    if (openVenue >= L.openOrders.perVenue) return { code: 'OPEN_VENUE', detail: `${openVenue} orders working at ${c.venue} (limit ${L.openOrders.perVenue})` };
    if (this.open.size >= L.openOrders.total) return { code: 'OPEN_TOTAL', detail: `${this.open.size} orders working (limit ${L.openOrders.total})` };
    if (c.venueKind === 'lit' && L.participation.maxShare > 0) {
      const { sent, volume } = this.participation(now);
      const allowed = Math.max(L.participation.floorShares, L.participation.maxShare * volume);
      if (sent + c.qty > allowed)
        return {
          code: 'PARTICIPATION',
          detail: `${sent + c.qty} shares to the lit venues in ${L.participation.windowSeconds} s against ${volume} traded (at most ${Math.floor(allowed)})`,
        };
    }
    if (L.duplicateWindowMs > 0) {
      const list = this.recent.get(c.parentId);
      if (list) {
        const span = L.duplicateWindowMs * NS_PER_MS;
        while (list.length > 0 && now - list[0]!.t >= span) list.shift();
        for (const x of list)
          if (sameOrder(x.c, c))
            return { code: 'DUPLICATE', detail: `the same order (${c.venue}, ${c.qty} at ${price(c.price)}) again within ${L.duplicateWindowMs} ms` };
      }
    }
    return null;
  }

  /**
   * The lit shares sent and the market's lit volume in the participation window. The volume is sampled at the checks,
   * at most once a millisecond; the window's volume runs from the last sample at or before its start (so it may
   * cover up to a millisecond more than the window, and between checks more: never less).
   */
  private participation(now: number): { sent: number; volume: number } {
    const span = this.limits.participation.windowSeconds * NS_PER_SECOND;
    while (this.litSent.length > 0 && this.litSent.time(0) <= now - span) this.litSentSum -= this.litSent.drop();
    const v = this.market.tradedVolume();
    if (this.volume.length === 0 || now - this.volume.time(this.volume.length - 1) >= NS_PER_MS) this.volume.push(now, v);
    while (this.volume.length > 1 && this.volume.time(1) <= now - span) this.volume.drop();
    return { sent: this.litSentSum, volume: Math.max(0, v - this.volume.value(0)) };
  }

  /** A child was sent (after checkChild): it counts against the rates, the open orders, participation, and the cross-check. */
  childSent(c: ChildRequest, clOrdId: number): void {
    const now = this.now();
    let pv = this.perVenue.get(c.venue);
    if (!pv) this.perVenue.set(c.venue, (pv = { rate: new TimeWindow(), open: 0 }));
    pv.rate.push(now);
    pv.open++;
    this.rateAll.push(now);
    this.open.set(clOrdId, { parentId: c.parentId, venue: c.venue, qty: c.qty, filled: 0 });
    if (c.venueKind === 'lit') {
      this.litSent.push(now, c.qty);
      this.litSentSum += c.qty;
    }
    if (this.limits.duplicateWindowMs > 0) {
      let list = this.recent.get(c.parentId);
      if (!list) this.recent.set(c.parentId, (list = []));
      list.push({ t: now, c });
    }
    const b = this.parents.get(c.parentId);
    if (!b) return this.fail(`child ${clOrdId} sent for parent ${c.parentId}, which the guardrails were never told of`);
    this.priceIfUnpriced(b);
    b.working += c.qty;
    b.children++;
    this.crossCheck(c.parentId, b);
  }

  /** A fill the venue reported for a child. */
  childFilled(clOrdId: number, qty: number): void {
    const o = this.open.get(clOrdId);
    if (!o) return;
    const q = Math.min(qty, o.qty - o.filled);
    o.filled += q;
    const b = this.parents.get(o.parentId);
    if (b) {
      b.filled += q;
      b.working -= q;
      // what a fill takes from the account's open notional is now traded, not open
      this.addCredit(b.account, -(q * b.refPrice) / PRICE_UNITS_PER_CURRENCY);
      this.crossCheck(o.parentId, b);
    }
    if (o.filled >= o.qty) this.childDone(clOrdId);
  }

  /** A child is done at its venue (filled, cancelled, rejected): it no longer works. */
  childDone(clOrdId: number): void {
    const o = this.open.get(clOrdId);
    if (!o) return;
    this.open.delete(clOrdId);
    const pv = this.perVenue.get(o.venue);
    if (pv) pv.open--;
    const b = this.parents.get(o.parentId);
    if (b) b.working -= o.qty - o.filled;
  }

  /** Orders working now, per venue and in all. */
  openOrders(): { total: number; byVenue: Record<string, number> } {
    return { total: this.open.size, byVenue: Object.fromEntries([...this.perVenue].map(([v, x]) => [v, x.open])) };
  }

  private crossCheck(id: string, b: ParentBook): void {
    if (b.filled + b.working > b.qty) this.fail(`parent ${id}: ${b.filled} filled + ${b.working} working at the venues is more than its ${b.qty} shares`);
    else if (b.children > this.limits.crossCheck.maxChildrenPerParent)
      this.fail(`parent ${id}: ${b.children} child orders, more than the ${this.limits.crossCheck.maxChildrenPerParent} a parent may have`);
  }

  private fail(why: string): void {
    if (this.crossCheckFailure === null) this.crossCheckFailure = why;
    this.setState('*', 'HALTED', `cross-check: ${why}`, 'cross-check');
  }

  private deny(d: RiskDenial, parentId: string, venue?: string): void {
    this.denials[d.code] = (this.denials[d.code] ?? 0) + 1;
    this.hooks.onDenial?.({ ...d, time: this.now(), parentId, ...(venue === undefined ? {} : { venue }) });
  }
}

/** The same order: venue, side, type, price (NaN equal to NaN) and size. */
function sameOrder(a: ChildRequest, b: ChildRequest): boolean {
  return a.venue === b.venue && a.side === b.side && a.ordType === b.ordType && a.qty === b.qty && Object.is(a.price, b.price);
}

function money(x: number): string {
  return `$${Math.round(x).toLocaleString('en-US')}`;
}

function price(p: number): string {
  return Number.isFinite(p) ? (p / PRICE_UNITS_PER_CURRENCY).toFixed(4) : 'none';
}
