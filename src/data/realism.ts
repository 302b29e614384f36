import { mean, quantile, roundTo } from '../core/stats.js';
import { NS_PER_MINUTE } from '../core/types.js';
import { EMPTY_ASK, EMPTY_BID, type LobsterDay } from './lobster.js';
import { fitHawkes } from '../core/hawkes.js';

/**
 * Stylized facts of a market day, computed the same way for a real LOBSTER day and for a simulated one, so the
 * two can be set side by side. A "trade" is a market order: the executions at one timestamp on one side (a
 * simulated sweep across venues happens at one instant, as a real one is stamped at one time).
 */
export interface MarketStats {
  minutes: number;
  /** Time-weighted, over two-sided time, in ticks. */
  spread_ticks: { mean: number; p10: number; p50: number; p90: number };
  /** `modes`: the three commonest sizes and the share of trades of each. */
  trade_size: { count: number; mean: number; median: number; p90: number; modes: { size: number; share: number }[] };
  /**
   * `hawkes`: the trades' arrival times fitted by an exponential-kernel Hawkes process (maximum likelihood over the
   * whole day; the day's own intraday profile is left in, which raises the branching ratio): how clustered they are.
   */
  inter_trade_seconds: { mean: number; median: number; cv: number; hawkes: { branching: number; decay_s: number; base_per_s: number } | null };
  return_1min: { sd_bps: number; kurtosis: number; count: number };
  /** Share of the day's traded volume in each half hour from the open. */
  volume_profile: number[];
  traded_volume: number;
  /**
   * The imbalance of the best queues, (bid size − ask size) / (bid size + ask size), and where the mid goes next:
   * for each change of the consolidated best prices or sizes (two-sided, not locked), in which of 5 buckets its
   * imbalance fell (edges −1, −0.6, −0.2, 0.2, 0.6, 1), and whether the next move of the mid was up. `p_up` per bucket
   * (NaN where none), `n` the states that saw a next move. Stoikov's micro-price reads this curve.
   */
  imbalance_next_move: { edges: number[]; p_up: number[]; n: number[] };
}

/** The imbalance buckets' edges. */
export const IMBALANCE_EDGES = [-1, -0.6, -0.2, 0.2, 0.6, 1];

/** The bucket of an imbalance in [−1, 1]. */
export function imbalanceBucket(i: number): number {
  let b = 0;
  while (b < IMBALANCE_EDGES.length - 2 && i >= IMBALANCE_EDGES[b + 1]!) b++;
  return b;
}

const BUCKET_NS = 30 * NS_PER_MINUTE;

/** Accumulates everything but the spread; both sources feed it trades and minute mids. */
export class Collector {
  private readonly spreadTime = new Map<number, number>();
  private readonly sizes: number[] = [];
  private readonly times: number[] = [];
  private readonly mids: number[] = [];
  private readonly buckets: number[] = [];
  private groupT = NaN;
  private groupSide = -1;
  private groupQty = 0;
  /** The best quote last seen, and the states since the mid last moved, by imbalance bucket. */
  private top = { bid: NaN, bidQty: NaN, ask: NaN, askQty: NaN };
  /** Twice the mid of the last two-sided state (NaN before one). */
  private lastMid2 = NaN;
  private readonly pending = new Float64Array(IMBALANCE_EDGES.length - 1);
  private readonly ups = new Float64Array(IMBALANCE_EDGES.length - 1);
  private readonly moves = new Float64Array(IMBALANCE_EDGES.length - 1);

  constructor(
    readonly t0: number,
    readonly tick: number,
  ) {}

  spread(ticks: number, dtNs: number): void {
    if (dtNs > 0) this.spreadTime.set(ticks, (this.spreadTime.get(ticks) ?? 0) + dtNs);
  }

  execution(t: number, side: number, qty: number): void {
    const b = Math.floor((t - this.t0) / BUCKET_NS);
    while (this.buckets.length <= b) this.buckets.push(0);
    this.buckets[b]! += qty;
    if (t === this.groupT && side === this.groupSide) {
      this.groupQty += qty;
      return;
    }
    this.flush();
    this.groupT = t;
    this.groupSide = side;
    this.groupQty = qty;
  }

  /**
   * The consolidated best prices and sizes, at each change (repeats of the same state are ignored). A state whose mid
   * differs from the last settles every state since then: their next move was this one.
   */
  quote(bid: number, bidQty: number, ask: number, askQty: number): void {
    const p = this.top;
    if (bid === p.bid && ask === p.ask && bidQty === p.bidQty && askQty === p.askQty) return;
    const twoSided = bid < ask && bidQty > 0 && askQty > 0;
    this.top = { bid, bidQty, ask, askQty };
    if (!twoSided) return;
    const mid2 = bid + ask;
    const before = this.lastMid2;
    this.lastMid2 = mid2;
    if (before === before && mid2 !== before) {
      const up = mid2 > before;
      for (let b = 0; b < this.pending.length; b++) {
        this.moves[b]! += this.pending[b]!;
        if (up) this.ups[b]! += this.pending[b]!;
        this.pending[b] = 0;
      }
    }
    this.pending[imbalanceBucket((bidQty - askQty) / (bidQty + askQty))]!++;
  }

  minuteMid(mid: number): void {
    this.mids.push(mid);
  }

  private flush(): void {
    if (this.groupT === this.groupT) {
      this.sizes.push(this.groupQty);
      this.times.push(this.groupT);
    }
  }

  result(endNs: number): MarketStats {
    this.flush();
    this.groupT = NaN;
    const keys = [...this.spreadTime.keys()].sort((a, b) => a - b);
    const total = keys.reduce((a, k) => a + this.spreadTime.get(k)!, 0);
    const q = (p: number): number => {
      let c = 0;
      for (const k of keys) {
        c += this.spreadTime.get(k)!;
        if (c >= p * total) return k;
      }
      return NaN;
    };
    const meanSpread = keys.reduce((a, k) => a + k * this.spreadTime.get(k)!, 0) / total;
    const gaps: number[] = [];
    for (let i = 1; i < this.times.length; i++) gaps.push((this.times[i]! - this.times[i - 1]!) / 1e9);
    const rets: number[] = [];
    for (let i = 1; i < this.mids.length; i++) if (this.mids[i]! > 0 && this.mids[i - 1]! > 0) rets.push(Math.log(this.mids[i]! / this.mids[i - 1]!) * 1e4);
    const rm = mean(rets);
    const rv = mean(rets.map((r) => (r - rm) ** 2));
    const volume = this.buckets.reduce((a, b) => a + b, 0);
    const gm = mean(gaps);
    const counts = new Map<number, number>();
    for (const q of this.sizes) counts.set(q, (counts.get(q) ?? 0) + 1);
    const modes = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, 3)
      .map(([size, k]) => ({ size, share: roundTo(k / this.sizes.length, 4) }));
    const hawkes = fitHawkes(
      this.times.map((t) => (t - this.t0) / 1e9),
      0,
      (endNs - this.t0) / 1e9,
    );
    return {
      minutes: roundTo((endNs - this.t0) / NS_PER_MINUTE, 3),
      spread_ticks: { mean: roundTo(meanSpread, 3), p10: q(0.1), p50: q(0.5), p90: q(0.9) },
      trade_size: {
        count: this.sizes.length,
        mean: roundTo(mean(this.sizes), 3),
        median: quantile(this.sizes, 0.5),
        p90: quantile(this.sizes, 0.9),
        modes,
      },
      inter_trade_seconds: {
        mean: roundTo(gm, 3),
        median: roundTo(quantile(gaps, 0.5), 3),
        cv: roundTo(Math.sqrt(mean(gaps.map((g) => (g - gm) ** 2))) / gm, 3),
        hawkes: hawkes && { branching: roundTo(hawkes.branching, 4), decay_s: roundTo(1 / hawkes.beta, 4), base_per_s: roundTo(hawkes.mu, 4) },
      },
      return_1min: {
        sd_bps: roundTo(Math.sqrt(rv), 3),
        kurtosis: roundTo(rv > 0 ? mean(rets.map((r) => (r - rm) ** 4)) / rv ** 2 : NaN, 3),
        count: rets.length,
      },
      volume_profile: this.buckets.map((b) => roundTo(b / volume, 3)),
      traded_volume: volume,
      imbalance_next_move: {
        edges: IMBALANCE_EDGES,
        p_up: Array.from(this.ups, (u, b) => (this.moves[b]! > 0 ? roundTo(u / this.moves[b]!, 4) : NaN)),
        n: Array.from(this.moves),
      },
    };
  }
}

/** The statistics of a real day (visible executions: LOBSTER type 4). */
export function realStats(day: LobsterDay, tick = 100): MarketStats {
  const W = 4 * day.pair.levels;
  const t0 = Math.floor(day.timeNs[0]! / NS_PER_MINUTE) * NS_PER_MINUTE; // the minute the file opens in
  const c = new Collector(t0, tick);
  let nextMinute = t0 + NS_PER_MINUTE;
  let mid = NaN;
  for (let k = 0; k < day.n; k++) {
    const t = day.timeNs[k]!;
    while (t >= nextMinute) {
      c.minuteMid(mid);
      nextMinute += NS_PER_MINUTE;
    }
    if (day.type[k] === 4) c.execution(t, day.direction[k]!, day.size[k]!);
    const ap = day.book[k * W]!;
    const bp = day.book[k * W + 2]!;
    const twoSided = day.book[k * W + 1]! > 0 && day.book[k * W + 3]! > 0 && ap !== EMPTY_ASK && bp !== EMPTY_BID;
    if (twoSided) mid = (ap + bp) / 2;
    c.quote(bp, day.book[k * W + 3]!, ap, day.book[k * W + 1]!);
    if (twoSided && k + 1 < day.n) c.spread(Math.round((ap - bp) / tick), day.timeNs[k + 1]! - t);
  }
  return c.result(day.timeNs[day.n - 1]!);
}
