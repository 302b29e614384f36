import type { Handler } from '../core/scheduler.js';
import { ols, roundTo } from '../core/stats.js';
import { BUY, IOC, NS_PER_MINUTE, type Side } from '../core/types.js';
import type { Scenario } from '../sim/scenario.js';
import type { Session } from '../sim/session.js';
import type { ExecReport, VenueClient } from '../venue/types.js';
import { marketOf } from './market.js';
import { buildWorld } from './world.js';

/**
 * A metaorder: `qty` shares bought (or sold) in equal slices over a period, each slice taking the best displayed
 * prices across the lit venues (IOC orders sized to each venue's top, a market order when nothing is quoted).
 * It trades through the venues' latency like any participant; what a slice misses is spread over later slices.
 */
export class Programme implements VenueClient {
  filled = 0;
  private slicesLeft: number;
  private nextId = 1;
  private readonly tick: Handler<null>;

  constructor(
    private readonly s: Session,
    readonly side: Side,
    readonly qty: number,
    readonly startNs: number,
    readonly durationNs: number,
    readonly slices: number,
  ) {
    this.slicesLeft = slices;
    this.tick = { handle: () => this.slice() };
  }

  start(): void {
    for (let k = 0; k < this.slices; k++) this.s.kernel.at(this.startNs + Math.floor((k * this.durationNs) / this.slices), this.tick, null);
  }

  onExecReport(r: ExecReport): void {
    if (r.kind === 'fill') {
      this.filled += r.qty;
    }
  }

  private slice(): void {
    // IOC answers come back within a round trip, long before the next slice: fills are all known here
    const remaining = this.qty - this.filled;
    const want = Math.ceil(remaining / this.slicesLeft--);
    if (want <= 0) return;
    const q = this.s.nbbo;
    const buy = this.side === BUY;
    const prices = buy ? q.asks : q.bids;
    const sizes = buy ? q.askQtys : q.bidQtys;
    // the venues' tops, best price first
    const order = [...prices.keys()].filter((v) => prices[v] === prices[v]).sort((a, b) => (buy ? prices[a]! - prices[b]! : prices[b]! - prices[a]!));
    let left = want;
    for (const v of order) {
      if (left <= 0) break;
      const take = Math.min(left, sizes[v]!);
      if (take <= 0) continue;
      this.send(v, { ordType: 'limit', price: prices[v]!, qty: take, tif: IOC });
      left -= take;
    }
    if (left > 0) this.send(order[0] ?? 0, { ordType: 'market', price: NaN, qty: left });
  }

  private send(v: number, o: { ordType: 'limit' | 'market'; price: number; qty: number; tif?: 0 | 1 | 2 }): void {
    this.s.lit[v]!.send(this, { type: 'new', clOrdId: this.nextId++, side: this.side, ...o });
  }
}

export interface MetaorderResult {
  fraction: number;
  qty: number;
  /** Mean impact over seeds, bps of the arrival mid, signed so that positive = the price moved with the trade. */
  impact_bps: number;
  stderr_bps: number;
  fill_rate: number;
}

/**
 * Buy programmes of the given fractions of daily volume V, each executed at a fixed participation rate ρ of the
 * market's average volume rate (so its duration grows with its size, as in empirical metaorder studies), on
 * several seeds, each against the same seed's market without it (common random numbers: the fair-value path and
 * everything before the first child order are identical). Impact = mid(with) − mid(without) at the programme's
 * end (each averaged over its last minute), in bps of the arrival mid. The exponent is the slope of log impact on
 * log fraction, by least squares weighted by each size's precision.
 */
export function metaorderExperiment(
  scenario: Scenario,
  opts: {
    fractions: number[];
    seeds: number[];
    dailyVolume: number;
    participation: number;
    startMinute: number;
    sliceSeconds: number;
    sessionMinutes?: number;
    file?: string;
  },
): { results: (MetaorderResult & { minutes: number })[]; exponent: number; r2: number } {
  const session = opts.sessionMinutes ?? 390;
  const ratePerMinute = opts.dailyVolume / session;
  const runs = opts.fractions.map((f) => {
    const qty = Math.max(1, Math.round(f * opts.dailyVolume));
    const minutes = Math.min(session - opts.startMinute, qty / (opts.participation * ratePerMinute));
    return { f, qty, minutes };
  });
  const midAt = (seed: number, endMinute: number, programme: ((s: Session) => Programme) | null) => {
    const world = buildWorld({ market: marketOf(scenario, opts.file), seed });
    const s = world.session;
    world.start();
    world.run(s.t0 + opts.startMinute * NS_PER_MINUTE);
    const arrival = s.nbbo.lastMid;
    const p = programme?.(s);
    p?.start();
    // the mid averaged over the programme's last minute (sampled each second), to damp the quote's jitter
    const endNs = s.t0 + endMinute * NS_PER_MINUTE;
    const window = Math.min(60, Math.floor((endMinute - opts.startMinute) * 60));
    let sum = 0;
    for (let k = window - 1; k >= 0; k--) {
      world.run(endNs - k * 1e9);
      sum += s.nbbo.lastMid;
    }
    return { arrival, end: window > 0 ? sum / window : s.nbbo.lastMid, filled: p?.filled ?? 0 };
  };
  const results = runs.map(({ f, qty, minutes }) => {
    const end = opts.startMinute + minutes;
    const slices = Math.max(1, Math.round((minutes * 60) / opts.sliceSeconds));
    const imp: number[] = [];
    let filled = 0;
    for (const seed of opts.seeds) {
      const base = midAt(seed, end, null);
      const r = midAt(seed, end, (s) => new Programme(s, BUY, qty, s.t0 + opts.startMinute * NS_PER_MINUTE, minutes * NS_PER_MINUTE, slices));
      imp.push(((r.end - base.end) / r.arrival) * 1e4);
      filled += r.filled;
    }
    const m = imp.reduce((a, b) => a + b, 0) / imp.length;
    const sd = Math.sqrt(imp.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, imp.length - 1));
    return {
      fraction: f,
      qty,
      minutes: roundTo(minutes, 3),
      impact_bps: roundTo(m, 3),
      stderr_bps: roundTo(sd / Math.sqrt(imp.length), 3),
      fill_rate: roundTo(filled / (qty * opts.seeds.length), 3),
    };
  });
  // weighted least squares on the logs: var(log I) ≈ (se/I)², so each size counts by its precision
  const pts = results
    .filter((r) => r.impact_bps > 0)
    .map((r) => [Math.log(r.fraction), Math.log(r.impact_bps), r.stderr_bps > 0 ? (r.impact_bps / r.stderr_bps) ** 2 : 1] as const);
  const { slope, r2 } = ols(pts);
  return { results, exponent: roundTo(slope, 3), r2: roundTo(r2, 3) };
}
