import { BUY, NS_PER_SECOND, SELL } from '../../core/types.js';
import { F, mergeLevels, N_FEATURES, type BookSnapshot, type FeatureQuery } from '../../features/engine.js';
import { Ewm } from '../../features/streaming.js';
import { CensoredLiquidity } from '../../models/dark-allocation.js';
import { impactInputs } from '../../models/impact.js';
import type { DecisionContext, MarketView, ModelDrivenPolicy, ParentOrder, Policy, VenueInfo } from '../engine.js';
import { DEFAULT_LIMITS } from '../../risk/limits.js';
import { ModelCheck } from '../../risk/model-check.js';
import { ruleBasedSor } from '../allocators.js';
import { common, POLICY_DEFAULTS, RouterPolicy, sweep, type PolicyOptions } from '../policy-base.js';
import { expectedVolume, ProfileCurve, TwapSchedule, type Schedule } from '../schedulers.js';
import { darkSaving, expectedDrift, laterCost, litSaving, marginalImpact, perShareTaken, type Costs } from './costs.js';
import { allocateLots, lotSize, type LotPlace } from './lots.js';
import type { MlModels } from './models.js';

/** Lit lots are the size of the probes the fill model learnt from. */
const LIT_LOT = 100;
/** The offline pool model weighs as much as this many of the order's own pings, to begin with. */
const POOL_PRIOR_STRENGTH = 50;
/** At most this many lots placed per decision (larger lots for a larger budget): the decision's cost stays bounded. */
const MAX_LOTS = 8;
/** A lit venue's lots may rest up to this many ticks inside the spread (as far as the probes went). */
export const MAX_INSIDE = 3;
/**
 * Of the prices inside the spread, the router asks the models of the most aggressive this many at each venue, and
 * of the touch only where the spread leaves no room inside: offered every price from the touch in, nearly every lot
 * went to the two most aggressive, and asking of the others doubled the decision's model evaluations (the tally is in
 * docs/routing.md, "Policy ml").
 */
const INSIDE_PRICES = 2;

/** One place a lot can go at a decision: a lit venue's touch, or a dark pool. */
export interface Option extends LotPlace {
  venue: string;
  /** Lit: the venue's index in the feature engine, the price, the shares displayed ahead of our first lot. */
  index: number;
  price: number;
  queue: number;
  /** Lit: ticks inside the spread the lots rest (0: at the touch). */
  inside: number;
  pool: number;
  /** Lit: the fill model's first-layer sum for this place (its next lots differ only in the queue ahead). */
  sum: Float64Array;
}

/**
 * The learning router (policy `ml`), on the TWAP schedule like `rule`, so that the two differ only in routing.
 *
 * At each decision, what the schedule wants done by now and is not is swept on the lit books, fee-aware, and
 * rerouted, as by `rule`. The next slices are offered passively: up to `passiveSlices` of them displayed on the lit
 * books, and as many again pinged in the dark pools, each budget lot by lot wherever a lot's expected saving is
 * highest, and nowhere a share would save nothing. A share that does not fill passively is swept later, at what
 * `later` costs: half the spread and the take fee, the expected drift until then (the adverse-move model's
 * probability and the volatility model's σ), and the marginal impact of a lit take (1.5 times the impact model's
 * prediction for what remains: the derivative of Q·k√Q). A passive fill saves that, less what it costs itself:
 * - at a lit venue's touch, where the spread leaves no room inside it: − the half spread, + the make fee, + the adverse move
 *   the toxicity model expects after a passive fill, + the impact of a resting fill (the impact model's channel
 *   coefficient, per share taken: a large resting order holds the quote on its side); it happens with the fill
 *   model's probability for a child with the queue ahead of that lot (the venue's queue plus our lots before it);
 * - or k ticks inside the spread, at any lit venue, the two largest k ≤ 3 that leave it strictly inside (each price
 *   a place of its own): the same, less the k ticks paid over the touch, with the fill model's and the toxicity model's own
 *   predictions for a child there (nothing ahead of its first lot; the probes rested inside the spread too): ahead
 *   of the queue fills more, for a price. Each lot's chance is asked of the book as it was at the decision, our
 *   other lots not in it (asking it of the book our lots make, each lot a probe that meets them, was within noise
 *   of it for several times the decision's time: docs/routing.md, "Policy ml");
 * - in a dark pool: + the pool's fee, + its toxicity (learnt online: the mean 10-s markout of our fills there),
 *   + the impact of a dark fill (its channel coefficient); it happens with the chance that the pool holds that
 *   much more liquidity, the Kaplan–Meier estimate from the censored fills of our own pings (Ganchev et al.).
 * The lots go greedily to the highest probability × saving. The pools' estimates start from the offline pool model
 * (the same estimator over many training orders' pings) and learn on from this order's own.
 *
 * Every model output is read through the decision's ModelCheck (risk/model-check.ts) before it is used: the input
 * vectors' furthest features, the variance, the probabilities (fill, adverse move, a pool's liquidity), the cost terms
 * and each place's saving, and the inference's time. On an anomaly nothing passive is placed, and the engine has the
 * rule router (`fallback`) make the rest of the decision: the sweep before the models is the rule router's own.
 */
export class MlRouterPolicy implements ModelDrivenPolicy {
  readonly decisionNs: number;
  readonly rerouteRounds = 3;
  protected readonly depth: number;
  protected readonly minQty: number;
  /** Lot size of the dark allocation, shares; the pools are estimated in lots. */
  protected readonly lot = 50;
  private readonly slices: number;
  /** Per pool: its liquidity, estimated from the censored fills of the router's own pings. */
  readonly pools = new Map<string, CensoredLiquidity>();
  private readonly toxicity = new Map<string, Ewm>();
  private readonly seen = new Set<number>();
  private seenFills = 0;
  private filled = 0;
  /** Dark fills waiting for their markout: price, side sign, time. */
  private readonly pending: { venue: string; price: number; sign: number; time: number }[] = [];
  protected readonly models: MlModels | undefined;
  private readonly curve: ProfileCurve | null;
  private readonly openNs: number;
  private readonly adv: number;
  private readonly x = new Float64Array(N_FEATURES);
  /** A venue's first-layer sums at its touch (fill, toxicity), and a place's toxicity sum. */
  private fillSum: Float64Array = new Float64Array(0);
  private toxSum: Float64Array = new Float64Array(0);
  private toxAt: Float64Array = new Float64Array(0);
  private readonly impactX = [0, 0, 0, 0, 0, 0];
  /** The models' queries, reused: no order (the volatility model's), and a child of one lot (the probe models'). */
  private readonly volQuery: FeatureQuery = {
    t: 0,
    book: { bids: [], asks: [] },
    order: { side: BUY, qty: 1, remaining: 1, start: 0, end: 0 },
    venue: { index: 0, takeFee: 0, makeFee: 0, queueAhead: 0, price: 0 },
  };
  private readonly probeQuery: FeatureQuery = {
    t: 0,
    book: { bids: [], asks: [] },
    order: { side: BUY, qty: LIT_LOT, remaining: LIT_LOT, start: 0, end: 0 },
    venue: { index: 0, takeFee: 0, makeFee: 0, queueAhead: 0, price: 0 },
  };
  /** The market's venues (fixed): the lit ones with their index, the pools; and one option object per place. */
  private venueSet: VenueSet | null = null;
  /** The rule-based router on the same decisions: what the engine falls back to on a model anomaly. */
  readonly fallback: Policy;
  /** Its own check, against the default limits, for a decision outside an engine's model guard. */
  private readonly ownCheck = new ModelCheck(DEFAULT_LIMITS.models);
  /** The check of the decision in progress. */
  private check = this.ownCheck;
  /** The last decision's cost terms (bps) and the shares it placed, for tests and the benchmark. */
  readonly last = { later: NaN, drift: NaN, sigma: NaN, marginalImpact: NaN, lit: 0, inside: 0, dark: 0, impactInputs: this.impactX as readonly number[] };

  /** `withModels`: the learning router needs its models and the daily volume; its ablations need neither. */
  constructor(
    opts: PolicyOptions = {},
    readonly name = 'ml',
    withModels = true,
  ) {
    ({ decisionNs: this.decisionNs, depth: this.depth, minQty: this.minQty } = common(opts));
    this.slices = opts.passiveSlices ?? POLICY_DEFAULTS.passiveSlices;
    this.models = opts.models;
    this.curve = opts.profile ? new ProfileCurve(opts.profile) : null;
    this.openNs = opts.profile?.openNs ?? 34_200 * NS_PER_SECOND;
    this.adv = opts.adv ?? NaN;
    if (withModels && !this.models) throw new Error('ml needs its trained models (fill, adverse move, volatility, toxicity, impact, dark pools)');
    if (withModels && !(this.adv > 0)) throw new Error('ml needs the average daily volume');
    this.fallback = new RouterPolicy('rule', ruleBasedSor, { decisionNs: this.decisionNs, sweepDepth: this.depth, darkMinQty: this.minQty });
  }

  schedule(o: ParentOrder): Schedule {
    return new TwapSchedule(o.qty, o.start, o.end);
  }

  /** A decision outside an engine's model guard: checked against the default limits all the same. */
  decide(ctx: DecisionContext): void {
    const c = this.ownCheck;
    c.begin();
    const { swept } = this.decideChecked(ctx, c);
    if (c.reason !== null) this.fallback.decide(swept ? { ...ctx, behind: 0 } : ctx);
  }

  decideChecked(ctx: DecisionContext, check: ModelCheck): { swept: boolean } {
    this.check = check;
    const { market } = ctx;
    if (ctx.round === 0) this.learn(ctx);
    sweep(ctx, ctx.behind, this.depth);
    if (ctx.round > 0 || ctx.final) return SWEPT;
    const bid = market.bid();
    const ask = market.ask();
    if (!(bid < ask)) return SWEPT;
    const mid = (bid + ask) / 2;
    const v = this.venuesOf(market);
    let takeFee = Infinity;
    for (const l of v.lit) takeFee = Math.min(takeFee, l.info.takeFee);
    const c: Costs = {
      mid,
      halfSpread: ((ask - bid) / 2 / mid) * 1e4,
      takeFeeBps: (takeFee / mid) * 1e4,
      budget: Math.min(ctx.available(), this.slices * Math.max(ctx.upcoming, this.lot)),
    };
    if (c.budget <= 0) return SWEPT;
    this.placePassive(ctx, c);
    return SWEPT;
  }

  /** The passive exposure of a decision: each budget lot by lot where the predicted all-in saving is highest. */
  protected placePassive(ctx: DecisionContext, c: Costs): void {
    const side = ctx.order.side;
    const { options, own } = this.touches(ctx, c.mid, MAX_INSIDE);
    const other = this.venuesOf(ctx.market).lit.map((l) => ctx.market.levels(l.info.name, side === BUY ? SELL : BUY, 5));
    // each lit book read once: our side for the places to rest, both for the features' consolidated book
    const book =
      side === BUY
        ? { bids: mergeLevels(own, BUY, 5), asks: mergeLevels(other, SELL, 5) }
        : { bids: mergeLevels(other, BUY, 5), asks: mergeLevels(own, SELL, 5) };
    this.allocate(ctx, options, book, c);
  }

  /** The market's venues, read once. */
  protected venuesOf(market: MarketView): VenueSet {
    return (this.venueSet ??= venuesOf(market));
  }

  /**
   * The places of this decision: the touch of each lit venue that quotes the best price on our side (resting a tick
   * behind as well was tried: within noise of the touch alone, for twice the decision's model evaluations), or, with `inside` > 0 and room in the spread, the INSIDE_PRICES most aggressive
   * prices up to `inside` ticks inside it at every lit venue instead (each price a place of its own, strictly inside
   * the spread); then every pool; and our side of each lit book, top five levels.
   */
  protected touches(ctx: DecisionContext, mid: number, inside = 0): { options: Option[]; own: { price: number; qty: number }[][] } {
    const { market } = ctx;
    const v = this.venuesOf(market);
    const side = ctx.order.side;
    const best = side === BUY ? market.bid() : market.ask();
    const own = v.lit.map((l) => market.levels(l.info.name, side, 5));
    let n = 0;
    const tick = market.tick;
    // the ticks a lot can rest inside the spread and stay strictly inside it: the two most aggressive of them, and
    // the touch only where the spread leaves no room
    const room = inside > 0 ? Math.min(inside, Math.round((market.ask() - market.bid()) / tick) - 1) : 0;
    const from = Math.max(1, room - INSIDE_PRICES + 1);
    const sign = side === BUY ? 1 : -1;
    v.lit.forEach((l, k) => {
      const top = own[k]![0];
      if (room <= 0 && top && top.price === best) reset(v.options[n++]!, l.info.name, false, l.index, best, top.qty, -1);
      for (let j = from; j <= room; j++) reset(v.options[n++]!, l.info.name, false, l.index, best + sign * j * tick, 0, -1).inside = j;
    });
    v.dark.forEach((d, pool) => reset(v.options[n++]!, d.name, true, -1, mid, 0, pool));
    return { options: v.options.slice(0, n), own };
  }

  /** What a share filled in a pool saves against `later`, bps: less the pool's fee and its toxicity (learnt online). */
  protected darkValue(d: VenueInfo, later: number, mid: number): number {
    return darkSaving(later, (d.takeFee / mid) * 1e4, this.toxicity.get(d.name)?.value ?? 0);
  }

  /** The all-in cost allocation of each budget over the options, lot by lot. */
  private allocate(ctx: DecisionContext, options: Option[], book: BookSnapshot, c: Costs): void {
    const m = this.models!;
    const chk = this.check;
    const fe = ctx.market.features;
    if (!fe) throw new Error('ml needs the market features (a MarketView that keeps them)');
    const x = this.x;
    const { order, now } = ctx;
    const bps = (price: number) => (price / c.mid) * 1e4;
    // the volatility model learnt from a query of no order (one share, the horizon ahead, at the bid), as in training
    const volH = m.volatility.art.horizon_ns;
    const vq = this.volQuery;
    vq.t = now;
    vq.book = book;
    vq.order.start = now;
    vq.order.end = now + volH;
    vq.venue.price = book.bids[0]?.price ?? c.mid;
    fe.write(vq, x);
    const maxZ = chk.maxFeatureZ;
    chk.features('volatility input', m.volatility.beyond(x, maxZ));
    // the model forecasts the variance of log returns over its horizon: σ over one interval, in bps
    const variance = chk.variance('volatility', m.volatility.variance(x));
    const sigma = chk.cost('σ', 1e4 * Math.sqrt(Math.max(0, variance) * (this.decisionNs / volH)));
    // the probe models (fill, adverse move, toxicity) learnt from child orders of a lot resting one horizon: the
    // query is such a child, not the parent
    const query = this.probeQuery;
    const venue = query.venue;
    query.t = now;
    query.book = book;
    query.order.side = order.side;
    query.order.start = now;
    query.order.end = now + this.decisionNs;
    fe.writeMarket(query, x);
    chk.features('probe input', m.fill.beyond(x, maxZ, 'market'));
    const info = ctx.market.venues;
    const setVenue = (o: Option, queue: number, price = o.price) => {
      const vi = info[o.index]!;
      venue.index = o.index;
      venue.takeFee = vi.takeFee;
      venue.makeFee = vi.makeFee;
      venue.queueAhead = queue;
      venue.price = price;
      fe.writeVenue(query, x);
      chk.features('probe input', m.fill.beyond(x, maxZ, 'venue'));
    };
    const firstLit = options.find((o) => !o.dark && o.inside === 0) ?? options.find((o) => !o.dark);
    if (firstLit) setVenue(firstLit, firstLit.queue);
    const pAdverse = firstLit ? chk.prob('adverse move', m.adverse.predict(x)) : 0.5;
    const drift = expectedDrift(pAdverse, sigma);
    const impactX = this.impactFeatures(ctx, order.qty - this.filled, c.halfSpread * 2);
    chk.features('impact input', m.impact.beyond(impactX, maxZ));
    const impact = marginalImpact(chk.cost('impact', m.impact.predict(impactX)));
    const later = chk.cost('later', laterCost(c, drift, impact));
    // what a share costs in impact by how it fills, per share taken (the impact model's channels)
    const ch = m.impact.art.channels!;
    // the options differ only in the venue's and child's features: the models sum the market's part once
    m.fill.prepareMarket(x);
    m.toxicity.prepareMarket(x);
    const restingImpact = impact * perShareTaken(ch, ch.post);
    const tick = ctx.market.tick;
    const sign = order.side === BUY ? 1 : -1;
    if (this.fillSum.length !== m.fill.hiddenSize) this.fillSum = new Float64Array(m.fill.hiddenSize);
    if (this.toxSum.length !== m.toxicity.hiddenSize) {
      this.toxSum = new Float64Array(m.toxicity.hiddenSize);
      this.toxAt = new Float64Array(m.toxicity.hiddenSize);
    }
    const fillSum = this.fillSum;
    const toxSum = this.toxSum;
    const tox = this.toxAt;
    let venueAt = -1;
    for (const o of options) {
      if (o.dark) {
        o.value = chk.cost('dark saving', this.darkValue(this.venueSet!.dark[o.pool]!, later - impact * perShareTaken(ch, ch.dark), c.mid));
        continue;
      }
      if (o.index !== venueAt) {
        // a venue's places are its touch alone, or prices inside the spread that differ only in the child's distance
        // (nothing ahead of a first lot there): both models sum the venue's part once, at the touch, and each price
        // inside is one row from it
        venueAt = o.index;
        setVenue(o, o.queue, o.price - sign * o.inside * tick);
        m.fill.venueSum(x, fillSum);
        m.toxicity.venueSum(x, toxSum);
      }
      if (o.sum.length !== fillSum.length) o.sum = new Float64Array(fillSum.length);
      o.sum.set(fillSum);
      let toxicitySum = toxSum;
      if (o.inside > 0) {
        x[F.distance_ticks] = -o.inside;
        chk.features('probe input', m.fill.beyond(x, maxZ, 'venue'));
        tox.set(toxSum);
        m.fill.shiftSum(o.sum, F.distance_ticks, 0, -o.inside);
        m.toxicity.shiftSum(tox, F.distance_ticks, 0, -o.inside);
        toxicitySum = tox;
      }
      const toxicity = chk.cost('toxicity', m.toxicity.predictFromSum(toxicitySum));
      // a lot inside the spread earns k ticks less than one at the touch
      const halfSpread = c.halfSpread - bps(o.inside * tick);
      o.value = chk.cost('lit saving', litSaving(later, halfSpread, bps(info[o.index]!.makeFee), toxicity, restingImpact));
    }
    // the chance that an option's next lot fills; only the option just given a lot changes, and for a lit one only
    // the queue ahead of it
    const chance = (o: Option, lot: number) =>
      o.dark
        ? chk.prob('pool liquidity', this.pool(o.venue).tailAt(o.given + lot))
        : chk.prob('fill', m.fill.predictWith(o.sum, F.queue_ahead, o.queue, o.queue + o.given));
    const last = this.last;
    last.later = later;
    last.drift = drift;
    last.sigma = sigma;
    last.marginalImpact = impact;
    last.lit = last.inside = last.dark = 0;
    // lit display and dark pings are budgeted apart, each up to the budget
    for (const dark of [false, true]) allocateLots(options, dark, c.budget, lotSize(c.budget, dark ? this.lot : LIT_LOT, MAX_LOTS), chance);
    // nothing the models chose goes if any output was anomalous, or the inference overran its budget
    chk.timed();
    if (chk.reason !== null) return;
    for (const o of options) {
      if (o.given <= 0) continue;
      this.place(ctx, o, o.given);
      if (o.dark) this.last.dark += o.given;
      else {
        this.last.lit += o.given;
        if (o.inside > 0) this.last.inside += o.given;
      }
    }
  }

  protected place(ctx: DecisionContext, o: Option, qty: number): void {
    if (qty <= 0) return;
    // the minimum execution is one lot (or the rule minimum, if smaller): the estimate is in lots
    if (o.dark) ctx.ping(o.venue, qty, Math.min(this.minQty, this.lot, qty));
    else ctx.post(o.venue, o.price, qty);
  }

  /** The impact model's inputs for what remains of the order, as if it started now (written into one array). */
  private impactFeatures(ctx: DecisionContext, remaining: number, spreadBps: number): number[] {
    const { now } = ctx;
    const end = Math.max(ctx.order.end, now + 1);
    const qty = Math.max(0, remaining);
    return impactInputs(
      { qty, adv: this.adv, expectedVolume: expectedVolume(this.curve, this.adv, now, end), spreadBps, t: now, openNs: this.openNs, side: ctx.order.side },
      this.impactX,
    );
  }

  /** A pool's estimate: from the offline pool model where there is one (then learnt on, online), else from nothing. */
  protected pool(name: string): CensoredLiquidity {
    let p = this.pools.get(name);
    if (!p) {
      const learnt = this.models?.artifacts.dark.pools[name];
      const lot = this.models?.artifacts.dark.lot;
      p = learnt && lot === this.lot ? CensoredLiquidity.fromTail(learnt.tail, this.lot, POOL_PRIOR_STRENGTH) : new CensoredLiquidity(this.lot, 200);
      this.pools.set(name, p);
    }
    return p;
  }

  /**
   * Dark pings that have ended since the last decision become observations of their pool; new fills are counted, and
   * dark fills 10 s old get their markout. The router's own resting lots do not feed the features' venue fill rates:
   * they are not the probes those rates were learnt from (lots stacked behind each other, cancelled at each
   * decision, fill less), and feeding them measured worse (docs/routing.md, "Policy ml"); the rates stay at their
   * training mean.
   */
  private learn(ctx: DecisionContext): void {
    const venues = ctx.market.venues;
    for (const c of ctx.children()) {
      if (this.seen.has(c.clOrdId)) continue;
      if (c.state !== 'filled' && c.state !== 'cancelled') continue;
      this.seen.add(c.clOrdId);
      if (venues.some((v) => v.kind === 'dark' && v.name === c.venue)) this.pool(c.venue).observe(c.qty, c.cumQty);
    }
    const sign = ctx.order.side === BUY ? 1 : -1;
    for (; this.seenFills < ctx.fills.length; this.seenFills++) {
      const f = ctx.fills[this.seenFills]!;
      this.filled += f.qty;
      if (venues.some((v) => v.kind === 'dark' && v.name === f.venue)) this.pending.push({ venue: f.venue, price: f.price, sign, time: f.time });
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

const SWEPT = { swept: true } as const;

/** The market's venues: the lit ones with their index, the pools; and one reusable option object per place. */
export interface VenueSet {
  lit: { info: VenueInfo; index: number }[];
  dark: VenueInfo[];
  options: Option[];
}

function venuesOf(market: MarketView): VenueSet {
  const lit = market.venues.flatMap((info, index) => (info.kind === 'lit' ? [{ info, index }] : []));
  const dark = market.venues.filter((v) => v.kind === 'dark');
  const options = Array.from({ length: lit.length * (1 + MAX_INSIDE) + dark.length }, () => reset({} as Option, '', false, -1, NaN, 0, -1));
  return { lit, dark, options };
}

function reset(o: Option, venue: string, dark: boolean, index: number, price: number, queue: number, pool: number): Option {
  o.venue = venue;
  o.dark = dark;
  o.index = index;
  o.price = price;
  o.queue = queue;
  o.inside = 0;
  o.pool = pool;
  o.value = 0;
  o.given = 0;
  o.p = 0;
  o.sum ??= new Float64Array(0);
  return o;
}
