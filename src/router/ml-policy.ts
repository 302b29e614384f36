import { BUY, NS_PER_SECOND } from '../core/types.js';
import { Ewm } from '../features/streaming.js';
import { allocateDark, CensoredLiquidity } from '../models/dark-allocation.js';
import type { DecisionContext, ParentOrder, Policy } from './engine.js';
import { common, splitEvenly, sweep, type PolicyOptions } from './policy-base.js';
import { TwapSchedule, type Schedule } from './schedulers.js';

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
  readonly name: string;
  readonly decisionNs: number;
  readonly rerouteRounds = 3;
  private readonly depth: number;
  private readonly minQty: number;
  /** Lot size of the dark allocation, shares; the pools are estimated in lots. */
  private readonly lot = 50;
  private readonly maxSlices: number;
  /** Per pool: its liquidity, estimated from the censored fills of the router's own pings. */
  readonly pools = new Map<string, CensoredLiquidity>();
  private readonly toxicity = new Map<string, Ewm>();
  private readonly seenChildren = new Set<number>();
  private seenFills = 0;
  /** Dark fills waiting for their markout: price, side sign, time. */
  private readonly pending: { venue: string; price: number; sign: number; time: number }[] = [];

  /**
   * `allocation` 'even' splits the same dark quantity evenly over the pools instead: the ablation that shows what
   * the learned allocation adds.
   */
  constructor(
    opts: PolicyOptions = {},
    private readonly allocation: 'learned' | 'even' = 'learned',
  ) {
    this.name = allocation === 'learned' ? 'ml' : 'ml-even';
    ({ decisionNs: this.decisionNs, depth: this.depth, minQty: this.minQty } = common(opts));
    this.maxSlices = opts.darkSlices ?? 4;
  }

  schedule(o: ParentOrder): Schedule {
    return new TwapSchedule(o.qty, o.start, o.end);
  }

  decide(ctx: DecisionContext): void {
    const { market } = ctx;
    if (ctx.round === 0) this.learn(ctx);
    sweep(ctx, ctx.behind, this.depth);
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
    const plan = this.allocation === 'even' ? evenSplit(cap, value) : allocateDark(est, cap, this.lot, value, 0);
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
    for (const c of ctx.children()) {
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

/** The same quantity split evenly over the pools worth anything (the ablation). */
function evenSplit(total: number, value: readonly number[]): { pool: number; qty: number }[] {
  const ok = value.flatMap((v, i) => (v > 0 ? [i] : []));
  if (ok.length === 0) return [];
  const parts = splitEvenly(total, ok.length);
  return ok.map((pool, k) => ({ pool, qty: parts[k]! })).filter((a) => a.qty > 0);
}
