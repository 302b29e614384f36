import { readFileSync } from 'node:fs';
import { OrderBook, type TradeListener } from '../book/order-book.js';
import { Rng } from '../core/rng.js';
import { BUY, SELL, type Side } from '../core/types.js';
import type { FlowProfile } from '../data/lobster-profile.js';
import { median } from '../core/stats.js';
import { timeIt } from './timing.js';

/**
 * The order-book benchmark: one stream of operations, run through this book and through the npm package
 * `hft-limit-order-book` in the same process, on identical input. Streams are generated once with a seeded Rng
 * (our book tracks which orders are live while generating), then replayed on fresh books of both kinds.
 */

const LIMIT = 0;
const CANCEL = 1;
const MARKET = 2;

export interface OpStream {
  name: string;
  n: number;
  kind: Uint8Array;
  side: Uint8Array;
  price: Float64Array;
  qty: Float64Array;
  id: Float64Array;
  /** String ids for the peer, built before timing so the peer is not charged for them. */
  idStr: string[];
}

function allocStream(name: string, n: number): OpStream {
  return {
    name,
    n: 0,
    kind: new Uint8Array(n),
    side: new Uint8Array(n),
    price: new Float64Array(n),
    qty: new Float64Array(n),
    id: new Float64Array(n),
    idStr: [],
  };
}

/** Draws from an empirical [value, count] histogram. */
class Histogram {
  private readonly values: number[];
  private readonly cum: Float64Array;
  constructor(pairs: [number, number][]) {
    this.values = pairs.map((p) => p[0]);
    this.cum = new Float64Array(pairs.length);
    let c = 0;
    pairs.forEach((p, i) => (this.cum[i] = c += p[1]));
  }
  draw(rng: Rng): number {
    const x = rng.float() * this.cum[this.cum.length - 1]!;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.cum[m]! <= x) lo = m + 1;
      else hi = m;
    }
    return this.values[lo]!;
  }
}

/** Live-order set with O(1) uniform sampling and removal, kept in step with a generator's book. */
class LiveSet implements TradeListener {
  ids: number[] = [];
  private readonly index = new Map<number, number>();
  add(id: number): void {
    this.index.set(id, this.ids.length);
    this.ids.push(id);
  }
  remove(id: number): void {
    const i = this.index.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(id);
  }
  onTrade(makerId: number, _t: number, _p: number, _q: number, _s: Side, _mo: number, _to: number, leaves: number): void {
    if (leaves === 0) this.remove(makerId);
  }
}

function pushOp(s: OpStream, kind: number, side: Side, price: number, qty: number, id: number): void {
  const i = s.n++;
  s.kind[i] = kind;
  s.side[i] = side;
  s.price[i] = price;
  s.qty[i] = qty;
  s.id[i] = id;
}

function finish(s: OpStream): OpStream {
  s.idStr = Array.from(s.id.subarray(0, s.n), (x) => String(x));
  return s;
}

/**
 * A stream shaped like a LOBSTER day: the profile's shares of adds, cancels and executions (hidden executions do
 * not touch the visible book and are left out), its add and execution sizes, and its add distances from the
 * opposite touch (Cont–Stoikov–Talreja's convention, which keeps the stream's spread near the day's: a distance
 * beyond the current spread lands behind the touch; the day's executions are the market orders). Cancels: every live order has the same hazard (as in Cont–Stoikov–Talreja),
 * and their share balances added against executed volume, since every order ends executed or cancelled (the
 * file's own count is lower: it cannot see cancels behind the touch). The stream's own spread and touch size are
 * measured while generating, to be set beside the day's.
 */
export function realisticStream(profile: FlowProfile, n: number, seed: number): OpStream & { shape: StreamShape } {
  const rng = Rng.stream(seed, 'bench:book:realistic');
  const s = allocStream('realistic', n);
  const live = new LiveSet();
  const book = new OrderBook(live);
  const addSize = new Histogram(profile.addSizes);
  const execSize = new Histogram(profile.executeSizes);
  const distance = new Histogram(profile.addDistance);
  const e = profile.events;
  // Every share added ends executed or cancelled, so (cancels share the adds' mean size) the cancel count is
  // (added volume − executed volume) / mean add size; a level-1 file shows fewer (e.cancel) because cancels
  // behind the touch are out of its view.
  const mean = (h: [number, number][]): number => h.reduce((a, [v, c]) => a + v * c, 0) / h.reduce((a, [, c]) => a + c, 0);
  const cancels = Math.max(e.partialCancel + e.cancel, e.add - (e.execute * mean(profile.executeSizes)) / mean(profile.addSizes));
  const weights = [e.add, cancels, e.execute];
  const total = weights[0]! + weights[1]! + weights[2]!;
  const tick = profile.tick;
  const ref = 5_800_000; // GOOG traded near $580 that day
  let nextId = 1;
  let spreadSum = 0;
  let touchSum = 0;
  let samples = 0;
  const add = (side: Side, price: number, qty: number): void => {
    const id = nextId++;
    pushOp(s, LIMIT, side, price, qty, id);
    book.limit(id, side, price, qty);
    if (book.has(id)) live.add(id);
  };
  // opening book: ten levels a side, a few orders each, a ten-tick spread
  for (let lvl = 0; lvl < 10; lvl++) {
    for (let k = 0; k < 3; k++) {
      add(BUY, ref - (5 + lvl) * tick, addSize.draw(rng));
      add(SELL, ref + (5 + lvl) * tick, addSize.draw(rng));
    }
  }
  while (s.n < n) {
    const what = rng.weighted(weights, total);
    const side: Side = rng.bernoulli(0.5) ? BUY : SELL;
    const bid = book.bestPriceInclHidden(BUY);
    const ask = book.bestPriceInclHidden(SELL);
    if (what === 0) {
      const other = side === BUY ? ask : bid;
      const same = side === BUY ? bid : ask;
      const base = Number.isNaN(other) ? (Number.isNaN(same) ? ref : same + (side === BUY ? 10 : -10) * tick) : other;
      const d = distance.draw(rng);
      add(side, side === BUY ? base - d * tick : base + d * tick, addSize.draw(rng));
    } else if (what === 1) {
      if (live.ids.length === 0) continue;
      const id = live.ids[rng.int(live.ids.length)]!;
      pushOp(s, CANCEL, side, 0, 0, id);
      book.cancel(id);
      live.remove(id);
    } else {
      const id = nextId++;
      const qty = execSize.draw(rng);
      pushOp(s, MARKET, side, 0, qty, id);
      book.market(id, side, qty);
    }
    const b = book.bestBid();
    const a = book.bestAsk();
    if (!Number.isNaN(b) && !Number.isNaN(a)) {
      samples++;
      spreadSum += (a - b) / tick;
      touchSum += (book.bestQty(BUY) + book.bestQty(SELL)) / 2;
    }
  }
  const shape: StreamShape = {
    mean_spread_ticks: Number((spreadSum / samples).toFixed(2)),
    mean_touch_qty: Number((touchSum / samples).toFixed(1)),
    resting_orders_at_end: book.orderCount,
    day_mean_spread_ticks: profile.touch.meanSpreadTicks,
    day_mean_touch_qty: Number(((profile.touch.meanBidQty + profile.touch.meanAskQty) / 2).toFixed(1)),
  };
  return { ...finish(s), shape };
}

export interface StreamShape {
  mean_spread_ticks: number;
  mean_touch_qty: number;
  resting_orders_at_end: number;
  day_mean_spread_ticks: number;
  day_mean_touch_qty: number;
}

/**
 * Deep queues: ten price levels a side filled with `perLevel` orders each, then adds at the back of those
 * queues, cancels of uniformly chosen live orders (so mostly deep inside a queue) and small market orders.
 */
export function deepQueueStream(n: number, perLevel: number, seed: number): OpStream {
  const rng = Rng.stream(seed, 'bench:book:deep');
  const levels = 10;
  const s = allocStream('deep-queue', n + 2 * levels * perLevel);
  const live = new LiveSet();
  const book = new OrderBook(live);
  const tick = 100;
  const ref = 1_000_000;
  let nextId = 1;
  const add = (side: Side, lvl: number): void => {
    const id = nextId++;
    const price = side === BUY ? ref - (1 + lvl) * tick : ref + lvl * tick;
    const qty = 1 + rng.int(300);
    pushOp(s, LIMIT, side, price, qty, id);
    book.limit(id, side, price, qty);
    if (book.has(id)) live.add(id);
  };
  for (let k = 0; k < perLevel; k++) {
    for (let lvl = 0; lvl < levels; lvl++) {
      add(BUY, lvl);
      add(SELL, lvl);
    }
  }
  const end = s.n + n;
  while (s.n < end) {
    const u = rng.float();
    if (u < 0.45) add(rng.bernoulli(0.5) ? BUY : SELL, rng.int(levels));
    else if (u < 0.9) {
      if (live.ids.length === 0) continue;
      const id = live.ids[rng.int(live.ids.length)]!;
      pushOp(s, CANCEL, BUY, 0, 0, id);
      book.cancel(id);
      live.remove(id);
    } else {
      const side: Side = rng.bernoulli(0.5) ? BUY : SELL;
      const id = nextId++;
      const qty = 1 + rng.int(500);
      pushOp(s, MARKET, side, 0, qty, id);
      book.market(id, side, qty);
    }
  }
  return finish(s);
}

export interface EngineOutcome {
  /** Volume traded by market orders (the stream's limit orders never cross). */
  traded: number;
  /** Top five levels of each side at the end, "price:qty" joined, to check both engines did the same work. */
  top: string;
}

export function runOurs(s: OpStream): EngineOutcome {
  let traded = 0;
  let fills = 0;
  const book = new OrderBook({
    onTrade(): void {
      fills++;
    },
  });
  const { kind, side, price, qty, id } = s;
  for (let i = 0; i < s.n; i++) {
    const k = kind[i];
    if (k === LIMIT) book.limit(id[i]!, side[i] as Side, price[i]!, qty[i]!);
    else if (k === CANCEL) book.cancel(id[i]!);
    else traded += book.market(id[i]!, side[i] as Side, qty[i]!);
  }
  if (fills === 0 && traded > 0) throw new Error('trade events were not delivered');
  const fmt = (lv: { price: number; qty: number }[]): string => lv.map((l) => `${l.price}:${l.qty}`).join(',');
  return { traded, top: fmt(book.depth(BUY, 5)) + '|' + fmt(book.depth(SELL, 5)) };
}

/** The peer's constructor, loaded lazily: it is a devDependency. */
type PeerBook = {
  limit(o: { id: string; side: 'buy' | 'sell'; size: number; price: number }): { done: { size: number }[]; partialQuantityProcessed: number; err?: unknown };
  market(o: { side: 'buy' | 'sell'; size: number }): { done: { size: number }[]; partialQuantityProcessed: number; quantityLeft: number };
  cancel(id: string): unknown;
  depth(): [[number, number][], [number, number][]];
};

export async function loadPeer(): Promise<new () => PeerBook> {
  try {
    const mod = (await import('hft-limit-order-book')) as unknown as { OrderBook: new () => PeerBook };
    return mod.OrderBook;
  } catch {
    throw new Error('the peer package hft-limit-order-book is not installed: run `npm ci` in the repository (it is a devDependency)');
  }
}

export function runPeer(Peer: new () => PeerBook, s: OpStream): EngineOutcome {
  const book = new Peer();
  let traded = 0;
  const { kind, side, price, qty, idStr } = s;
  for (let i = 0; i < s.n; i++) {
    const k = kind[i];
    const sd = side[i] === BUY ? 'buy' : 'sell';
    if (k === LIMIT) {
      book.limit({ id: idStr[i]!, side: sd, size: qty[i]!, price: price[i]! });
    } else if (k === CANCEL) book.cancel(idStr[i]!);
    else {
      const r = book.market({ side: sd, size: qty[i]! });
      traded += qty[i]! - r.quantityLeft;
    }
  }
  const [asks, bids] = book.depth();
  const fmt = (lv: [number, number][]): string =>
    lv
      .slice(0, 5)
      .map((l) => `${l[0]}:${l[1]}`)
      .join(',');
  return { traded, top: fmt(bids) + '|' + fmt(asks) };
}

export interface StreamResult {
  stream: string;
  ops: number;
  ours_ops_per_sec: number;
  peer_ops_per_sec: number;
  ratio: number;
  /** Both engines traded the same volume and ended with the same top-five levels on both sides. */
  same_final_book: boolean;
  ours_runs_s: number[];
  peer_runs_s: number[];
}

/**
 * Runs both engines on one stream: ours once to warm up and `oursRuns` times measured; the peer `peerRuns` times
 * measured, after a warm-up run only when `peerWarmup` (a slow peer already warmed by an earlier stream need not
 * pay for a second pass). Runs alternate so that machine noise falls on both alike; rates are medians.
 */
export function compareOnStream(Peer: new () => PeerBook, s: OpStream, oursRuns: number, peerRuns: number, peerWarmup: boolean): StreamResult {
  let oursOut = runOurs(s);
  let peerOut: EngineOutcome | undefined = peerWarmup ? runPeer(Peer, s) : undefined;
  const ours: number[] = [];
  const peer: number[] = [];
  for (let r = 0; r < Math.max(oursRuns, peerRuns); r++) {
    if (r < oursRuns) ours.push(timeIt(() => (oursOut = runOurs(s))));
    if (r < peerRuns) peer.push(timeIt(() => (peerOut = runPeer(Peer, s))));
  }
  const oursRate = s.n / median(ours);
  const peerRate = s.n / median(peer);
  return {
    stream: s.name,
    ops: s.n,
    ours_ops_per_sec: Math.round(oursRate),
    peer_ops_per_sec: Math.round(peerRate),
    ratio: Number((oursRate / peerRate).toFixed(2)),
    same_final_book: peerOut !== undefined && oursOut.top === peerOut.top && oursOut.traded === peerOut.traded,
    ours_runs_s: ours.map((x) => Number(x.toFixed(4))),
    peer_runs_s: peer.map((x) => Number(x.toFixed(4))),
  };
}

export function loadProfile(path: string): FlowProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as FlowProfile;
}
