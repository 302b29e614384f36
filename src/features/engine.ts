import { Hash64 } from '../core/hash.js';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, type Side } from '../core/types.js';

/** 09:30, the regular session's open (ns since midnight). */
const OPEN_NS = 34_200 * NS_PER_SECOND;
import { Ewm, Garch11, MidMomentum, RealizedVol, TradeFlowImbalance } from './streaming.js';

/**
 * The feature schema (the seed's Table 2): the names, in order, of a feature vector. A model records the version
 * and hash of the schema it was trained on; a vector of another schema is refused by it. Change the list, and the
 * version goes up.
 */
export const FEATURE_NAMES = [
  // the consolidated book, now
  'book_imbalance', // (bid qty − ask qty) / (bid qty + ask qty) at the best prices
  'spread_ticks',
  'bid_depth_1',
  'bid_depth_2',
  'bid_depth_3',
  'bid_depth_4',
  'bid_depth_5',
  'ask_depth_1',
  'ask_depth_2',
  'ask_depth_3',
  'ask_depth_4',
  'ask_depth_5',
  // the recent past
  'trade_flow_imbalance', // aggressor volume, half-life 30 s
  'trade_rate', // printed volume per second, half-life 30 s
  'mid_change_10s_bps', // the mid's move over the last 10 s
  'rv_5m_bps', // realised volatility over 5 and 30 minutes of 1-second returns, bps per √minute
  'rv_30m_bps',
  'garch_bps', // GARCH(1,1) forecast of the next minute, bps per √minute
  // the parent order
  'remaining_share', // of the parent, still to do
  'time_remaining_share', // of the horizon
  'size_pct_adv', // the parent's size, % of average daily volume
  // the venue and the child order
  'venue_fill_rate', // historical share of posted quantity filled there, for this stock
  'venue_latency_us', // recent acknowledgement latency
  'venue_take_fee_bps',
  'venue_make_fee_bps',
  'queue_ahead', // shares ahead of the child at its price on that venue
  'distance_ticks', // from the child's price to the same-side best (0 = at the touch, positive = behind it)
  'side_sign', // +1 buy, −1 sell
  'time_of_day', // minutes since 09:30, over the 390 of a session
] as const;

export const FEATURE_SCHEMA = {
  version: 2,
  names: FEATURE_NAMES,
  hash: (() => {
    const h = new Hash64();
    for (const n of FEATURE_NAMES) {
      for (let i = 0; i < n.length; i++) h.word(n.charCodeAt(i));
      h.word(0);
    }
    return h.hex();
  })(),
} as const;

export const N_FEATURES = FEATURE_NAMES.length;
export const F = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as { [K in (typeof FEATURE_NAMES)[number]]: number };
/** The features FeatureEngine.writeVenue writes: the only ones that differ between the venues of one decision. */
export const VENUE_FEATURES: readonly number[] = [
  F.venue_fill_rate,
  F.venue_latency_us,
  F.venue_take_fee_bps,
  F.venue_make_fee_bps,
  F.queue_ahead,
  F.distance_ticks,
];

/** The consolidated book's top levels, best first, as the world supplies them at a query. */
export interface BookSnapshot {
  bids: readonly { price: number; qty: number }[];
  asks: readonly { price: number; qty: number }[];
}

/**
 * Levels of several venues on one side (each best first) merged into the top `n` consolidated ones, best first,
 * equal prices summed: a k-way merge, no sort.
 */
export function mergeLevels(books: readonly (readonly { price: number; qty: number }[])[], side: Side, n: number): { price: number; qty: number }[] {
  const at = new Array<number>(books.length).fill(0);
  const out: { price: number; qty: number }[] = [];
  for (;;) {
    let pick = -1;
    let price = NaN;
    for (let k = 0; k < books.length; k++) {
      const l = books[k]![at[k]!];
      if (l && (pick < 0 || (side === BUY ? l.price > price : l.price < price))) {
        pick = k;
        price = l.price;
      }
    }
    if (pick < 0) return out;
    const qty = books[pick]![at[pick]!++]!.qty;
    const last = out[out.length - 1];
    if (last && last.price === price) last.qty += qty;
    else if (out.length < n) out.push({ price, qty });
    else return out;
  }
}

export interface FeatureQuery {
  t: number;
  book: BookSnapshot;
  order: { side: Side; qty: number; remaining: number; start: number; end: number };
  venue: { index: number; takeFee: number; makeFee: number; queueAhead: number; price: number };
}

export interface FeatureConfig {
  venues: readonly string[];
  tick: number;
  /** Average daily volume, shares. */
  adv: number;
  /** Long-run volatility for the GARCH forecast, bps per √minute (the calibrated one). */
  longRunVolBps: number;
}

/**
 * Streaming features: market events in (mid changes, trades, child-order outcomes, acknowledgement latencies), a
 * feature vector out at any time, O(1) per event (amortised over elapsed seconds) and O(levels) per query. The
 * same engine serves the simulator, datasets and live trading; offline definitions are on each statistic.
 */
export class FeatureEngine {
  private readonly tfi = new TradeFlowImbalance(30 * NS_PER_SECOND);
  private readonly momentum = new MidMomentum(10);
  private readonly rv5 = new RealizedVol(300);
  private readonly rv30 = new RealizedVol(1800);
  private readonly garch: Garch11;
  private readonly fillRate: Ewm[];
  private readonly latency: Ewm[];

  constructor(readonly cfg: FeatureConfig) {
    this.garch = new Garch11(cfg.longRunVolBps);
    this.fillRate = cfg.venues.map(() => new Ewm(0.05));
    this.latency = cfg.venues.map(() => new Ewm(0.1));
  }

  onMid(t: number, mid: number): void {
    if (!(mid > 0)) return;
    this.momentum.onMid(t, mid);
    this.rv5.onMid(t, mid);
    this.rv30.onMid(t, mid);
    this.garch.onMid(t, mid);
  }

  onTrade(t: number, aggressor: Side, qty: number): void {
    this.tfi.onTrade(t, aggressor, qty);
  }

  /** A posted child order ended (filled, cancelled or expired): the share of it that filled feeds the venue's rate. */
  onPostedOutcome(venue: number, qty: number, filled: number): void {
    if (qty > 0) this.fillRate[venue]!.add(filled / qty);
  }

  onAck(venue: number, latencyNs: number): void {
    this.latency[venue]!.add(latencyNs / 1e3);
  }

  /** Writes the vector for a query into `out` (length N_FEATURES). Unknown values are NaN. */
  write(q: FeatureQuery, out: Float32Array | Float64Array): void {
    this.writeMarket(q, out);
    this.writeVenue(q, out);
  }

  /**
   * The part of the vector that is the same for every venue of a decision: the book, the recent past, the order.
   * A decision over several venues writes it once and then only writeVenue per venue.
   */
  writeMarket(q: FeatureQuery, out: Float32Array | Float64Array): void {
    const { bids, asks } = q.book;
    const b = bids[0];
    const a = asks[0];
    const bq = b?.qty ?? 0;
    const aq = a?.qty ?? 0;
    out[F.book_imbalance] = bq + aq > 0 ? (bq - aq) / (bq + aq) : 0;
    out[F.spread_ticks] = b && a ? (a.price - b.price) / this.cfg.tick : NaN;
    for (let i = 0; i < 5; i++) {
      out[F.bid_depth_1 + i] = bids[i]?.qty ?? 0;
      out[F.ask_depth_1 + i] = asks[i]?.qty ?? 0;
    }
    out[F.trade_flow_imbalance] = this.tfi.value(q.t);
    out[F.trade_rate] = this.tfi.rate(q.t);
    out[F.mid_change_10s_bps] = this.momentum.value(q.t);
    out[F.rv_5m_bps] = this.rv5.value(q.t);
    out[F.rv_30m_bps] = this.rv30.value(q.t);
    out[F.garch_bps] = this.garch.value(q.t);
    const o = q.order;
    out[F.remaining_share] = o.qty > 0 ? o.remaining / o.qty : 0;
    out[F.time_remaining_share] = o.end > o.start ? Math.min(1, Math.max(0, (o.end - q.t) / (o.end - o.start))) : 0;
    out[F.size_pct_adv] = (o.qty / this.cfg.adv) * 100;
    out[F.side_sign] = o.side === BUY ? 1 : -1;
    out[F.time_of_day] = (q.t - OPEN_NS) / NS_PER_MINUTE / 390;
  }

  /** The venue's and the child order's part of the vector. */
  writeVenue(q: FeatureQuery, out: Float32Array | Float64Array): void {
    const b = q.book.bids[0];
    const a = q.book.asks[0];
    const v = q.venue;
    const mid = b && a ? (a.price + b.price) / 2 : (b?.price ?? a?.price ?? NaN);
    out[F.venue_fill_rate] = this.fillRate[v.index]!.value;
    out[F.venue_latency_us] = this.latency[v.index]!.value;
    out[F.venue_take_fee_bps] = (v.takeFee / mid) * 1e4;
    out[F.venue_make_fee_bps] = (v.makeFee / mid) * 1e4;
    out[F.queue_ahead] = v.queueAhead;
    const best = q.order.side === BUY ? b?.price : a?.price;
    out[F.distance_ticks] = best === undefined ? NaN : (q.order.side === BUY ? best - v.price : v.price - best) / this.cfg.tick;
  }
}
