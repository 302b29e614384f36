import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import { BUY, NS_PER_SECOND } from '../core/types.js';
import { contKukanov, proRata, ruleBasedSor, type PlacementVenue } from './allocators.js';
import type { DecisionContext, MarketView, ParentOrder, Policy } from './engine.js';
import { registerMlPolicies } from './ml/register.js';
import { common, RouterPolicy, sweep, type PolicyOptions } from './policy-base.js';
import { darkOptions, policies, sweepOptions } from './policy-registry.js';
import { AlmgrenChriss, PovSchedule, TwapSchedule, VwapSchedule, type Schedule } from './schedulers.js';

export type { PolicyOptions, VolumeProfile } from './policy-base.js';
export { RouterPolicy } from './policy-base.js';

/**
 * Where a passive slice rests: the lit venues quoting the best price on our side, the one whose make fee is
 * lowest (the largest rebate), then the one with the shortest queue. Null if no venue quotes our side.
 */
function passiveVenue(ctx: DecisionContext): { venue: string; price: number } | null {
  const side = ctx.order.side;
  const best = side === BUY ? ctx.market.bid() : ctx.market.ask();
  if (best !== best) return null;
  let pick: { venue: string; fee: number; queue: number } | null = null;
  for (const v of ctx.market.venues) {
    if (v.kind !== 'lit') continue;
    const top = ctx.market.levels(v.name, side, 1)[0];
    if (!top || top.price !== best) continue;
    if (!pick || v.makeFee < pick.fee || (v.makeFee === pick.fee && top.qty < pick.queue)) pick = { venue: v.name, fee: v.makeFee, queue: top.qty };
  }
  return pick && { venue: pick.venue, price: best };
}

/**
 * The classic scheduled algorithm (TWAP, VWAP, POV, Almgren–Chriss differ only in the schedule): each slice first
 * rests passively at the near touch for one interval, on the lit venue quoting the best price with the cheapest
 * make fee; whatever the schedule wants done by now and is not, is taken with the rule-based sweep.
 */
export class ScheduledAlgo implements Policy {
  readonly decisionNs: number;
  readonly rerouteRounds = 2;
  private readonly depth: number;
  constructor(
    readonly name: string,
    private readonly makeSchedule: (o: ParentOrder, m: MarketView, litFilled: () => number) => Schedule,
    opts: PolicyOptions = {},
  ) {
    ({ decisionNs: this.decisionNs, depth: this.depth } = common(opts));
  }
  schedule(o: ParentOrder, m: MarketView, litFilled: () => number): Schedule {
    return this.makeSchedule(o, m, litFilled);
  }
  decide(ctx: DecisionContext): void {
    sweep(ctx, ctx.behind, this.depth);
    if (ctx.round > 0 || ctx.final || ctx.upcoming <= 0) return;
    const at = passiveVenue(ctx);
    if (at) ctx.post(at.venue, at.price, ctx.upcoming);
  }
}

/**
 * Cont–Kukanov placement on a TWAP schedule: at each decision, what is due by the next one is split between an
 * immediate sweep and post-only limits at the near touch of each lit venue, by the stochastic-approximation
 * solution against the venues' queues, fees and rebates and their outflows (the queue depletions observed over
 * past intervals, resampled). Limits rest one interval; what they miss comes due at the next decision.
 */
export class ContKukanovPolicy implements Policy {
  readonly name = 'ck';
  readonly decisionNs: number;
  readonly rerouteRounds = 3;
  private readonly depth: number;
  private readonly rng: Rng;
  /** Per venue: observed depletion of our side's best over each past interval. */
  private readonly outflows = new Map<string, number[]>();
  private lastDepletion = new Map<string, number>();
  constructor(opts: PolicyOptions = {}) {
    if (!opts.rng) throw new Error('ck needs a seeded random generator');
    this.rng = opts.rng;
    ({ decisionNs: this.decisionNs, depth: this.depth } = common(opts));
  }
  schedule(o: ParentOrder): Schedule {
    return new TwapSchedule(o.qty, o.start, o.end);
  }
  decide(ctx: DecisionContext): void {
    const { market, order } = ctx;
    if (ctx.round > 0 || ctx.final) return sweep(ctx, ctx.behind, this.depth);
    const lit = market.venues.filter((v) => v.kind === 'lit');
    for (const v of lit) {
      const d = market.depletion(v.name, order.side);
      const before = this.lastDepletion.get(v.name);
      if (before !== undefined) {
        const h = this.outflows.get(v.name) ?? [];
        h.push(d - before);
        if (h.length > 60) h.shift();
        this.outflows.set(v.name, h);
      }
      this.lastDepletion.set(v.name, d);
    }
    const target = ctx.behind + ctx.upcoming;
    const bid = market.bid();
    const ask = market.ask();
    if (target <= 0) return;
    if (!(bid < ask)) return sweep(ctx, ctx.behind, this.depth);
    const best = order.side === BUY ? bid : ask;
    const takeFee = Math.min(...lit.map((v) => v.takeFee));
    const halfSpread = (ask - bid) / 2;
    const venues: PlacementVenue[] = lit.map((v) => {
      const top = market.levels(v.name, order.side, 1)[0];
      const queue = top && top.price === best ? top.qty : 0;
      const hist = this.outflows.get(v.name) ?? [];
      return {
        venue: v.name,
        queue,
        rebate: -v.makeFee,
        // resample the observed outflows; before three are seen, an exponential draw whose mean is the queue
        outflow: (u) => (hist.length >= 3 ? hist[Math.floor(u() * hist.length)]! : -Math.log(1 - u()) * Math.max(queue, 100)),
      };
    });
    const cost = halfSpread + takeFee;
    const plan = contKukanov({ target, halfSpread, takeFee, venues, underfill: 2 * cost + 100, overfill: cost / 2 }, () => this.rng.float(), 1000);
    // what is already late is taken now whatever the split says; the limits get the rest
    const market_ = Math.max(plan.market, ctx.behind);
    sweep(ctx, Math.min(market_, target), this.depth);
    let left = target - market_;
    venues.forEach((v, k) => {
      const q = Math.min(left, plan.limits[k]!);
      if (q > 0) left -= ctx.post(v.venue, best, q);
    });
  }
}

policies.register({
  name: 'twap',
  description: 'time-weighted schedule; each slice rests at the near touch for one interval, then what is late is swept',
  options: sweepOptions,
  make: (o, ctx) => new ScheduledAlgo('twap', (p) => new TwapSchedule(p.qty, p.start, p.end), { ...o, decisionNs: ctx.decisionNs }),
});
policies.register({
  name: 'vwap',
  description: 'the intraday volume profile as schedule; slices rest at the touch first, like twap',
  options: sweepOptions,
  make: (o, ctx) => {
    const prof = ctx.profile;
    if (!prof) throw new Error('vwap needs an intraday volume profile');
    return new ScheduledAlgo('vwap', (p) => new VwapSchedule(p.qty, p.start, p.end, prof.buckets, prof.openNs, prof.bucketNs), {
      ...o,
      decisionNs: ctx.decisionNs,
    });
  },
});
policies.register({
  name: 'pov',
  description: 'a participation rate of the volume others trade, as observed',
  options: sweepOptions.extend({ rate: z.number().positive().max(1).default(0.25) }),
  make: (o, ctx) =>
    new ScheduledAlgo(
      'pov',
      (p, m, litFilled) => {
        const pov = new PovSchedule(p.qty, p.start, p.end, o.rate);
        let seen = m.tradedVolume();
        let own = litFilled();
        // others' volume since the last look: all prints less the router's own lit fills
        return {
          qty: p.qty,
          start: p.start,
          end: p.end,
          target(t: number): number {
            const v = m.tradedVolume();
            const mine = litFilled();
            pov.observe(Math.max(0, v - seen - (mine - own)));
            seen = v;
            own = mine;
            return pov.target(t);
          },
        };
      },
      { ...o, decisionNs: ctx.decisionNs },
    ),
});
policies.register({
  name: 'ac',
  description: 'Almgren–Chriss optimal trajectory for an urgency κT',
  options: sweepOptions.extend({ urgency: z.number().positive().max(50).default(2) }),
  make: (o, ctx) =>
    new ScheduledAlgo(
      'ac',
      (p) => {
        // in units where σ = η = 1, γ = 0: κ̃² = λ, and cosh(κτ) = 1 + λτ²/2 gives λ for the urgency κT
        const N = Math.max(1, Math.round((p.end - p.start) / ctx.decisionNs));
        const T = (p.end - p.start) / NS_PER_SECOND;
        const tau = T / N;
        const kappa = o.urgency / T;
        const lambda = (2 * (Math.cosh(kappa * tau) - 1)) / (tau * tau);
        return new AlmgrenChriss({ X: p.qty, T, N, sigma: 1, eta: 1, gamma: 0, epsilon: 0, lambda }).schedule(p.start, p.end);
      },
      { ...o, decisionNs: ctx.decisionNs },
    ),
});
policies.register({
  name: 'rule',
  description: 'rule-based SOR on a TWAP schedule: dark pings first, then a fee-aware sweep of the lit books, rerouted',
  options: darkOptions,
  make: (o, ctx) => new RouterPolicy('rule', ruleBasedSor, { ...o, decisionNs: ctx.decisionNs }),
});
policies.register({
  name: 'prorata',
  description: 'like rule, the sweep split pro rata over the venues at the best price',
  options: darkOptions,
  make: (o, ctx) => new RouterPolicy('prorata', proRata, { ...o, decisionNs: ctx.decisionNs }),
});
policies.register({
  name: 'ck',
  description: 'Cont–Kukanov split between a sweep and post-only limits at each lit touch',
  options: sweepOptions,
  make: (o, ctx) => new ContKukanovPolicy({ ...o, decisionNs: ctx.decisionNs, rng: ctx.rng }),
});

// the ml router and its ablations, after the classic ones
registerMlPolicies(policies);

export { darkOptions, policies, sweepOptions };
