import { quantile } from '../core/stats.js';
import { BUY, NS_PER_MINUTE, SELL, type Side } from '../core/types.js';
import type { FeatureEngine } from '../features/engine.js';
import { buildWorld } from '../backtest/world.js';
import { SimRouter } from '../router/sim-adapter.js';
import type { Market } from '../backtest/market.js';
import type { DecisionContext, FillRecord, MarketView, ParentOrder, VenueInfo } from '../router/engine.js';
import type { MlModels } from '../router/ml/models.js';
import { MlRouterPolicy } from '../router/ml/policy.js';
import { Guardrails } from '../risk/guard.js';
import { DEFAULT_LIMITS, parseRiskLimits } from '../risk/limits.js';
import { ModelCheck } from '../risk/model-check.js';
import type { VolumeProfile } from '../router/policy-base.js';

/** A market recorded step by step from a simulated session: what the router's MarketView reads, replayed. */
class RecordedMarket implements MarketView {
  readonly venues: readonly VenueInfo[];
  readonly tick: number;
  step!: Step;
  constructor(
    venues: readonly VenueInfo[],
    readonly features: FeatureEngine,
  ) {
    this.venues = venues;
    this.tick = features.cfg.tick;
  }
  levels(venue: string, side: Side, depth: number): { price: number; qty: number }[] {
    const l = this.step.levels.get(venue)?.[side];
    return l ? l.slice(0, depth) : [];
  }
  bid(): number {
    return this.step.bid;
  }
  ask(): number {
    return this.step.ask;
  }
  tradedVolume(): number {
    return 0;
  }
  depletion(): number {
    return 0;
  }
}

interface Step {
  t: number;
  bid: number;
  ask: number;
  mid: number;
  /** Shares printed on the lit venues since the step before (the session's own prints: the features' trade rate). */
  traded: number;
  levels: Map<string, [{ price: number; qty: number }[], { price: number; qty: number }[]]>;
}

/**
 * The ml router’s decision, timed alone (monotonic clock, nanoseconds): one feature update (a mid, and the prints since the step before),
 * then the whole decision of `MlRouterPolicy`: the learning step, the market and child features, the volatility,
 * adverse-move and impact models, the toxicity and fill models for every lit option and every lot it places, and the
 * dark allocation over the pools' estimates. The market is a simulated session's, recorded every 50 ms first
 * (untimed: the simulator's own garbage is not the decision's), with the features fed from the live session up to
 * the first step; the decision's orders are counted, not sent.
 */
export function benchDecision(
  source: Market,
  models: MlModels,
  opts: { decisions: number; seed: number; adv: number; volBps: number; profile: VolumeProfile },
) {
  const world = buildWorld({ market: source, seed: opts.seed }, (s) => new SimRouter(s, {}, { adv: opts.adv, longRunVolBps: opts.volBps }));
  const s = world.session;
  const live = world.bound;
  world.start();
  world.run(s.t0 + 30 * NS_PER_MINUTE);
  const steps: Step[] = [];
  let volume = live.tradedVolume();
  while (steps.length < Math.min(opts.decisions, 20_000)) {
    world.run(world.now() + 50_000_000);
    if (!(s.nbbo.bid < s.nbbo.ask)) continue;
    const traded = live.tradedVolume() - volume;
    volume += traded;
    const levels = new Map(
      s.lit.map((v) => [
        v.name,
        [live.levels(v.name, BUY, 5), live.levels(v.name, SELL, 5)] as [{ price: number; qty: number }[], { price: number; qty: number }[]],
      ]),
    );
    steps.push({ t: s.kernel.now(), bid: s.nbbo.bid, ask: s.nbbo.ask, mid: s.nbbo.lastMid, traded, levels });
  }
  const fe = live.features!;
  const market = new RecordedMarket(live.venues, fe);
  const policy = new MlRouterPolicy({ models, adv: opts.adv, profile: opts.profile });
  // the recorded steps are replayed in cycles, each cycle moved later in time, so the streams only go forward
  const span = steps[steps.length - 1]!.t - steps[0]!.t + 50_000_000;
  const order: ParentOrder = { id: 'B', side: BUY, qty: 20_000, start: steps[0]!.t, end: steps[0]!.t + 30 * NS_PER_MINUTE };
  const fills: FillRecord[] = [];
  let sent = 0;
  let now = 0;
  // every child the decision sends passes the guardrails' checks, as in the engine; each is done at once, so the
  // open-order count stays as a live router's would with its children coming back
  // (limits that never bind here, so that every check runs to its end: the recorded steps come faster than a live
  // market's, and the recorded market has no volume)
  const limits = parseRiskLimits({
    rate: { perVenuePerSecond: 1e9, totalPerSecond: 1e9 },
    participation: { maxShare: 100, floorShares: 1e12 },
    duplicateWindowMs: 1e-6,
    crossCheck: { maxChildrenPerParent: 1e9 },
  });
  const guard = new Guardrails(limits, 'BENCH', market, () => now);
  guard.parentOpened({ id: order.id, account: 'bench', side: order.side, qty: order.qty, limit: steps[0]!.mid }); // valued at the first mid
  let nextId = 1;
  let refused = 0;
  let guardNs = 0;
  const gate = (venue: string, ordType: 'limit' | 'midpeg', price: number, qty: number): number => {
    const t0 = process.hrtime.bigint();
    const req = { parentId: order.id, venue, venueKind: ordType === 'midpeg' ? ('dark' as const) : ('lit' as const), side: order.side, ordType, price, qty };
    const refusedNow = guard.checkChild(req) !== null;
    if (!refusedNow) {
      const id = nextId++;
      guard.childSent(req, id);
      guard.childDone(id);
    }
    guardNs += Number(process.hrtime.bigint() - t0);
    if (refusedNow) refused++;
    return refusedNow ? 0 : qty;
  };
  const ctx: DecisionContext = {
    get now() {
      return now;
    },
    round: 0,
    final: false,
    order,
    market,
    behind: 0,
    upcoming: 120,
    available: () => 12_000,
    children: () => [],
    fills,
    views: () => [],
    take: (plans) => plans.reduce((a, p) => a + gate(p.venue, 'limit', p.price, p.qty), 0),
    post: (v, p, q) => {
      const n = gate(v, 'limit', p, q);
      sent += n;
      return n;
    },
    ping: (v, q) => {
      const n = gate(v, 'midpeg', NaN, q);
      sent += n;
      return n;
    },
  };
  const times = new Float64Array(opts.decisions);
  const check = new ModelCheck(DEFAULT_LIMITS.models, () => performance.now() * 1000);
  let anomalies = 0;
  let lit = 0;
  let dark = 0;
  for (let i = 0; i < opts.decisions; i++) {
    const st = steps[i % steps.length]!;
    now = st.t + Math.floor(i / steps.length) * span;
    market.step = st;
    // a long order: keep the decision inside its horizon
    if (now > order.end - NS_PER_MINUTE) order.end = now + 30 * NS_PER_MINUTE;
    const side: Side = i % 2 === 0 ? BUY : SELL;
    const t0 = process.hrtime.bigint();
    fe.onMid(now, st.mid);
    // the session's own prints since the step before, as one print (a decision's feature update has one to take in)
    fe.onTrade(now, side, st.traded);
    // as the engine runs a model-driven policy live: every output checked, the inference timed, the rule router on an anomaly
    check.begin();
    const { swept } = policy.decideChecked(ctx, check);
    if (check.reason !== null) {
      anomalies++;
      policy.fallback.decide(swept ? { ...ctx, behind: 0 } : ctx);
    }
    times[i] = Number(process.hrtime.bigint() - t0);
    lit += policy.last.lit;
    dark += policy.last.dark;
  }
  const sorted = Array.from(times).sort((a, b) => a - b);
  const us = (q: number) => Math.round(quantile(sorted, q) / 10) / 100;
  const p50 = us(0.5);
  const p99 = us(0.99);
  return {
    benchmark: 'decision',
    what: 'one feature update and a whole ml-router decision on a recorded simulated market: market and child features, the volatility, adverse-move, impact, toxicity and fill models, the lit and dark allocations, and the model checks of every output (the inference timed against its budget) and the guardrails’ checks of every child it sends',
    decisions: opts.decisions,
    lit_venues: s.lit.length,
    dark_pools: s.dark.length,
    models: Object.fromEntries(
      Object.entries(models.artifacts).map(([k, a]) => [
        k,
        { kind: a.kind, ...('training' in a && 'hidden' in a.training ? { hidden: a.training.hidden } : {}) },
      ]),
    ),
    mean_shares_placed: { lit: Math.round(lit / opts.decisions), dark: Math.round(dark / opts.decisions) },
    p50_us: p50,
    p90_us: us(0.9),
    p99_us: p99,
    max_us: us(1),
    targets: { p50_us: 10, p99_us: 50 },
    pass: p50 <= 10 && p99 <= 50,
    checksum: sent,
    /** Children the guardrails refused (none expected: the limits here never bind; see above). */
    risk_refused: refused,
    /** Decisions whose model outputs failed a check (the rule router decided): 0 on a sound model. */
    model_anomalies: anomalies,
    model_checks_seen: { max_cost_bps: Math.round(check.seen.maxCostBps * 100) / 100 },
    risk_refused_by: guard.denials,
    /** The guardrails' part of it: children checked, and the mean time of one child's checks and bookkeeping (inside the decision's time). */
    risk_checks: { children: nextId - 1 + refused, mean_ns: Math.round(guardNs / Math.max(1, nextId - 1 + refused)) },
  };
}
