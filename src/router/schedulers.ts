import { NS_PER_MINUTE } from '../core/types.js';

/**
 * Schedulers decide *when and how much*: for a parent order of `qty` shares over [start, end], target(t) is the
 * number of shares that should be done by time t (non-decreasing, 0 at the start, qty at the end). A policy trades
 * toward the target; allocators (elsewhere) decide where and how.
 */
export interface Schedule {
  readonly qty: number;
  readonly start: number;
  readonly end: number;
  /** Shares that should be done by time t (ns), as a real number; callers round to lots. */
  target(t: number): number;
}

/** An intraday volume profile: relative volume per bucket of `bucketNs` from `openNs`. */
export interface VolumeProfile {
  buckets: readonly number[];
  openNs: number;
  bucketNs: number;
}

/** A volume profile's cumulative curve: the volume it expects up to a time, and between two times. */
export class ProfileCurve {
  private readonly cum: number[];
  constructor(private readonly p: VolumeProfile) {
    if (p.buckets.length === 0 || p.buckets.some((x) => !(x >= 0))) throw new Error('a volume profile needs non-negative buckets');
    this.cum = [0];
    for (const x of p.buckets) this.cum.push(this.cum[this.cum.length - 1]! + x);
  }
  /** The profile's cumulative volume at time t (buckets are uniform inside); the whole day's at t = Infinity. */
  volumeTo(t: number): number {
    const x = (t - this.p.openNs) / this.p.bucketNs;
    if (x <= 0) return 0;
    const n = this.p.buckets.length;
    if (x >= n) return this.cum[n]!;
    const b = Math.floor(x);
    return this.cum[b]! + (x - b) * this.p.buckets[b]!;
  }
  /** The share of a day's volume expected between two times (0 for a profile of no volume). */
  share(from: number, to: number): number {
    const day = this.volumeTo(Infinity);
    return day > 0 ? (this.volumeTo(to) - this.volumeTo(from)) / day : 0;
  }
}

/**
 * The volume a market of daily volume `adv` is expected to trade between two times: by the profile where there is
 * one, else evenly over a 6.5-hour session.
 */
export function expectedVolume(curve: ProfileCurve | null, adv: number, from: number, to: number): number {
  return curve ? adv * curve.share(from, to) : (adv * (to - from)) / (390 * NS_PER_MINUTE);
}

/** Time-weighted: an even pace over the horizon. */
export class TwapSchedule implements Schedule {
  constructor(
    readonly qty: number,
    readonly start: number,
    readonly end: number,
  ) {
    if (!(end > start)) throw new Error('a schedule needs end > start');
  }
  target(t: number): number {
    if (t <= this.start) return 0;
    if (t >= this.end) return this.qty;
    return (this.qty * (t - this.start)) / (this.end - this.start);
  }
}

/**
 * Volume-weighted: the pace of an intraday volume profile (shares of the day's volume per bucket of equal length
 * from `profileStart`), so the order trades in proportion to the volume the market usually does.
 */
export class VwapSchedule implements Schedule {
  private readonly curve: ProfileCurve;
  constructor(
    readonly qty: number,
    readonly start: number,
    readonly end: number,
    profile: readonly number[],
    profileStart: number,
    bucketNs: number,
  ) {
    if (!(end > start)) throw new Error('a schedule needs end > start');
    this.curve = new ProfileCurve({ buckets: profile, openNs: profileStart, bucketNs });
  }
  /** The profile's cumulative volume at time t (buckets are uniform inside); the whole day's at t = Infinity. */
  volumeTo(t: number): number {
    return this.curve.volumeTo(t);
  }
  target(t: number): number {
    if (t <= this.start) return 0;
    if (t >= this.end) return this.qty;
    const a = this.volumeTo(this.start);
    const total = this.volumeTo(this.end) - a;
    if (!(total > 0)) return (this.qty * (t - this.start)) / (this.end - this.start); // no volume expected: TWAP
    return (this.qty * (this.volumeTo(t) - a)) / total;
  }
}

/**
 * Percentage of volume: a participation rate of the volume the market actually trades, as observed (the policy
 * reports it with observe()); done by the end at the latest.
 */
export class PovSchedule implements Schedule {
  private observed = 0;
  constructor(
    readonly qty: number,
    readonly start: number,
    readonly end: number,
    readonly rate: number,
  ) {
    if (!(rate > 0 && rate < 1)) throw new Error('a participation rate is in (0, 1)');
  }
  /** Market volume traded (by others) since the start. */
  observe(volume: number): void {
    this.observed += volume;
  }
  target(t: number): number {
    if (t >= this.end) return this.qty;
    if (t <= this.start) return 0;
    // our share of the total: q = rate · (others + q)  ⇒  q = rate/(1 − rate) · others
    return Math.min(this.qty, (this.rate / (1 - this.rate)) * this.observed);
  }
}

/** Model parameters of Almgren and Chriss (2000), "Optimal execution of portfolio transactions", J. Risk 3. */
export interface AlmgrenChrissParams {
  /** Shares to sell (or buy: the schedule is symmetric). */
  X: number;
  /** Horizon T and number of intervals N (τ = T/N), in any time unit used consistently below. */
  T: number;
  N: number;
  /** Price volatility per √unit of time (currency). */
  sigma: number;
  /** Permanent impact γ (currency per share) and temporary impact: fixed cost ε per share, η (currency·time per share²). */
  gamma: number;
  eta: number;
  epsilon: number;
  /** Risk aversion λ (per currency). */
  lambda: number;
}

/**
 * The Almgren–Chriss optimal trajectory, discrete version: holdings x_j = X·sinh(κ(T − t_j))/sinh(κT) at
 * t_j = jτ, where κ solves (2/τ²)(cosh κτ − 1) = λσ²/η̃ with η̃ = η − γτ/2. λ → 0 gives κ → 0 and the straight
 * line, TWAP. Expected cost and variance of the trajectory are given both by summation and by the paper's closed
 * forms (equations 13 and 14 of the 2000 paper, in this notation).
 */
export class AlmgrenChriss {
  readonly tau: number;
  readonly etaTilde: number;
  readonly kappa: number;
  /** Holdings x_0 … x_N (x_0 = X, x_N = 0). */
  readonly holdings: number[];

  constructor(readonly p: AlmgrenChrissParams) {
    if (!(p.N >= 1 && Number.isInteger(p.N))) throw new Error('N must be a positive integer');
    this.tau = p.T / p.N;
    this.etaTilde = p.eta - (p.gamma * this.tau) / 2;
    if (!(this.etaTilde > 0)) throw new Error('η − γτ/2 must be positive (more intervals, or less permanent impact)');
    const kt2 = (p.lambda * p.sigma * p.sigma) / this.etaTilde; // κ̃²
    // cosh(κτ) = 1 + κ̃²τ²/2
    this.kappa = kt2 > 0 ? Math.acosh(1 + (kt2 * this.tau * this.tau) / 2) / this.tau : 0;
    this.holdings = [];
    for (let j = 0; j <= p.N; j++) {
      const t = j * this.tau;
      this.holdings.push(this.kappa > 0 ? (p.X * Math.sinh(this.kappa * (p.T - t))) / Math.sinh(this.kappa * p.T) : (p.X * (p.N - j)) / p.N);
    }
    this.holdings[p.N] = 0;
  }

  /** Shares traded in each interval, n_j = x_{j−1} − x_j. */
  trades(): number[] {
    const out: number[] = [];
    for (let j = 1; j <= this.p.N; j++) out.push(this.holdings[j - 1]! - this.holdings[j]!);
    return out;
  }

  /** E[cost] = ½γX² + ε Σ|n_j| + (η̃/τ) Σ n_j², by summation. */
  expectedCost(): number {
    const { X, gamma, epsilon } = this.p;
    let abs = 0;
    let sq = 0;
    for (const n of this.trades()) {
      abs += Math.abs(n);
      sq += n * n;
    }
    return 0.5 * gamma * X * X + epsilon * abs + (this.etaTilde / this.tau) * sq;
  }

  /** Var[cost] = σ² τ Σ x_j² (j = 1 … N), by summation. */
  variance(): number {
    let s = 0;
    for (let j = 1; j <= this.p.N; j++) s += this.holdings[j]! ** 2;
    return this.p.sigma * this.p.sigma * this.tau * s;
  }

  /** The closed forms of E and V for the optimal trajectory (λ > 0). */
  closedForm(): { E: number; V: number } {
    const { X, T, sigma, gamma, epsilon } = this.p;
    const k = this.kappa;
    const tau = this.tau;
    const sh = Math.sinh(k * T);
    const E =
      0.5 * gamma * X * X +
      epsilon * X +
      (this.etaTilde * X * X * Math.tanh((k * tau) / 2) * (tau * Math.sinh(2 * k * T) + 2 * T * Math.sinh(k * tau))) / (2 * tau * tau * sh * sh);
    const V = (0.5 * sigma * sigma * X * X * (tau * Math.sinh(k * T) * Math.cosh(k * (T - tau)) - T * Math.sinh(k * tau))) / (sh * sh * Math.sinh(k * tau));
    return { E, V };
  }

  /** As a schedule over [start, end] in ns: shares done by t, linear inside each interval. */
  schedule(start: number, end: number): Schedule {
    const ac = this;
    const N = this.p.N;
    return {
      qty: this.p.X,
      start,
      end,
      target(t: number): number {
        if (t <= start) return 0;
        if (t >= end) return ac.p.X;
        const x = ((t - start) / (end - start)) * N;
        const j = Math.floor(x);
        const held = ac.holdings[j]! + (x - j) * (ac.holdings[j + 1]! - ac.holdings[j]!);
        return ac.p.X - held;
      },
    };
  }
}
