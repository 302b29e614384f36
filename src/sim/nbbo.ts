import type { Scheduler } from '../core/scheduler.js';
import type { NbboSource } from '../venue/dark-pool.js';
import type { TopListener } from '../venue/lit-venue.js';

/**
 * The consolidated view of the lit venues' tops: the NBBO, recomputed on every change, and time-weighted spread
 * statistics. It observes the venues' own tops without latency (the simulator's truth); participants get
 * quotes through each venue's feed latency instead.
 */
export class ConsolidatedQuote implements TopListener, NbboSource {
  readonly bids: Float64Array;
  readonly asks: Float64Array;
  readonly bidQtys: Float64Array;
  readonly askQtys: Float64Array;
  bid = NaN;
  ask = NaN;
  /** The mid the last time the NBBO was two-sided and not locked or crossed (NaN before that). */
  lastMid = NaN;
  private readonly listeners: (() => void)[] = [];
  private readonly topListeners: (() => void)[] = [];

  // time-weighted statistics since startStats()
  private statsFrom = NaN;
  private lastT = 0;
  private spreadTime = 0; // ∑ spread × dt over two-sided time
  private twoSidedTime = 0;
  private lockedOrCrossedTime = 0;
  private oneSidedTime = 0;
  private readonly ticksTime = new Map<number, number>(); // spread in ticks → time

  constructor(
    nVenues: number,
    private readonly tick: number,
    private readonly sched: Scheduler,
  ) {
    this.bids = new Float64Array(nVenues).fill(NaN);
    this.asks = new Float64Array(nVenues).fill(NaN);
    this.bidQtys = new Float64Array(nVenues);
    this.askQtys = new Float64Array(nVenues);
  }

  nbbo(): { bid: number; ask: number } {
    return { bid: this.bid, ask: this.ask };
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Called at every change of a venue's top, a size alone included (onChange: the best prices only). */
  onAnyTopChange(fn: () => void): void {
    this.topListeners.push(fn);
  }

  /** The displayed size at the consolidated best price on a side (0 = bid, 1 = ask), summed over the venues there. */
  bestQty(side: 0 | 1): number {
    const px = side === 0 ? this.bid : this.ask;
    if (px !== px) return 0;
    const prices = side === 0 ? this.bids : this.asks;
    const qtys = side === 0 ? this.bidQtys : this.askQtys;
    let q = 0;
    for (let i = 0; i < prices.length; i++) if (prices[i] === px) q += qtys[i]!;
    return q;
  }

  onTopChange(venue: number, bid: number, bidQty: number, ask: number, askQty: number): void {
    this.bids[venue] = bid;
    this.asks[venue] = ask;
    this.bidQtys[venue] = bidQty;
    this.askQtys[venue] = askQty;
    this.recompute();
    for (const fn of this.topListeners) fn();
  }

  /** The NBBO from the venues' tops; its listeners told if a best price changed. */
  private recompute(): void {
    let b = NaN;
    let a = NaN;
    for (let i = 0; i < this.bids.length; i++) {
      const vb = this.bids[i]!;
      const va = this.asks[i]!;
      if (vb === vb && !(vb <= b)) b = vb;
      if (va === va && !(va >= a)) a = va;
    }
    if (b === this.bid && a === this.ask) return;
    if (b !== b && this.bid !== this.bid && a === this.ask) return;
    if (a !== a && this.ask !== this.ask && b === this.bid) return;
    this.accumulate();
    this.bid = b;
    this.ask = a;
    if (b < a) this.lastMid = (a + b) / 2;
    for (const fn of this.listeners) fn();
  }

  /** The venues quoting the NBBO price on a side (0 = bid, 1 = ask), written into `out`. */
  venuesAtBest(side: 0 | 1, out: number[]): number[] {
    out.length = 0;
    const px = side === 0 ? this.bid : this.ask;
    if (px !== px) return out;
    const arr = side === 0 ? this.bids : this.asks;
    for (let i = 0; i < arr.length; i++) if (arr[i] === px) out.push(i);
    return out;
  }

  startStats(): void {
    this.statsFrom = this.sched.now();
    this.lastT = this.statsFrom;
  }

  private accumulate(): void {
    if (this.statsFrom !== this.statsFrom) return;
    const now = this.sched.now();
    const dt = now - this.lastT;
    this.lastT = now;
    if (dt <= 0) return;
    const b = this.bid;
    const a = this.ask;
    if (b !== b || a !== a) this.oneSidedTime += dt;
    else if (a <= b) this.lockedOrCrossedTime += dt;
    else {
      this.twoSidedTime += dt;
      this.spreadTime += (a - b) * dt;
      const ticks = Math.round((a - b) / this.tick);
      this.ticksTime.set(ticks, (this.ticksTime.get(ticks) ?? 0) + dt);
    }
  }

  /** Time-weighted statistics from startStats() to now. */
  summary(): {
    mean_spread: number;
    mean_spread_ticks: number;
    share_of_time_by_spread_ticks: Record<string, number>;
    share_of_time_locked_or_crossed: number;
    share_of_time_one_sided: number;
  } {
    this.accumulate();
    const total = this.twoSidedTime + this.lockedOrCrossedTime + this.oneSidedTime;
    const share: Record<string, number> = {};
    const keys = [...this.ticksTime.keys()].sort((x, y) => x - y);
    // one bucket a tick up to 10 ticks, then ranges (wide-spread stocks spend most of their time there)
    const ranges: [number, number, string][] = [
      [11, 20, '11-20'],
      [21, 50, '21-50'],
      [51, 100, '51-100'],
      [101, Infinity, '>100'],
    ];
    const wide = new Map<string, number>();
    for (const k of keys) {
      const v = this.ticksTime.get(k)! / total;
      if (k <= 10) share[String(k)] = round6(v);
      else {
        const label = ranges.find(([lo, hi]) => k >= lo && k <= hi)![2];
        wide.set(label, (wide.get(label) ?? 0) + v);
      }
    }
    for (const [, , label] of ranges) if (wide.has(label)) share[label] = round6(wide.get(label)!);
    const mean = this.twoSidedTime > 0 ? this.spreadTime / this.twoSidedTime : NaN;
    return {
      mean_spread: round6(mean),
      mean_spread_ticks: round6(mean / this.tick),
      share_of_time_by_spread_ticks: share,
      share_of_time_locked_or_crossed: round6(total > 0 ? this.lockedOrCrossedTime / total : 0),
      share_of_time_one_sided: round6(total > 0 ? this.oneSidedTime / total : 0),
    };
  }
}

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
