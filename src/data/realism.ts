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
  /**
   * The queue-reactive picture (Huang, Lehalle and Rosenbaum): events at the consolidated best per second spent with
   * that side's best queue in each size bucket (edges in units of `unit` shares; both sides pooled). At an unchanged
   * best price a larger queue is a join; a smaller one is a market order when the side traded at that instant and a
   * cancel otherwise. `market` counts market orders (one per timestamp and side) by the size of the queue they hit.
   */
  queue_intensities: { unit: number; edges: number[]; seconds: number[]; join: number[]; cancel: number[]; market: number[] };
}

/** Queue-size buckets of `queue_intensities`, in units of the queue unit. */
export const INTENSITY_EDGES = [0.25, 0.5, 1, 2, 4];
const intensityBucket = (q: number, unit: number): number => {
  let b = 0;
  while (b < INTENSITY_EDGES.length && q / unit >= INTENSITY_EDGES[b]!) b++;
  return b;
};

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

  /** Per side's queue bucket: seconds spent, joins, cancels, market orders; the decreases at the current instant. */
  private readonly qSeconds = new Float64Array(INTENSITY_EDGES.length + 1);
  private readonly qJoin = new Float64Array(INTENSITY_EDGES.length + 1);
  private readonly qCancel = new Float64Array(INTENSITY_EDGES.length + 1);
  private readonly qMarket = new Float64Array(INTENSITY_EDGES.length + 1);
  private stateT = NaN;
  private nowT = NaN;
  /** Decreases at the instant `nowT` not yet known to be trades or cancels, by side (0 bid, 1 ask): their buckets. */
  private readonly decreases: [number[], number[]] = [[], []];
  /** Whether the side (0 bid, 1 ask) traded at `nowT`. */
  private readonly tradedNow = [false, false];

  constructor(
    readonly t0: number,
    readonly tick: number,
    /** The queue unit of `queue_intensities` (shares): the median touch size the flow was fitted with. */
    readonly queueUnit = 100,
  ) {}

  /** Moves the clock to `t`: settles the decreases of the instant that ended. */
  private at(t: number): void {
    if (t === this.nowT) return;
    for (const side of [0, 1] as const) {
      for (const b of this.decreases[side]) if (!this.tradedNow[side]) this.qCancel[b]!++;
      this.decreases[side].length = 0;
      this.tradedNow[side] = false;
    }
    this.nowT = t;
  }

  spread(ticks: number, dtNs: number): void {
    if (dtNs > 0) this.spreadTime.set(ticks, (this.spreadTime.get(ticks) ?? 0) + dtNs);
  }

  /** A market order's execution against the bid (`hit` 0) or the ask (1). */
  execution(t: number, hit: 0 | 1, qty: number): void {
    this.at(t);
    const side = hit;
    if (!this.tradedNow[hit]) {
      const q = hit === 1 ? this.top.askQty : this.top.bidQty;
      if (q > 0) this.qMarket[intensityBucket(q, this.queueUnit)]!++;
    }
    this.tradedNow[hit] = true;
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
  quote(bid: number, bidQty: number, ask: number, askQty: number, t = NaN): void {
    const p = this.top;
    if (bid === p.bid && ask === p.ask && bidQty === p.bidQty && askQty === p.askQty) return;
    const twoSided = bid < ask && bidQty > 0 && askQty > 0;
    if (t === t) {
      this.at(t);
      const wasTwoSided = p.bid < p.ask && p.bidQty > 0 && p.askQty > 0;
      if (wasTwoSided) {
        const u = this.queueUnit;
        const bb = intensityBucket(p.bidQty, u);
        const ba = intensityBucket(p.askQty, u);
        if (this.stateT === this.stateT && t > this.stateT) {
          this.qSeconds[bb]! += (t - this.stateT) / 1e9;
          this.qSeconds[ba]! += (t - this.stateT) / 1e9;
        }
        if (bid === p.bid && bidQty > p.bidQty) this.qJoin[bb]!++;
        if (bid === p.bid && bidQty < p.bidQty) this.decreases[0].push(bb);
        if (ask === p.ask && askQty > p.askQty) this.qJoin[ba]!++;
        if (ask === p.ask && askQty < p.askQty) this.decreases[1].push(ba);
      }
      this.stateT = twoSided ? t : NaN;
    }
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
    this.at(NaN);
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
      queue_intensities: {
        unit: this.queueUnit,
        edges: INTENSITY_EDGES,
        seconds: Array.from(this.qSeconds, (x) => roundTo(x, 1)),
        join: perSecond(this.qJoin, this.qSeconds),
        cancel: perSecond(this.qCancel, this.qSeconds),
        market: perSecond(this.qMarket, this.qSeconds),
      },
    };
  }
}

const perSecond = (n: Float64Array, s: Float64Array): number[] => Array.from(n, (x, b) => (s[b]! > 0 ? roundTo(x / s[b]!, 4) : NaN));

/** The statistics of a real day (visible executions: LOBSTER type 4). */
export function realStats(day: LobsterDay, tick = 100, queueUnit = 100): MarketStats {
  const W = 4 * day.pair.levels;
  const t0 = Math.floor(day.timeNs[0]! / NS_PER_MINUTE) * NS_PER_MINUTE; // the minute the file opens in
  const c = new Collector(t0, tick, queueUnit);
  let nextMinute = t0 + NS_PER_MINUTE;
  let mid = NaN;
  for (let k = 0; k < day.n; k++) {
    const t = day.timeNs[k]!;
    while (t >= nextMinute) {
      c.minuteMid(mid);
      nextMinute += NS_PER_MINUTE;
    }
    // a resting buy order executed (direction 1) was hit by a sell: the bid
    if (day.type[k] === 4) c.execution(t, day.direction[k] === 1 ? 0 : 1, day.size[k]!);
    const ap = day.book[k * W]!;
    const bp = day.book[k * W + 2]!;
    const twoSided = day.book[k * W + 1]! > 0 && day.book[k * W + 3]! > 0 && ap !== EMPTY_ASK && bp !== EMPTY_BID;
    if (twoSided) mid = (ap + bp) / 2;
    c.quote(bp, day.book[k * W + 3]!, ap, day.book[k * W + 1]!, t);
    if (twoSided && k + 1 < day.n) c.spread(Math.round((ap - bp) / tick), day.timeNs[k + 1]! - t);
  }
  return c.result(day.timeNs[day.n - 1]!);
}
