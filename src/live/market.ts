import { BUY, SELL, type Side } from '../core/types.js';
import type { DictionaryExtension } from '../fix/dictionary.js';
import { MD_ENTRY_TYPE, MD_UPDATE_ACTION, MSG, SIDE, TAG } from '../fix/tags.js';
import { priceUnits } from '../fix/values.js';
import { FeatureEngine } from '../features/engine.js';
import type { MarketView, VenueInfo } from '../router/engine.js';
import { MarketTracker } from '../router/market-tracker.js';
import { MidPath, TradeTape } from '../tca/benchmarks.js';

/** AggressorSide (2446), FIX 5.0's, on the trades of a venue's market-data refresh. */
export const AGGRESSOR_SIDE = Number(TAG.AggressorSide);

/** The router's market-data sessions' dictionary: FIX 4.4 with FIX 5.0's AggressorSide (2446) on a refresh's entries. */
export const MARKET_DATA_EXTENSION: DictionaryExtension = {
  fields: [{ tag: AGGRESSOR_SIDE, name: 'AggressorSide', type: 'CHAR', enums: [SIDE.Buy, SIDE.Sell] }],
  members: [{ messages: [MSG.MarketDataIncrementalRefresh], count: Number(TAG.NoMDEntries), tags: [AGGRESSOR_SIDE] }],
};

type Book = [Map<number, number>, Map<number, number>];

/**
 * The router's market view in the live world, kept from the venues' market-data sessions: each lit venue's
 * displayed book by price level (a snapshot, then incremental refreshes), the consolidated best bid and offer, the
 * printed volume, the queues' depletion, and the same streaming features the simulator feeds (mids on every change
 * of the consolidated mid, prints with their aggressor side). Every update is a plain call with the time it is
 * applied at, so that a journal's replay rebuilds the same view.
 */
export class LiveMarket implements MarketView {
  private readonly books = new Map<string, Book>();
  private readonly tracker: MarketTracker;
  readonly features?: FeatureEngine;
  private bestBid = NaN;
  private bestAsk = NaN;
  private lastMid = NaN;
  /** The consolidated mid over time, and the prints: what the TCA measures against. */
  readonly mids = new MidPath();
  readonly tick: number;
  readonly tape = new TradeTape();

  constructor(
    readonly venues: readonly VenueInfo[],
    opts: { tick: number; features?: { adv: number; longRunVolBps: number } },
  ) {
    this.tick = opts.tick;
    const lit = venues.filter((v) => v.kind === 'lit').map((v) => v.name);
    for (const v of lit) this.books.set(v, [new Map(), new Map()]);
    this.tracker = new MarketTracker(lit);
    if (opts.features)
      this.features = new FeatureEngine({
        venues: venues.map((v) => v.name),
        tick: opts.tick,
        adv: opts.features.adv,
        longRunVolBps: opts.features.longRunVolBps,
      });
  }

  /** A MarketDataSnapshotFullRefresh (W) or MarketDataIncrementalRefresh (X) from a venue, applied at `t`. */
  onMarketData(venue: string, type: string, fields: readonly [string, string][], t: number): void {
    const book = this.books.get(venue);
    if (!book) return;
    const top = this.top(book);
    if (type === MSG.MarketDataSnapshotFullRefresh) {
      book[0].clear();
      book[1].clear();
    }
    let action: string = MD_UPDATE_ACTION.New;
    let entry = -1;
    let price = NaN;
    let qty = NaN;
    let aggressor: Side = BUY;
    const flush = () => {
      if (entry < 0) return;
      if (entry === 2) {
        if (qty > 0) {
          this.tracker.onTrade(qty);
          this.tape.record(t, price, qty);
          this.features?.onTrade(t, aggressor, qty);
        }
      } else if (entry === 0 || entry === 1) {
        const side = book[entry]!;
        if (action === MD_UPDATE_ACTION.Delete) side.delete(price);
        else if (qty > 0) side.set(price, qty);
        else side.delete(price);
      }
      entry = -1;
      qty = NaN;
      aggressor = BUY;
    };
    for (const [tag, v] of fields) {
      switch (tag) {
        case TAG.MDUpdateAction:
          flush();
          action = v;
          break;
        case TAG.MDEntryType:
          if (type === MSG.MarketDataSnapshotFullRefresh) flush();
          entry = v === MD_ENTRY_TYPE.Bid ? 0 : v === MD_ENTRY_TYPE.Offer ? 1 : v === MD_ENTRY_TYPE.Trade ? 2 : 3;
          break;
        case TAG.MDEntryPx:
          price = priceUnits(v);
          break;
        case TAG.MDEntrySize:
          qty = Number(v);
          break;
        case TAG.AggressorSide:
          aggressor = v === SIDE.Sell ? SELL : BUY;
          break;
      }
    }
    flush();
    const now = this.top(book);
    if (now[0] !== top[0] || now[1] !== top[1] || now[2] !== top[2] || now[3] !== top[3]) this.tracker.onQuote(venue, now[0], now[1], now[2], now[3]);
    this.consolidate(t);
  }

  /** A venue's best bid, its size, best ask and its size (NaN prices where a side is empty). */
  private top(book: Book): [number, number, number, number] {
    let bid = NaN;
    let ask = NaN;
    for (const p of book[0].keys()) if (!(p <= bid)) bid = p;
    for (const p of book[1].keys()) if (!(p >= ask)) ask = p;
    return [bid, book[0].get(bid) ?? 0, ask, book[1].get(ask) ?? 0];
  }

  private consolidate(t: number): void {
    let bid = NaN;
    let ask = NaN;
    for (const b of this.books.values()) {
      const [bb, , ba] = this.top(b);
      if (bb > 0 && !(bb <= bid)) bid = bb;
      if (ba > 0 && !(ba >= ask)) ask = ba;
    }
    this.bestBid = bid;
    this.bestAsk = ask;
    const mid = bid > 0 && ask > 0 ? (bid + ask) / 2 : NaN;
    if (mid > 0 && mid !== this.lastMid) {
      this.lastMid = mid;
      this.mids.record(t, mid);
      this.features?.onMid(t, mid);
    }
  }

  levels(venue: string, side: Side, depth: number): { price: number; qty: number }[] {
    const book = this.books.get(venue);
    if (!book) return [];
    const prices = [...book[side].keys()].sort((a, b) => (side === BUY ? b - a : a - b)).slice(0, depth);
    return prices.map((price) => ({ price, qty: book[side].get(price)! }));
  }
  bid(): number {
    return this.bestBid;
  }
  ask(): number {
    return this.bestAsk;
  }
  mid(): number {
    return this.lastMid;
  }
  tradedVolume(): number {
    return this.tracker.volume;
  }
  depletion(venue: string, side: Side): number {
    return this.tracker.depletion(venue, side);
  }
}
