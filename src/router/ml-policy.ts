import { BUY, NS_PER_SECOND } from '../core/types.js';
import { Ewm } from '../features/streaming.js';
import { allocateDark, CensoredLiquidity } from '../models/dark-allocation.js';
import { ruleBasedSor } from './allocators.js';
import type { DecisionContext, ParentOrder, Policy } from './engine.js';
import { TwapSchedule, type Schedule } from './schedulers.js';

export interface MlPolicyOptions {
  decisionNs?: number;
  sweepDepth?: number;
  darkMinQty?: number;
  /** Lot size of the dark allocation, shares. */
  lot?: number;
  /** At most this many upcoming slices are offered to the pools at once. */
  maxSlices?: number;
  /** A lot is sent only while its estimated fill chance × value (bps) exceeds this. */
  minValueBps?: number;
  /** Prior knowledge of the pools (e.g. from earlier orders); fresh, optimistic estimators otherwise. */
  pools?: Map<string, CensoredLiquidity>;
  /** 'even' splits the same dark quantity evenly instead (the ablation that isolates what learning adds). */
  allocation?: 'learned' | 'even';
}

/**
 * The learning router (policy `ml`), on the TWAP schedule like `rule`, so that the two differ only in routing.
 * Dark pools are sized by the allocation learned from censored fills (Ganchev et al.): each pool's liquidity
 * distribution is estimated from the router's own pings — fully filled pings are censored observations — and
 * lots go, greedily, where their estimated chance of filling times their value is highest. A share filled in a
 * pool is valued at what it saves on the lit books (half the spread and the take fee, in bps) less the pool's fee
 * and its adverse selection, learnt online as the mean 10-second markout of the router's fills there. What the
 * schedule wants done by now and is not is swept on the lit books, fee-aware, and rerouted, as by `rule`.
 */
export class MlRouterPolicy implements Policy {
  readonly name = 'ml';
  readonly decisionNs: number;
  readonly rerouteRounds = 3;
  private readonly depth: number;
  private readonly minQty: number;
  private readonly lot: number;
  private readonly maxSlices: number;
  private readonly minValue: number;
  private readonly even: boolean;
  readonly pools: Map<string, CensoredLiquidity>;
  private readonly toxicity = new Map<string, Ewm>();
  private readonly seenChildren = new Set<number>();
  private seenFills = 0;
  /** Dark fills waiting for their markout: price, side sign, time. */
  private readonly pending: { venue: string; price: number; sign: number; time: number }[] = [];

  constructor(o: MlPolicyOptions = {}) {
    this.decisionNs = o.decisionNs ?? 10 * NS_PER_SECOND;
    this.depth = o.sweepDepth ?? 50;
    this.minQty = o.darkMinQty ?? 100;
    this.lot = o.lot ?? 50;
    this.maxSlices = o.maxSlices ?? 4;
    this.minValue = o.minValueBps ?? 0;
    this.pools = o.pools ?? new Map();
    this.even = o.allocation === 'even';
  }

  schedule(o: ParentOrder): Schedule {
    return new TwapSchedule(o.qty, o.start, o.end);
  }

  decide(ctx: DecisionContext): void {
    const { market, order } = ctx;
    if (ctx.round === 0) this.learn(ctx);
    if (ctx.behind > 0) ctx.take(ruleBasedSor.allocate(order.side, ctx.behind, ctx.views(this.depth)));
    if (ctx.round > 0 || ctx.final) return;
    const bid = market.bid();
    const ask = market.ask();
    if (!(bid < ask)) return;
    const mid = (bid + ask) / 2;
    const lit = market.venues.filter((v) => v.kind === 'lit');
    const takeFee = Math.min(...lit.map((v) => v.takeFee));
    const litCostBps = (((ask - bid) / 2 + takeFee) / mid) * 1e4;
    const dark = market.venues.filter((v) => v.kind === 'dark');
    const est = dark.map((v) => this.pool(v.name));
    const value = dark.map((v) => litCostBps - (v.takeFee / mid) * 1e4 - Math.max(0, this.toxicity.get(v.name)?.value ?? 0));
    const cap = Math.min(ctx.available(), this.maxSlices * Math.max(ctx.upcoming, this.lot));
    const plan = this.even ? evenSplit(cap, value) : allocateDark(est, cap, this.lot, value, this.minValue);
    // the minimum execution is one lot (or the rule minimum, if smaller): the estimate is in lots
    for (const a of plan) ctx.ping(dark[a.pool]!.name, a.qty, Math.min(this.minQty, this.lot, a.qty));
  }

  private pool(name: string): CensoredLiquidity {
    let p = this.pools.get(name);
    if (!p) this.pools.set(name, (p = new CensoredLiquidity(this.lot, 200)));
    return p;
  }

  /** Pings that have ended since the last decision become observations; dark fills 10 s old get their markout. */
  private learn(ctx: DecisionContext): void {
    const dark = new Set(ctx.market.venues.filter((v) => v.kind === 'dark').map((v) => v.name));
    for (const c of ctx.children) {
      if (this.seenChildren.has(c.clOrdId) || !dark.has(c.venue)) continue;
      if (c.state !== 'filled' && c.state !== 'cancelled') continue;
      this.seenChildren.add(c.clOrdId);
      this.pool(c.venue).observe(c.qty, c.cumQty);
    }
    const sign = ctx.order.side === BUY ? 1 : -1;
    for (; this.seenFills < ctx.fills.length; this.seenFills++) {
      const f = ctx.fills[this.seenFills]!;
      if (dark.has(f.venue)) this.pending.push({ venue: f.venue, price: f.price, sign, time: f.time });
    }
    const bid = ctx.market.bid();
    const ask = ctx.market.ask();
    if (!(bid < ask)) return;
    const mid = (bid + ask) / 2;
    while (this.pending.length > 0 && this.pending[0]!.time + 10 * NS_PER_SECOND <= ctx.now) {
      const p = this.pending.shift()!;
      let t = this.toxicity.get(p.venue);
      if (!t) this.toxicity.set(p.venue, (t = new Ewm(0.1)));
      t.add((p.sign * (p.price - mid) * 1e4) / p.price);
    }
  }
}

function evenSplit(total: number, value: readonly number[]): { pool: number; qty: number }[] {
  const ok = value.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0);
  if (ok.length === 0) return [];
  const each = Math.floor(total / ok.length);
  return ok.map((pool, k) => ({ pool, qty: each + (k < total - each * ok.length ? 1 : 0) })).filter((a) => a.qty > 0);
}
