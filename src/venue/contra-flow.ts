import type { Rng } from '../core/rng.js';
import { BUY, SELL, type Side } from '../core/types.js';

/** What a contra trader arriving in a dark pool can see. */
export interface ContraContext {
  now: number;
  mid: number;
  halfSpread: number;
  /**
   * What informed traders know: the expected move of the mid (price units) over the near future, + for up.
   * 0 where the market has no such information (then informed traders act like the others).
   */
  signal: number;
}

export interface ContraOrder {
  side: Side;
  qty: number;
  minQty: number;
  /** How long it rests before it is withdrawn, ns. */
  lifetimeNs: number;
  informed: boolean;
}

/** Other traders' midpoint orders arriving in a dark pool. Open interface. */
export interface ContraFlowModel {
  /** Delay to the next arrival, ns (> 0). */
  nextArrivalNs(rng: Rng, now: number): number;
  draw(rng: Rng, ctx: ContraContext): ContraOrder;
  /**
   * A participant's order on `side` just filled `qty` against a contra order here (the pool tells the model; a model
   * that learns from it may change what later contras do). Optional: models without it learn nothing.
   */
  onParticipantFill?(side: Side, qty: number, now: number, rng: Rng): void;
}

export interface PoissonContraParams {
  /** Arrivals per minute. */
  ratePerMinute: number;
  /** Median order size (shares, log-normal) and log-sd. */
  medianSize: number;
  sizeSigma: number;
  /** Sizes are rounded to this lot (≥ 1). */
  lot: number;
  /** Minimum execution quantity of contra orders. */
  minQty: number;
  /** Mean resting time of uninformed orders (exponential), ms. */
  meanLifetimeMs: number;
  /** Fraction of arrivals that are informed. */
  informedFraction: number;
  /** Mean resting time of informed orders: short, they want to trade before the move, ms. */
  informedLifetimeMs: number;
}

/**
 * Poisson arrivals. Uninformed traders pick a side at random; informed ones take the side the signal favours, so
 * a resting order on the other side fills just before the price moves against it: adverse selection.
 */
export class PoissonContraFlow implements ContraFlowModel {
  constructor(readonly p: PoissonContraParams) {}

  nextArrivalNs(rng: Rng): number {
    return Math.max(1, Math.round(rng.exponential(this.p.ratePerMinute / 60) * 1e9));
  }

  draw(rng: Rng, ctx: ContraContext): ContraOrder {
    const p = this.p;
    const informed = rng.float() < p.informedFraction && ctx.signal !== 0;
    const side: Side = informed ? (ctx.signal > 0 ? BUY : SELL) : rng.float() < 0.5 ? BUY : SELL;
    const qty = Math.max(p.lot, Math.round(rng.lognormal(p.medianSize, p.sizeSigma) / p.lot) * p.lot);
    const mean = informed ? p.informedLifetimeMs : p.meanLifetimeMs;
    return { side, qty, minQty: Math.min(p.minQty, qty), lifetimeNs: Math.max(1, Math.round(rng.exponential(1 / mean) * 1e6)), informed };
  }
}

export interface LeakyContraParams extends PoissonContraParams {
  /** Probability that a participant's fill tells the contra side which way the participant trades. */
  leakProbability: number;
  /** How long the contra side keeps what it learnt, seconds. */
  leakSeconds: number;
  /** While it knows, the share of arrivals that take the participant's side (they stop trading against it). */
  leakFraction: number;
}

/**
 * Information leakage through dark fills: a contra that fills a little against a participant learns its side, and
 * for `leakSeconds` a share `leakFraction` of arrivals join that side instead of trading against it (they withdraw
 * their liquidity and compete for the same contras). A participant that pings a pool with a minimum quantity and
 * fills a little then finds it drier. Poisson arrivals otherwise, as `PoissonContraFlow`.
 */
export class LeakyContraFlow extends PoissonContraFlow {
  /** Until when (ns) the contra side knows, and what it knows: the participant's side. */
  private knownUntil = -Infinity;
  private knownSide: Side = BUY;

  constructor(readonly leaky: LeakyContraParams) {
    super(leaky);
  }

  onParticipantFill(side: Side, _qty: number, now: number, rng: Rng): void {
    const p = this.leaky.leakProbability;
    // (a certain or impossible leak draws nothing: a leak that never happens leaves the Poisson flow as it was)
    if (p >= 1 || (p > 0 && rng.float() < p)) {
      this.knownSide = side;
      this.knownUntil = now + this.leaky.leakSeconds * 1e9;
    }
  }

  /** Whether the contra side knows the participant's side at `now`. */
  knows(now: number): boolean {
    return now < this.knownUntil;
  }

  override draw(rng: Rng, ctx: ContraContext): ContraOrder {
    const o = super.draw(rng, ctx);
    if (this.knows(ctx.now) && rng.float() < this.leaky.leakFraction) return { ...o, side: this.knownSide, informed: true };
    return o;
  }
}
