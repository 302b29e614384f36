import { BUY, NS_PER_MINUTE, NS_PER_SECOND, type Side } from '../core/types.js';

/**
 * Streaming statistics for the router's features. Each update costs O(1) (amortised over the seconds or minutes
 * that elapse), and each has a plain offline definition, stated on it, that the tests compute independently.
 */

/**
 * Trade-flow imbalance: (buy − sell) / (buy + sell) of aggressor volume, each side's volume decayed exponentially
 * with a half-life: offline, Σ sign_i · q_i · 2^(−(t − t_i)/H) / Σ q_i · 2^(−(t − t_i)/H) over trades up to t.
 * 0 when no trade has been seen.
 */
export class TradeFlowImbalance {
  private buy = 0;
  private sell = 0;
  private last = NaN;
  constructor(readonly halfLifeNs: number) {}

  private decayTo(t: number): void {
    if (this.last === this.last && t > this.last) {
      const f = Math.pow(2, -(t - this.last) / this.halfLifeNs);
      this.buy *= f;
      this.sell *= f;
    }
    if (!(t < this.last)) this.last = t;
  }

  onTrade(t: number, aggressor: Side, qty: number): void {
    this.decayTo(t);
    if (aggressor === BUY) this.buy += qty;
    else this.sell += qty;
  }

  value(t: number): number {
    this.decayTo(t);
    const tot = this.buy + this.sell;
    return tot > 0 ? (this.buy - this.sell) / tot : 0;
  }

  /** The decayed volume as a rate, shares per second: Σ q_i · 2^(−(t − t_i)/H) · ln 2 / H. */
  rate(t: number): number {
    this.decayTo(t);
    return ((this.buy + this.sell) * Math.LN2) / (this.halfLifeNs / NS_PER_SECOND);
  }
}

/**
 * The mid sampled on a time grid (every second, every minute): at each grid time s, the last mid at or before s.
 * Samples are taken lazily, for every grid time strictly before the time of the next update or query, so an
 * update costs O(1) amortised over the grid steps that elapsed. The grid starts at the first update (rounded up).
 */
abstract class GridSampled {
  private mid = NaN;
  private next = NaN;
  constructor(private readonly stepNs: number) {}

  /** The mid changed at time t. */
  onMid(t: number, mid: number): void {
    this.advance(t);
    this.mid = mid;
    if (this.next !== this.next) this.next = Math.ceil(t / this.stepNs) * this.stepNs;
  }

  /** Takes the samples at every grid time strictly before t. */
  protected advance(t: number): void {
    if (this.mid !== this.mid) return;
    while (this.next < t) {
      this.sample(this.mid);
      this.next += this.stepNs;
    }
  }

  protected abstract sample(mid: number): void;
}

/**
 * The mid's move over the last `seconds` whole seconds, bps: ln(m(s_last) / m(s_last − seconds)) × 10⁴ with
 * m(s) the last mid at or before whole second s, and s_last the last whole second strictly before the time asked
 * about; 0 until that far back has been sampled.
 */
export class MidMomentum extends GridSampled {
  private readonly ring: Float64Array;
  private n = 0;
  private head = 0;

  constructor(readonly seconds: number) {
    super(NS_PER_SECOND);
    this.ring = new Float64Array(seconds + 1);
  }

  value(t: number): number {
    this.advance(t);
    if (this.n < this.ring.length) return 0;
    const last = this.ring[(this.head + this.ring.length - 1) % this.ring.length]!;
    const first = this.ring[this.head]!; // the oldest of seconds + 1 samples
    return Math.log(last / first) * 1e4;
  }

  protected sample(mid: number): void {
    this.ring[this.head] = mid;
    this.head = (this.head + 1) % this.ring.length;
    if (this.n < this.ring.length) this.n++;
  }
}

/**
 * Realised volatility over a trailing window of whole seconds: the mid is sampled at each whole second (its last
 * value at or before it), r_k = ln(m_k / m_{k−1}), and the value is √(Σ r² / minutes covered) in bps per √minute
 * over the last `windowSeconds` returns (fewer before the window has filled; NaN before two samples). Samples are
 * taken at whole seconds strictly before the time asked about.
 */
export class RealizedVol extends GridSampled {
  private readonly sq: Float64Array;
  private sum = 0;
  private n = 0;
  private head = 0;
  private lastSampled = NaN;

  constructor(readonly windowSeconds: number) {
    super(NS_PER_SECOND);
    this.sq = new Float64Array(windowSeconds);
  }

  /** bps per √minute at time t, from the samples at whole seconds strictly before t. */
  value(t: number): number {
    this.advance(t);
    if (this.n === 0) return NaN;
    return Math.sqrt(Math.max(0, this.sum) / (this.n / 60)) * 1e4;
  }

  protected sample(m: number): void {
    if (this.lastSampled === this.lastSampled) {
      const r = Math.log(m / this.lastSampled);
      const x = r * r;
      if (this.n === this.sq.length) this.sum -= this.sq[this.head]!;
      else this.n++;
      this.sq[this.head] = x;
      this.sum += x;
      this.head = (this.head + 1) % this.sq.length;
      if (this.head === 0) {
        // once a window, the running sum is recomputed: subtracting leaves rounding residue that would build up
        let exact = 0;
        for (let i = 0; i < this.n; i++) exact += this.sq[i]!;
        this.sum = exact;
      }
    }
    this.lastSampled = m;
  }
}

/**
 * GARCH(1,1) on one-minute mid log returns: σ²_{k+1} = ω + α r_k² + β σ²_k, started at the long-run variance
 * ω / (1 − α − β). The value is the forecast of the next minute's volatility, bps per √minute. The parameters are
 * given (fitted offline), so an update is one multiply-add.
 */
export class Garch11 extends GridSampled {
  private variance: number;
  private lastSampled = NaN;
  readonly omega: number;

  constructor(
    /** Long-run volatility, bps per √minute. */
    readonly longRunBps: number,
    readonly alpha = 0.05,
    readonly beta = 0.9,
  ) {
    super(NS_PER_MINUTE);
    if (!(alpha >= 0 && beta >= 0 && alpha + beta < 1)) throw new Error('GARCH(1,1) needs α, β ≥ 0 and α + β < 1');
    const v = (longRunBps * 1e-4) ** 2;
    this.omega = v * (1 - alpha - beta);
    this.variance = v;
  }

  /** The forecast at time t, from the one-minute samples strictly before t. */
  value(t: number): number {
    this.advance(t);
    return Math.sqrt(this.variance) * 1e4;
  }

  protected sample(mid: number): void {
    if (this.lastSampled === this.lastSampled) {
      const r = Math.log(mid / this.lastSampled);
      this.variance = this.omega + this.alpha * r * r + this.beta * this.variance;
    }
    this.lastSampled = mid;
  }
}

/**
 * An exponentially weighted mean by count: each observation has weight w, the past (1 − w). NaN before the first.
 * Used for a venue's historical fill rate and latency.
 */
export class Ewm {
  value = NaN;
  n = 0;
  constructor(readonly weight: number) {}
  add(x: number): void {
    this.value = this.value !== this.value ? x : this.value + this.weight * (x - this.value);
    this.n++;
  }
}
