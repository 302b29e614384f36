import { BUY, NS_PER_SECOND, type Side } from '../core/types.js';
import type { Fill } from './shortfall.js';

/** A path of the mid price: recorded at each change, read back at any time (the last value at or before t). */
export class MidPath {
  private t: number[] = [];
  private m: number[] = [];

  record(time: number, mid: number): void {
    if (mid !== mid) return;
    const n = this.t.length;
    if (n > 0 && this.t[n - 1] === time) this.m[n - 1] = mid;
    else if (n === 0 || this.m[n - 1] !== mid) {
      this.t.push(time);
      this.m.push(mid);
    }
  }

  /** The mid at time t (NaN before the first record). */
  at(time: number): number {
    let lo = 0;
    let hi = this.t.length - 1;
    if (hi < 0 || time < this.t[0]!) return NaN;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.t[mid]! <= time) lo = mid;
      else hi = mid - 1;
    }
    return this.m[lo]!;
  }

  /** The time-weighted average mid over [start, end], sampled every `stepNs`: the TWAP benchmark. */
  twap(start: number, end: number, stepNs = NS_PER_SECOND): number {
    let s = 0;
    let n = 0;
    for (let t = start; t <= end; t += stepNs) {
      const m = this.at(t);
      if (m === m) {
        s += m;
        n++;
      }
    }
    return n > 0 ? s / n : NaN;
  }
}

/** Trade prints of the market, for the interval VWAP and participation. */
export class TradeTape {
  private readonly t: number[] = [];
  private readonly p: number[] = [];
  private readonly q: number[] = [];

  record(time: number, price: number, qty: number): void {
    this.t.push(time);
    this.p.push(price);
    this.q.push(qty);
  }

  /** Volume and VWAP of the prints in [start, end]. */
  interval(start: number, end: number): { volume: number; vwap: number } {
    let v = 0;
    let pv = 0;
    for (let i = 0; i < this.t.length; i++) {
      const t = this.t[i]!;
      if (t < start || t > end) continue;
      v += this.q[i]!;
      pv += this.p[i]! * this.q[i]!;
    }
    return { volume: v, vwap: v > 0 ? pv / v : NaN };
  }
}

/** Slippage of an average price against a benchmark price, in bps of the benchmark, positive = cost. */
export function slippageBps(side: Side, avgPrice: number, benchmark: number): number {
  return ((side === BUY ? 1 : -1) * (avgPrice - benchmark) * 1e4) / benchmark;
}

export const MARKOUT_HORIZONS_S = [1, 10, 60] as const;

export interface VenueMarkouts {
  venue: string;
  fills: number;
  shares: number;
  /** Share-weighted mean markout at 1, 10 and 60 s, bps of the fill price, positive = the price moved against the fill. */
  markout_bps: number[];
}

/**
 * Markouts of fills per venue: for a buy, (price − mid(t + h)) / price; for a sell, the opposite. Positive means the
 * market moved against the fill afterwards (adverse selection), with the half-spread paid (or earned) included.
 */
export function markoutsByVenue(side: Side, fills: readonly Fill[], path: MidPath, horizons: readonly number[] = MARKOUT_HORIZONS_S): VenueMarkouts[] {
  const s = side === BUY ? 1 : -1;
  const by = new Map<string, { fills: number; shares: number; sum: number[]; w: number[] }>();
  for (const f of fills) {
    let v = by.get(f.venue);
    if (!v) by.set(f.venue, (v = { fills: 0, shares: 0, sum: horizons.map(() => 0), w: horizons.map(() => 0) }));
    v.fills++;
    v.shares += f.qty;
    horizons.forEach((h, k) => {
      const m = path.at(f.time + h * NS_PER_SECOND);
      if (m !== m) return;
      v.sum[k]! += (s * (f.price - m) * 1e4 * f.qty) / f.price;
      v.w[k]! += f.qty;
    });
  }
  return [...by.entries()].map(([venue, v]) => ({
    venue,
    fills: v.fills,
    shares: v.shares,
    markout_bps: v.sum.map((x, k) => (v.w[k]! > 0 ? x / v.w[k]! : NaN)),
  }));
}
