import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Handler } from '../core/scheduler.js';
import { BUY, IOC, SELL, type Side } from '../core/types.js';
import type { FlowGenerator } from '../sim/cst-flow.js';
import { flowModels, type FlowBuildContext } from '../sim/kinds.js';
import type { SignalSource } from '../venue/dark-pool.js';
import { ScenarioError } from '../sim/kind-registry.js';
import type { LitVenue } from '../venue/lit-venue.js';
import { ADD, DELETE, EMPTY_ASK, EMPTY_BID, EXECUTE, PARTIAL_CANCEL, loadLobster, resolvePair, type LobsterDay } from './lobster.js';
import { pressureRate, type QuotePressure } from '../sim/quote-pressure.js';
import { fitQuotePressure } from './quote-pressure.js';
import { fileSide, inView, rowBefore, type ReplayCounts } from './replay.js';

/**
 * A real LOBSTER day driving the scenario's lit venues. Every real order goes to one venue, chosen by a hash of its
 * id weighted by the venues' market shares (a deterministic split), so the consolidated NBBO is the real best quote
 * and each venue holds its share of the real queues. Adds rest on their venue; cancels reduce the order; an
 * execution is replayed as an IOC order at the maker's price on its venue, sweeping the other venues at that price
 * for any shortfall (so it prints as a trade). Orders that rested before the file starts are placeholders split
 * across venues by share.
 *
 * After every event the consolidated top N levels are set against the file's row, as in the single-book replay:
 * a level out of view in the previous row (and not the one the event touched) is reconciled; any other difference
 * is counted as a mismatch and left as it is. Reconciliation compares the file with the background's quantity
 * only: participants' orders are neither counted nor touched, and what they do to the replayed book stays done.
 *
 * The day's events are fixed, so a participant's displayed order cannot change what the real traders did. With a
 * quote-pressure fit it moves the price instead, as the day's own imbalance of the best queues moves the mid: while
 * participants show shares at the best, the impact model is pushed at the rate the fit gives for the imbalance with
 * their shares less the imbalance without them (see quote-pressure.ts), and the replayed prices shift with it.
 */
export class ReplayMarket implements FlowGenerator, Handler<null>, SignalSource {
  /** What informed traders know in a replay: where the day's mid goes next (the file's mid `horizon` ahead). */
  readonly info: SignalSource = this;
  readonly horizonNs = 10e9;
  readonly counts: ReplayCounts = { events: 0, matched: 0, mismatched: 0, reconciled: 0, reconciled_levels: 0, first_mismatch_line: null };
  private readonly orders = new Map<number, number>(); // real id → venue order id · 8 + venue
  private readonly cum: number[];
  private next = 0;
  private prev: Float64Array;
  private readonly W: number;
  private readonly lvP: Float64Array;
  private readonly lvQ: Float64Array;
  private readonly fileP: Float64Array;
  private readonly fileQ: Float64Array;
  private readonly tmpP: Float64Array;
  private readonly tmpQ: Float64Array;

  /** Current price shift from participants' impact (price units, a multiple of the tick). */
  private shift = 0;
  private readonly depthQty: number;
  private readonly shiftedRow: Float64Array;
  /** Quote pressure: the push rate (price units per ns) set after the last event, when it was set, shares shown by `showExtra`. */
  private pressRate = 0;
  private pressedAt = NaN;
  private readonly extra = [0, 0];
  /** The prices whose restored level participants' orders took at once, in the current event's check of a side. */
  private readonly takenByParticipants = new Set<number>();
  private readonly accumulated: number;

  constructor(
    readonly day: LobsterDay,
    private readonly ctx: FlowBuildContext,
    readonly depth: { levels: number; spacingTicks: number; qty?: number } = { levels: 10, spacingTicks: 2 },
    readonly pressure?: QuotePressure,
  ) {
    if (ctx.venues.length > 8) throw new Error('a replayed market spreads over at most 8 lit venues');
    const total = ctx.shares.reduce((a, b) => a + b, 0);
    let c = 0;
    this.cum = ctx.shares.map((s) => (c += s / total));
    const N = day.pair.levels;
    this.W = 4 * N;
    this.accumulated = pressure && ctx.impact?.accumulated ? ctx.impact.accumulated(pressure.horizonSeconds) : 0;
    this.prev = new Float64Array(this.W);
    this.shiftedRow = new Float64Array(this.W);
    const cap = 2 * N + 16;
    this.lvP = new Float64Array(cap * ctx.venues.length);
    this.lvQ = new Float64Array(cap * ctx.venues.length);
    this.tmpP = new Float64Array(cap);
    this.tmpQ = new Float64Array(cap);
    this.fileP = new Float64Array(N);
    this.fileQ = new Float64Array(N);
    // the ladder's size: the file's median displayed size at the best level
    const sizes: number[] = [];
    for (let i = 0; i < day.n; i += Math.max(1, Math.floor(day.n / 2000))) {
      if (day.book[i * this.W + 1]! > 0) sizes.push(day.book[i * this.W + 1]!);
      if (day.book[i * this.W + 3]! > 0) sizes.push(day.book[i * this.W + 3]!);
    }
    sizes.sort((a, b) => a - b);
    this.depthQty = depth.qty ?? Math.max(1, sizes[sizes.length >> 1] ?? 100);
  }

  start(t0: number): void {
    const d = this.day;
    if (d.n === 0) return;
    this.prev = rowBefore(d.book.subarray(0, this.W), d.pair.levels, d.type[0]!, d.size[0]!, d.price[0]!, d.direction[0]!);
    for (const side of [BUY, SELL] as Side[]) {
      const m = fileSide(this.prev, d.pair.levels, side, this.fileP, this.fileQ);
      for (let j = 0; j < m; j++) this.addSplit(side, this.fileP[j]!, this.fileQ[j]!);
    }
    this.ctx.sched.at(Math.max(t0, d.timeNs[0]!), this, null);
  }

  handle(now: number): void {
    const d = this.day;
    const i = this.next++;
    const type = d.type[i]!;
    const side: Side = d.direction[i] === 1 ? BUY : SELL;
    const impact = this.ctx.impact;
    const tick = this.ctx.tick;
    this.accruePressure(now);
    this.shift = impact === undefined ? 0 : Math.round(impact.offset(now) / tick) * tick;
    const price = d.price[i]! + this.shift;
    this.apply(type, d.id[i]!, d.size[i]!, price, side);
    const row = this.shifted(d.book.subarray(i * this.W, i * this.W + this.W));
    const touched = type === ADD || type === PARTIAL_CANCEL || type === DELETE || type === EXECUTE;
    const r = Math.max(this.check(BUY, row, side === BUY && touched ? price : NaN), this.check(SELL, row, side === SELL && touched ? price : NaN));
    const c = this.counts;
    c.events++;
    if (r === 2) {
      c.mismatched++;
      if (c.first_mismatch_line === null) c.first_mismatch_line = i + 1;
    } else {
      c.matched++;
      if (r === 1) c.reconciled++;
    }
    this.prev.set(row);
    this.ladder(row);
    this.setPressure();
    if (this.next < d.n) this.ctx.sched.at(Math.max(now, d.timeNs[this.next]!), this, null);
  }

  /** Shows `qty` more shares at a side's best (0 = bid, 1 = ask) to the quote pressure alone: they never trade. */
  showExtra(side: 0 | 1, qty: number): void {
    this.extra[side] = qty;
    this.accruePressure(this.ctx.sched.now());
    this.setPressure();
  }

  /** Pushes what the rate set at the last change has moved the price since (a rate is only set with a push to take it). */
  private accruePressure(now: number): void {
    if (this.pressRate !== 0 && now > this.pressedAt) this.ctx.impact!.push!(now, this.pressRate * (now - this.pressedAt));
    this.pressedAt = now;
  }

  /** The push rate from now to the next event: participants' shares at the best against the day's queues there. */
  private setPressure(): void {
    this.pressRate = 0;
    const fit = this.pressure;
    if (fit === undefined || this.ctx.impact?.push === undefined) return;
    const row = this.prev;
    const ap = row[0]!;
    const aq = row[1]!;
    const bp = row[2]!;
    const bq = row[3]!;
    if (!(aq > 0 && bq > 0) || ap === EMPTY_ASK || bp === EMPTY_BID) return;
    const ownBid = this.extra[0]! + this.ownedFrom(BUY, bp);
    const ownAsk = this.extra[1]! + this.ownedFrom(SELL, ap);
    this.pressRate = pressureRate(fit, this.accumulated, bq, aq, ownBid, ownAsk);
  }

  /** Participants' displayed shares at the file's best price of a side and at every better one (inside the spread). */
  private ownedFrom(side: Side, fileBest: number): number {
    let q = this.owned(side, fileBest);
    const nb = side === BUY ? this.ctx.nbbo.bid : this.ctx.nbbo.ask;
    const step = side === BUY ? this.ctx.tick : -this.ctx.tick;
    if (nb === nb) for (let p = fileBest + step; side === BUY ? p <= nb : p >= nb; p += step) q += this.owned(side, p);
    return q;
  }

  /** The file's row with every price moved by the current impact shift (the row itself when there is none). */
  private shifted(row: Float64Array): Float64Array {
    if (this.shift === 0) return row;
    const out = this.shiftedRow;
    for (let k = 0; k < row.length; k++) {
      const v = row[k]!;
      out[k] = (k & 1) === 0 && v !== EMPTY_ASK && v !== EMPTY_BID ? v + this.shift : v;
    }
    return out;
  }

  /**
   * Depth behind the file's view, modelled: `levels` levels every `spacingTicks` ticks beyond the last level the
   * row shows on each side, each of the file's median touch size, placed only where nothing rests. When such a
   * level later comes into view, reconciliation sets it to what the file shows.
   */
  private ladder(row: Float64Array): void {
    const N = this.day.pair.levels;
    const gap = this.depth.spacingTicks * this.ctx.tick;
    for (const side of [BUY, SELL] as Side[]) {
      const m = fileSide(row, N, side, this.fileP, this.fileQ);
      if (m === 0) continue;
      const last = this.fileP[m - 1]!;
      for (let k = 1; k <= this.depth.levels; k++) {
        const p = side === BUY ? last - k * gap : last + k * gap;
        if (p <= 0) break;
        let have = 0;
        for (const v of this.ctx.venues) have += v.book.visibleAt(side, p);
        if (have === 0) this.addSplit(side, p, this.depthQty);
      }
    }
  }

  /** The file's mid `horizonNs` after now, less the market's mid now (price units; 0 without a two-sided market). */
  signal(now: number): number {
    const { bid, ask } = this.ctx.nbbo;
    if (!(bid < ask)) return 0;
    const d = this.day;
    // the last row at or before now + horizon
    let lo = 0;
    let hi = d.n - 1;
    const t = now + this.horizonNs;
    if (d.timeNs[0]! > t) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (d.timeNs[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const a = d.book[lo * this.W]!;
    const b = d.book[lo * this.W + 2]!;
    const future = (a + b) / 2;
    return d.book[lo * this.W + 1]! > 0 && d.book[lo * this.W + 3]! > 0 ? future - (bid + ask) / 2 : 0;
  }

  /** The venue a real order goes to: a hash of its id, weighted by market share. */
  venueOf(id: number): number {
    let h = Math.imul((id ^ (id / 4294967296)) | 0, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
    h ^= h >>> 13;
    const u = (h >>> 0) / 4294967296;
    let v = 0;
    while (v < this.cum.length - 1 && u >= this.cum[v]!) v++;
    return v;
  }

  private apply(type: number, id: number, size: number, price: number, side: Side): void {
    const venues = this.ctx.venues;
    if (type === ADD) {
      if (size <= 0) return;
      const v = this.venueOf(id);
      const vid = venues[v]!.flowLimit(side, price, size);
      if (venues[v]!.book.has(vid)) this.orders.set(id, vid * 8 + v);
      return;
    }
    if (type !== PARTIAL_CANCEL && type !== DELETE && type !== EXECUTE) return;
    const code = this.orders.get(id);
    let rest = size;
    if (code !== undefined) {
      const v = code % 8;
      const vid = (code - v) / 8;
      const venue = venues[v]!;
      if (!venue.book.has(vid)) this.orders.delete(id);
      else if (type === EXECUTE) {
        // the real taker hits this order's venue at its price first
        venue.flowLimit(side === BUY ? SELL : BUY, venue.book.priceOf(vid), size, IOC);
        rest -= venue.book.lastTraded;
      } else {
        const own = Math.min(size, venue.book.leaves(vid));
        venue.flowReduce(vid, own);
        rest -= own;
        if (!venue.book.has(vid)) this.orders.delete(id);
      }
    }
    if (rest <= 0) return;
    if (type === EXECUTE) {
      // the rest of the real execution sweeps the other venues at that price
      for (const venue of venues) {
        if (rest <= 0) break;
        if (!(venue.book.visibleAt(side, price) > 0)) continue;
        venue.flowLimit(side === BUY ? SELL : BUY, price, rest, IOC);
        rest -= venue.book.lastTraded;
      }
    } else this.take(side, price, rest, false);
  }

  /**
   * 0 matched, 1 matched after reconciling, 2 mismatched, for one side. The consolidated levels are read a bounded
   * number at a time; when the touch has jumped past more stale levels than that, the walk repeats until no level
   * is left to reconcile.
   */
  private check(side: Side, row: Float64Array, msgPrice: number): 0 | 1 | 2 {
    let result: 0 | 1 | 2 = 0;
    this.takenByParticipants.clear();
    for (let pass = 0; pass < 10_000; pass++) {
      const before = this.counts.reconciled_levels;
      const { r, full } = this.walk(side, row, msgPrice);
      result = Math.max(result, r) as 0 | 1 | 2;
      if (!full || this.counts.reconciled_levels === before) return result;
    }
    throw new Error(`replay: reconciliation does not settle at event ${this.next} (a bug)`);
  }

  private walk(side: Side, row: Float64Array, msgPrice: number): { r: 0 | 1 | 2; full: boolean } {
    const N = this.day.pair.levels;
    const m = fileSide(row, N, side, this.fileP, this.fileQ);
    const k = this.merged(side);
    const better = (a: number, b: number) => (side === BUY ? a > b : a < b);
    let result: 0 | 1 | 2 = 0;
    let i = 0; // ours
    let j = 0; // file's
    while (j < m || i < k) {
      const ours = i < k ? this.tmpP[i]! : NaN;
      const theirs = j < m ? this.fileP[j]! : NaN;
      // past the file's view (it shows N levels): what lies beyond is out of sight
      if (j >= m && m === N && (ours !== ours || !better(ours, this.fileP[N - 1]!))) break;
      let price: number;
      let target: number;
      let have: number;
      if (ours === theirs) {
        price = ours;
        target = this.fileQ[j]!;
        have = this.tmpQ[i]! - this.owned(side, price);
        i++;
        j++;
      } else if (theirs !== theirs || (ours === ours && better(ours, theirs))) {
        price = ours;
        target = 0;
        have = this.tmpQ[i]! - this.owned(side, price);
        i++;
      } else {
        price = theirs;
        target = this.fileQ[j]!;
        have = 0;
        j++;
      }
      if (have === target) continue;
      if (price === msgPrice || inView(this.prev, N, side, price)) {
        result = 2; // accounted for by the messages (or by a participant): left as it is
        continue;
      }
      // a level that participants' crossing orders took at once stays taken this event (restoring it again would
      // feed a large resting order one level at a time, without end)
      if (this.takenByParticipants.has(price)) continue;
      if (result === 0) result = 1;
      this.counts.reconciled_levels++;
      if (target > have) {
        this.clearCrossing(side, price);
        this.addSplit(side, price, target - have);
        if (this.backgroundAt(side, price) < target) this.takenByParticipants.add(price);
      } else this.take(side, price, have - target, true);
    }
    return { r: result, full: k === this.tmpP.length };
  }

  /**
   * Before a level is restored at `price`, background orders on the other side that it would cross are removed:
   * they are stale, the file says the market is elsewhere (this happens when participants' impact shifts the
   * replayed prices by more than the spread at once). Participants' orders stay, and trade with the restored level.
   */
  private clearCrossing(side: Side, price: number): void {
    const opp: Side = side === BUY ? SELL : BUY;
    for (const venue of this.ctx.venues) {
      const best = opp === SELL ? venue.book.bestAsk() : venue.book.bestBid();
      if (!(opp === SELL ? best <= price : best >= price)) continue; // nothing crosses (NaN: the side is empty)
      for (const l of venue.book.depth(opp, 1 << 30)) {
        if (opp === SELL ? l.price > price : l.price < price) break;
        const background = l.qty - venue.book.visibleOwnedAt(opp, l.price);
        if (background > 0) this.take(opp, l.price, Infinity, true);
      }
    }
  }

  /** The background's displayed shares at a price, over all venues. */
  private backgroundAt(side: Side, price: number): number {
    let q = 0;
    for (const v of this.ctx.venues) q += v.book.visibleAt(side, price);
    return q - this.owned(side, price);
  }

  /** Participants' displayed shares at a price, over all venues: the file knows nothing of them. */
  private owned(side: Side, price: number): number {
    let q = 0;
    for (const v of this.ctx.venues) q += v.book.visibleOwnedAt(side, price);
    return q;
  }

  /** The consolidated displayed levels of a side, best first, into tmpP/tmpQ; returns how many. */
  private merged(side: Side): number {
    const venues = this.ctx.venues;
    const cap = this.tmpP.length;
    let n = 0;
    for (let v = 0; v < venues.length; v++) {
      const got = venues[v]!.book.displayedLevels(side, cap, this.lvP.subarray(n), this.lvQ.subarray(n));
      n += got;
    }
    // merge by price (small arrays: insertion into the output)
    let k = 0;
    for (let x = 0; x < n; x++) {
      const p = this.lvP[x]!;
      const q = this.lvQ[x]!;
      let at = 0;
      while (at < k && (side === BUY ? this.tmpP[at]! > p : this.tmpP[at]! < p)) at++;
      if (at < k && this.tmpP[at] === p) {
        this.tmpQ[at] = this.tmpQ[at]! + q;
        continue;
      }
      if (k === cap && at >= cap) continue;
      const end = Math.min(k, cap - 1);
      this.tmpP.copyWithin(at + 1, at, end);
      this.tmpQ.copyWithin(at + 1, at, end);
      this.tmpP[at] = p;
      this.tmpQ[at] = q;
      if (k < cap) k++;
    }
    return k;
  }

  /** Adds resting quantity at a price, split over the venues by share (the remainder to the largest). */
  private addSplit(side: Side, price: number, qty: number): void {
    const venues = this.ctx.venues;
    let left = qty;
    let largest = 0;
    for (let v = 0; v < venues.length; v++) if (this.ctx.shares[v]! > this.ctx.shares[largest]!) largest = v;
    const total = this.ctx.shares.reduce((a, b) => a + b, 0);
    for (let v = 0; v < venues.length; v++) {
      if (v === largest) continue;
      const q = Math.floor((qty * this.ctx.shares[v]!) / total);
      if (q > 0) {
        venues[v]!.flowLimit(side, price, q);
        left -= q;
      }
    }
    if (left > 0) venues[largest]!.flowLimit(side, price, left);
  }

  /** Takes quantity off the background orders at a price across venues, newest or oldest first; participants'
   * orders are never taken. */
  private take(side: Side, price: number, qty: number, newestFirst: boolean): void {
    let rest = qty;
    for (const venue of this.ctx.venues as LitVenue[]) {
      if (rest <= 0) return;
      const q = venue.book.queue(side, price);
      for (let n = 0; n < q.length && rest > 0; n++) {
        const vid = q[newestFirst ? q.length - 1 - n : n]!;
        if (venue.book.ownerOf(vid) !== 0) continue;
        const leaves = venue.book.leaves(vid);
        const cut = Math.min(leaves, rest);
        if (cut === leaves) venue.flowCancel(vid);
        else venue.flowReduce(vid, cut);
        rest -= cut;
      }
    }
  }
}

/** The day last loaded: a backtest builds one session per order and policy on the same day, which is only read. */
let lastDay: { folder: string; day: LobsterDay; pressure: Map<number, QuotePressure> } | undefined;

flowModels.register(
  'lobster-replay',
  z
    .object({
      data: z.string().min(1),
      /** Modelled depth behind the file's view: levels a side, their spacing, and their size (default: the file's median touch size). */
      depthLevels: z.number().int().min(0).max(1000).default(10),
      depthSpacingTicks: z.number().int().positive().max(1000).default(2),
      depthQty: z.number().int().positive().max(1e7).optional(),
      /**
       * Quote pressure (a participant's display moves the replayed prices as the day's imbalance moves its mid),
       * fitted from the day at this horizon; false: displaying is free, as the day's events are fixed.
       */
      quotePressure: z
        .union([z.literal(false), z.object({ horizonSeconds: z.number().positive().max(600).default(1) }).strict()])
        .default({ horizonSeconds: 1 }),
    })
    .strict(),
  (p, ctx) => {
    const folder = resolve(dirname(ctx.file ?? '.'), p.data);
    let day: LobsterDay;
    try {
      day = lastDay?.folder === folder ? lastDay.day : loadLobster(resolvePair(folder));
    } catch (e) {
      throw new ScenarioError(ctx.file ?? 'scenario', 'flow.data', (e as Error).message);
    }
    if (lastDay?.folder !== folder) lastDay = { folder, day, pressure: new Map() };
    let pressure: QuotePressure | undefined;
    if (p.quotePressure !== false) {
      const h = p.quotePressure.horizonSeconds;
      pressure = lastDay.pressure.get(h) ?? fitQuotePressure(day, h);
      lastDay.pressure.set(h, pressure);
    }
    const depth = { levels: p.depthLevels, spacingTicks: p.depthSpacingTicks, ...(p.depthQty ? { qty: p.depthQty } : {}) };
    return new ReplayMarket(day, ctx, depth, pressure);
  },
);
