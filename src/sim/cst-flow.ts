import type { Rng } from '../core/rng.js';
import type { Handler, Scheduler } from '../core/scheduler.js';
import { BUY, IOC, NS_PER_SECOND, SELL, type Side } from '../core/types.js';
import type { SignalSource } from '../venue/dark-pool.js';
import type { LitVenue } from '../venue/lit-venue.js';
import type { ImpactModel } from './impact.js';
import type { ConsolidatedQuote } from './nbbo.js';

const FAIR_STEP_NS = 100_000_000;
const SQRT_FAIR_STEP = Math.sqrt(FAIR_STEP_NS);

/** A source of background order flow that drives the venues on its own once started. */
export interface FlowGenerator {
  start(t0: number): void;
  /** Information for informed traders elsewhere (dark-pool contra flow), if this flow has any. */
  readonly info: SignalSource | null;
  /** The kind of day the seed drew, if the flow varies by day. */
  readonly regime?: Regime;
  /**
   * Adds `qty` display-only shares at a side's best (0 = bid, 1 = ask), seen by the flow alone and never traded (the
   * exposure experiment); absent where the flow does not read the queues (it could not react to them).
   */
  showExtra?(side: 0 | 1, qty: number): void;
}

export interface SizeDist {
  /** Median shares (log-normal), log-sd, and the lot sizes are rounded to. */
  median: number;
  sigma: number;
  lot: number;
  /**
   * Sizes that occur far more often than a log-normal allows (round lots: 100 shares), each with its probability;
   * the rest of the mass is the log-normal's. Absent: log-normal only.
   */
  atoms?: { size: number; p: number }[];
}

/** A size drawn from `d`: one of its atoms, or else log-normal rounded to the lot (at least one lot). */
export function drawSize(rng: Rng, d: SizeDist): number {
  const atoms = d.atoms;
  if (atoms !== undefined && atoms.length > 0) {
    let u = rng.float();
    for (const a of atoms) {
      u -= a.p;
      if (u < 0) return a.size;
    }
  }
  return Math.max(d.lot, Math.round(rng.lognormal(d.median, d.sigma) / d.lot) * d.lot);
}

export interface CstParams {
  /** Limit-order arrivals per second per side at i = 1..K ticks from the opposite best. */
  limitRates: number[];
  /** Market orders per second per side. */
  marketRate: number;
  /** Cancel hazard per resting order per second at i = 1..K ticks from the opposite best (the last one beyond K). */
  cancelRates: number[];
  /** Multiplies every rate: more or less active markets of the same shape. */
  intensity: number;
  limitSize: SizeDist;
  marketSize: SizeDist;
  /** Volatility of the latent fair value, in basis points per √minute. */
  fairValueBpsPerSqrtMinute: number;
  /** Share of market orders sent by traders who know the fair value (they buy below it and sell above). */
  informedMarketFraction: number;
  /** Multipliers of every rate by time of day, one per bucket from the session start (mean 1); empty = flat. */
  intradayProfile: number[];
  bucketMinutes: number;
  /**
   * Day-to-day variation: each seed draws a depth multiplier (on limit-order arrivals: thin or deep books) and a
   * volatility multiplier (on the fair value), log-normal with these log-sds and mean 1. 0 = every day alike.
   */
  regime: { depthSigma: number; volatilitySigma: number };
}

/** The day a seed drew. */
export interface Regime {
  depth: number;
  volatility: number;
  label: string;
}

export interface CstContext {
  /** The scenario file, to resolve paths a flow model names. */
  file?: string;
  sched: Scheduler;
  rng: Rng;
  /** The fair value's own stream (defaults to rng). */
  fairRng?: Rng;
  /** Participants' impact, added to the fair value. */
  impact?: ImpactModel;
  venues: LitVenue[];
  /** Share of limit orders sent to each venue, same order as venues. */
  shares: number[];
  nbbo: ConsolidatedQuote;
  tick: number;
  initialPrice: number;
  /** The market's open (ns), where the intraday profile starts; defaults to the time the flow starts. */
  openNs?: number;
}

/**
 * Zero-intelligence order flow in the manner of Cont, Stoikov and Talreja (2010, "A stochastic model for order
 * book dynamics", Operations Research 58(3)): limit orders arrive at i ticks from the opposite best at rate λ(i),
 * market orders at rate μ, and each resting order is cancelled at rate θ(i). Simulated exactly as one Gillespie
 * process whose total rate is recomputed at each of its events; cancels use thinning: a resting order is drawn
 * uniformly at the maximal rate θmax and cancelled with probability θ(i)/θmax (entries for orders that have since
 * traded are dropped when drawn).
 *
 * Across venues: distances are measured from the consolidated NBBO, so no venue's book crosses another's; limit
 * orders go to venues by market share; a market order sweeps the NBBO, taking the best price wherever it is
 * (Reg NMS order protection) and splitting ties by share.
 *
 * On top of CST, a latent fair value follows a random walk; a fraction of market orders is informed and trades
 * toward it, so prices follow it with a lag. That lag is what informed dark-pool traders exploit (signal()).
 */
export class CstFlow implements FlowGenerator, Handler<null>, SignalSource {
  readonly info: SignalSource = this;
  protected readonly p: CstParams;
  protected readonly ctx: CstContext;
  protected readonly lambda: Float64Array;
  protected readonly lambdaCum: Float64Array;
  protected lambdaTotal: number;
  protected readonly theta: Float64Array;
  protected readonly thetaMax: number;
  protected readonly mu: number;
  protected readonly shareTotal: number;
  // live orders of this flow (may hold entries that have since traded away); liveVenue packs venue << 1 | side
  protected liveVenue: Int32Array = new Int32Array(1024);
  protected liveId: Float64Array = new Float64Array(1024);
  protected nLive = 0;
  // the fair value: a random walk on a 100 ms grid, drawn from its own stream so that its path does not depend
  // on the order flow (two runs of one seed, with and without a participant, see the same fair value)
  protected fairAtGrid: number;
  protected gridT = 0;
  protected readonly fairRng: Rng;
  protected readonly sigmaPerSqrtNs: number;
  protected readonly ties: number[] = [];
  readonly regime: Regime;
  protected t0 = 0;
  protected readonly bucketNs: number;
  protected readonly redraw: Handler<null>;

  constructor(p: CstParams, ctx: CstContext) {
    this.p = p;
    this.ctx = ctx;
    const k = p.intensity;
    // the day's regime comes first off the flow's stream, so it depends on the seed alone
    const draw = (sigma: number) => (sigma > 0 ? Math.exp(sigma * ctx.rng.normal() - (sigma * sigma) / 2) : 1);
    const depth = draw(p.regime.depthSigma);
    const volatility = draw(p.regime.volatilitySigma);
    this.regime = {
      depth: Math.round(depth * 1e6) / 1e6,
      volatility: Math.round(volatility * 1e6) / 1e6,
      label: `${depth < 1 ? 'thin' : 'deep'}, ${volatility < 1 ? 'calm' : 'volatile'}`,
    };
    this.lambda = Float64Array.from(p.limitRates, (x) => x * k * depth);
    this.lambdaCum = new Float64Array(this.lambda.length);
    let c = 0;
    this.lambda.forEach((x, i) => (this.lambdaCum[i] = c += x));
    this.lambdaTotal = c;
    this.theta = Float64Array.from(p.cancelRates, (x) => x * k);
    this.thetaMax = Math.max(...this.theta);
    this.mu = p.marketRate * k;
    this.shareTotal = ctx.shares.reduce((a, b) => a + b, 0);
    this.fairAtGrid = ctx.initialPrice;
    this.fairRng = ctx.fairRng ?? ctx.rng;
    // bps per √minute → price units per √ns
    this.sigmaPerSqrtNs = (volatility * p.fairValueBpsPerSqrtMinute * 1e-4 * ctx.initialPrice) / Math.sqrt(60 * NS_PER_SECOND);
    this.bucketNs = p.bucketMinutes * 60 * NS_PER_SECOND;
    this.redraw = { handle: (now) => this.scheduleNext(now) };
  }

  /** The intraday multiplier at time t, and when it next changes (Infinity if never). */
  protected profileAt(t: number): { m: number; until: number } {
    const prof = this.p.intradayProfile;
    if (prof.length === 0) return { m: 1, until: Infinity };
    const b = Math.floor((t - this.t0) / this.bucketNs);
    const i = Math.min(prof.length - 1, Math.max(0, b));
    return { m: prof[i]!, until: b >= prof.length - 1 ? Infinity : this.t0 + (b + 1) * this.bucketNs };
  }

  /** Expected move of the mid toward the fair value (price units). */
  signal(now: number): number {
    const { bid, ask } = this.ctx.nbbo;
    if (!(bid < ask)) return 0;
    return this.fairValue(now) - (bid + ask) / 2;
  }

  /** The fair value at time t: the random walk at its last grid point plus participants' impact (t never goes back). */
  fairValue(t: number): number {
    while (this.gridT + FAIR_STEP_NS <= t) {
      this.gridT += FAIR_STEP_NS;
      this.fairAtGrid += this.sigmaPerSqrtNs * SQRT_FAIR_STEP * this.fairRng.normal();
    }
    const impact = this.ctx.impact;
    return impact === undefined ? this.fairAtGrid : this.fairAtGrid + impact.offset(t);
  }

  /** Opens the books at the stationary CST depth λ(i)/θ(i) per level, split by share, then starts the flow. */
  start(t0: number): void {
    this.openBook();
    this.gridT = t0;
    this.t0 = this.ctx.openNs ?? t0;
    this.scheduleNext(t0);
  }

  /** The books at the open: the stationary CST depth λ(i)/θ(i) at each distance, split by share, around a one-tick spread. */
  protected openBook(): void {
    const { tick, initialPrice, venues, shares } = this.ctx;
    const bid0 = Math.floor(initialPrice / tick) * tick;
    const ask0 = bid0 + tick;
    for (let v = 0; v < venues.length; v++) {
      for (let i = 1; i <= this.lambda.length; i++) {
        const mean = (this.lambda[i - 1]! / this.thetaAt(i)) * (shares[v]! / this.shareTotal);
        const n = Math.max(1, Math.round(mean));
        for (let k = 0; k < n; k++) {
          this.addLive(v, BUY, venues[v]!.flowLimit(BUY, ask0 - i * tick, this.size(this.p.limitSize)));
          this.addLive(v, SELL, venues[v]!.flowLimit(SELL, bid0 + i * tick, this.size(this.p.limitSize)));
        }
      }
    }
  }

  handle(now: number): void {
    const rng = this.ctx.rng;
    const limitRate = 2 * this.lambdaTotal;
    const marketRate = 2 * this.mu;
    const x = rng.float() * (limitRate + marketRate + this.thetaMax * this.nLive);
    if (x < limitRate) this.limitArrival(x < this.lambdaTotal ? BUY : SELL);
    else if (x < limitRate + marketRate) this.marketArrival();
    else this.cancelCandidate();
    this.scheduleNext(now);
  }

  /**
   * Draws the time of the next event. Rates are constant within an intraday bucket; a draw that lands beyond the
   * bucket's end is discarded and redrawn from the boundary at the new rates (exact, by memorylessness).
   */
  protected scheduleNext(now: number): void {
    const { m, until } = this.profileAt(now);
    const rate = m * (2 * this.lambdaTotal + 2 * this.mu + this.thetaMax * this.nLive); // per second
    if (!(rate > 0)) {
      if (until < Infinity) this.ctx.sched.at(until, this.redraw, null);
      return;
    }
    const at = now + Math.max(1, Math.round(this.ctx.rng.exponential(rate) * NS_PER_SECOND));
    if (at >= until) this.ctx.sched.at(until, this.redraw, null);
    else this.ctx.sched.at(at, this, null);
  }

  protected thetaAt(i: number): number {
    return this.theta[Math.min(Math.max(i, 1), this.theta.length) - 1]!;
  }

  protected size(d: SizeDist): number {
    return drawSize(this.ctx.rng, d);
  }

  /** The opposite best a new order is placed from; a reasonable stand-in when that side is empty. */
  protected reference(side: Side): number {
    const { nbbo, tick } = this.ctx;
    const opp = side === BUY ? nbbo.ask : nbbo.bid;
    if (opp === opp) return opp;
    const same = side === BUY ? nbbo.bid : nbbo.ask;
    const f = Math.round(this.fairValue(this.ctx.sched.now()) / tick) * tick;
    if (same === same) return side === BUY ? Math.max(same + tick, f + tick) : Math.min(same - tick, f - tick);
    return side === BUY ? f + tick : f;
  }

  protected limitArrival(side: Side): void {
    const { rng, tick, venues, shares } = this.ctx;
    const u = rng.float() * this.lambdaTotal;
    let i = 0;
    while (i < this.lambdaCum.length - 1 && this.lambdaCum[i]! <= u) i++;
    const ref = this.reference(side);
    const price = side === BUY ? ref - (i + 1) * tick : ref + (i + 1) * tick;
    if (price <= 0) return;
    const v = rng.weighted(shares, this.shareTotal);
    this.addLive(v, side, venues[v]!.flowLimit(side, price, this.size(this.p.limitSize)));
  }

  protected marketArrival(): void {
    const { rng, nbbo } = this.ctx;
    let side: Side = rng.float() < 0.5 ? BUY : SELL;
    if (rng.float() < this.p.informedMarketFraction && nbbo.bid < nbbo.ask) {
      const gap = this.fairValue(this.ctx.sched.now()) - (nbbo.bid + nbbo.ask) / 2;
      if (Math.abs(gap) > (nbbo.ask - nbbo.bid) / 2) side = gap > 0 ? BUY : SELL;
    }
    this.sweep(side, this.size(this.p.marketSize));
  }

  /** Takes `qty` at the best prices across venues, one venue and price at a time. */
  protected sweep(side: Side, qty: number): void {
    const { nbbo, venues, shares, rng } = this.ctx;
    const oppSide = side === BUY ? SELL : BUY;
    for (let guard = 0; qty > 0 && guard < 64; guard++) {
      const ties = nbbo.venuesAtBest(oppSide, this.ties);
      if (ties.length === 0) return;
      let v = ties[0]!;
      if (ties.length > 1) {
        let total = 0;
        for (const t of ties) total += shares[t]!;
        let x = rng.float() * total;
        for (const t of ties) {
          x -= shares[t]!;
          v = t;
          if (x < 0) break;
        }
      }
      const price = side === BUY ? nbbo.ask : nbbo.bid;
      const venue = venues[v]!;
      venue.flowLimit(side, price, qty, IOC);
      const traded = venue.book.lastTraded;
      if (traded === 0) return;
      qty -= traded;
    }
  }

  protected cancelCandidate(): void {
    if (this.nLive === 0) return;
    const { rng, venues, nbbo, tick } = this.ctx;
    const k = rng.int(this.nLive);
    const v = this.liveVenue[k]! >> 1;
    const side = this.liveVenue[k]! & 1;
    const id = this.liveId[k]!;
    const venue = venues[v]!;
    const price = venue.book.priceOf(id);
    if (price !== price) {
      this.removeLive(k); // traded away since it was added
      return;
    }
    const opp = side === BUY ? nbbo.ask : nbbo.bid;
    const i = opp === opp ? Math.round(Math.abs(opp - price) / tick) : this.theta.length;
    if (rng.float() * this.thetaMax < this.thetaAt(i)) {
      venue.flowCancel(id);
      this.removeLive(k);
    }
  }

  protected addLive(v: number, side: Side, id: number): void {
    if (!this.ctx.venues[v]!.book.has(id)) return;
    if (this.nLive === this.liveId.length) {
      const a = new Int32Array(this.nLive * 2);
      a.set(this.liveVenue);
      this.liveVenue = a;
      const b = new Float64Array(this.nLive * 2);
      b.set(this.liveId);
      this.liveId = b;
    }
    this.liveVenue[this.nLive] = (v << 1) | side;
    this.liveId[this.nLive++] = id;
  }

  protected removeLive(k: number): void {
    const last = --this.nLive;
    this.liveVenue[k] = this.liveVenue[last]!;
    this.liveId[k] = this.liveId[last]!;
  }
}
