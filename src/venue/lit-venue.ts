import { FILLED, OrderBook, PARTIAL_CANCELLED, RESULT_NAMES, type BookResult, type TradeListener } from '../book/order-book.js';
import { EV_ADD, EV_CANCEL, EV_REJECT, EV_REPLACE, EV_TRADE, type EventSink } from '../core/event-log.js';
import type { Rng } from '../core/rng.js';
import type { Handler, Scheduler } from '../core/scheduler.js';
import { BUY, GTC, IOC, type Side } from '../core/types.js';
import type { FeeModel } from './fees.js';
import { Channel, type LatencyModel } from './latency.js';
import { ParticipantGateway, type WorkingOrder } from './participants.js';
import { newStats, type MarketDataListener, type OrderMessage, type Quote, type TradePrint, type Venue, type VenueClient, type VenueStats } from './types.js';

export interface LitVenueConfig {
  name: string;
  index: number;
  tick: number;
  fees: FeeModel;
  /** Participant → venue. */
  entryLatency: LatencyModel;
  /** Venue → participant: acks and fills. */
  responseLatency: LatencyModel;
  /** Venue → market-data subscribers. */
  feedLatency: LatencyModel;
  /** Extra delay on every inbound participant message (an IEX-style speed bump), ns. */
  speedBumpNs: number;
}

/** Synchronous observer of every trade on the venue, with the owners of both sides (0 = background flow). */
export interface TradeObserver {
  onVenueTrade(venue: number, price: number, qty: number, takerSide: Side, makerOwner: number, takerOwner: number): void;
}

/** Synchronous observer of the venue's own top of book (the exchange's truth, before any feed latency). */
export interface TopListener {
  onTopChange(venue: number, bid: number, bidQty: number, ask: number, askQty: number): void;
}

const publishQuote: Handler<{ l: MarketDataListener; q: Quote }> = { handle: (_t, x) => x.l.onQuote(x.q) };
const publishTrade: Handler<{ l: MarketDataListener; p: TradePrint }> = { handle: (_t, x) => x.l.onTrade(x.p) };

/**
 * A lit exchange: an L3 book, a fee schedule, latency on order entry, responses and market data, and an optional
 * speed bump. Two kinds of order flow meet in the same book: the background market (co-located, acting at
 * event time through the flow* methods, anonymous: owner 0) and participants such as the router, whose messages
 * travel through latency and get execution reports back. A participant's order queues behind whatever was there
 * first and moves the book like any other.
 */
export class LitVenue implements Venue, TradeListener {
  readonly kind = 'lit';
  readonly name: string;
  readonly index: number;
  readonly book: OrderBook;
  readonly stats: VenueStats = newStats();
  readonly cfg: LitVenueConfig;
  private readonly gateway: ParticipantGateway;
  private readonly subscribers: { l: MarketDataListener; ch: Channel }[] = [];
  private topListener: TopListener | null = null;
  private tradeObserver: TradeObserver | null = null;
  private nextId = 1;
  private seq = 0;
  private lastBid = NaN;
  private lastAsk = NaN;
  private lastBidQty = 0;
  private lastAskQty = 0;
  /** The taker currently matching, if it is a participant's order. */
  private takerOrder: WorkingOrder | undefined;

  constructor(
    cfg: LitVenueConfig,
    private readonly sched: Scheduler,
    private readonly log: EventSink,
    private readonly rng: Rng,
  ) {
    this.cfg = cfg;
    this.name = cfg.name;
    this.index = cfg.index;
    this.book = new OrderBook(this, 4096);
    this.gateway = new ParticipantGateway(cfg.name, sched, cfg.entryLatency, cfg.responseLatency, rng, cfg.speedBumpNs, (client, owner, msg) =>
      this.process(client, owner, msg),
    );
  }

  setTopListener(l: TopListener): void {
    this.topListener = l;
  }

  setTradeObserver(o: TradeObserver): void {
    this.tradeObserver = o;
  }

  /** Market data (quotes on every change of the top, and trade prints) after this venue's feed latency. */
  subscribe(l: MarketDataListener): void {
    this.subscribers.push({ l, ch: new Channel(this.cfg.feedLatency, this.rng) });
  }

  // ------------------------------------------------------------ background flow (no latency, owner 0)

  /** A background limit order; returns the venue order id (the order may already have traded in full). */
  flowLimit(side: Side, price: number, qty: number, tif = GTC): number {
    const id = this.nextId++;
    const now = this.sched.now();
    this.stats.orders++;
    this.log.record(EV_ADD, now, this.index, id, side, price, qty, 0);
    this.book.limit(id, side, price, qty, tif === GTC ? undefined : { tif });
    this.afterChange();
    return id;
  }

  /** A background cancel; returns the quantity removed (0 if the order is no longer live). */
  flowCancel(id: number): number {
    return this.flowReduce(id, Infinity);
  }

  /** A background partial cancel (keeps priority; all of it cancels the order); returns the quantity removed. */
  flowReduce(id: number, qty: number): number {
    const removed = this.book.reduce(id, qty);
    if (removed > 0) {
      this.stats.cancels++;
      this.log.record(EV_CANCEL, this.sched.now(), this.index, id, removed, 0, 0, 0);
      this.afterChange();
    }
    return removed;
  }

  // ------------------------------------------------------------ participants

  send(client: VenueClient, msg: OrderMessage): void {
    this.gateway.send(client, msg);
  }

  private process(client: VenueClient, owner: number, msg: OrderMessage): void {
    const now = this.sched.now();
    if (msg.type === 'new') {
      if (this.gateway.find(client, msg.clOrdId)) {
        return this.reject(client, msg.clOrdId, msg.side, msg.price, 'duplicate clOrdId');
      }
      if (msg.ordType === 'midpeg') return this.reject(client, msg.clOrdId, msg.side, msg.price, 'midpeg orders go to dark pools');
      const market = msg.ordType === 'market';
      if (!market && msg.price % this.cfg.tick !== 0) {
        return this.reject(client, msg.clOrdId, msg.side, msg.price, `price ${msg.price} is not on the ${this.cfg.tick} tick`);
      }
      const id = this.nextId++;
      const o: WorkingOrder = { client, owner, clOrdId: msg.clOrdId, venueId: id, side: msg.side, price: market ? NaN : msg.price, qty: msg.qty, cumQty: 0 };
      this.log.record(EV_ADD, now, this.index, id, msg.side, market ? -1 : msg.price, msg.qty, owner);
      this.gateway.track(o);
      this.takerOrder = o;
      let r: BookResult;
      if (market) {
        this.book.market(id, msg.side, msg.qty, owner);
        r = this.book.lastTraded === msg.qty ? FILLED : PARTIAL_CANCELLED;
      } else {
        r = this.book.limit(id, msg.side, msg.price, msg.qty, {
          tif: msg.tif ?? GTC,
          postOnly: msg.postOnly,
          hidden: msg.hidden,
          display: msg.display,
          owner,
        });
      }
      this.takerOrder = undefined;
      const name = RESULT_NAMES[r];
      if (name.startsWith('rejected')) {
        this.gateway.forget(o);
        this.log.record(EV_REJECT, now, this.index, id, r, 0, 0, 0);
        return this.reject(client, msg.clOrdId, msg.side, msg.price, name);
      }
      this.stats.orders++;
      // the ack follows any fills already sent: a report's leaves are always current
      const leaves = o.qty - o.cumQty;
      if (r === PARTIAL_CANCELLED) {
        this.gateway.report(client, 'cancelled', o, 0, 0, 0, { reason: msg.tif === IOC ? 'IOC remainder' : 'unfilled remainder' });
        this.gateway.forget(o);
      } else if (r !== FILLED) this.gateway.report(client, 'ack', o, 0, leaves);
      this.afterChange();
      return;
    }
    const o = this.gateway.find(client, msg.clOrdId);
    if (o === undefined || !this.book.has(o.venueId)) {
      return this.reject(client, msg.clOrdId, BUY, NaN, `unknown or closed order ${msg.clOrdId}`);
    }
    if (msg.type === 'cancel') {
      const removed = this.book.cancel(o.venueId);
      this.stats.cancels++;
      this.log.record(EV_CANCEL, now, this.index, o.venueId, removed, owner, 0, 0);
      this.gateway.report(client, 'cancelled', o, 0, 0);
      this.gateway.forget(o);
    } else {
      if (msg.price % this.cfg.tick !== 0 || !(msg.qty > 0)) {
        return this.reject(client, msg.clOrdId, o.side, msg.price, 'replace: bad price or quantity');
      }
      // The new quantity is the order's new total: what has filled stays filled.
      const newLeaves = msg.qty - o.cumQty;
      if (newLeaves <= 0) return this.reject(client, msg.clOrdId, o.side, msg.price, 'replace: quantity not above the filled quantity');
      this.log.record(EV_REPLACE, now, this.index, o.venueId, msg.price, msg.qty, owner, 0);
      o.price = msg.price;
      o.qty = msg.qty;
      this.takerOrder = o;
      this.book.replace(o.venueId, msg.price, newLeaves);
      this.takerOrder = undefined;
      if (this.book.has(o.venueId)) this.gateway.report(client, 'replaced', o, 0, o.qty - o.cumQty);
    }
    this.afterChange();
  }

  private reject(client: VenueClient, clOrdId: number, side: Side, price: number, reason: string): void {
    this.gateway.report(client, 'rejected', { clOrdId, side, price, cumQty: 0 }, 0, 0, 0, { reason });
  }

  // ------------------------------------------------------------ matching events

  onTrade(makerId: number, takerId: number, price: number, qty: number, takerSide: Side, makerOwner: number, takerOwner: number): void {
    const now = this.sched.now();
    this.stats.trades++;
    this.stats.volume += qty;
    this.log.record(EV_TRADE, now, this.index, makerId, takerId, price, qty, takerSide);
    this.tradeObserver?.onVenueTrade(this.index, price, qty, takerSide, makerOwner, takerOwner);
    if (makerOwner !== 0) this.fill(this.gateway.byVenueId.get(makerId), price, qty, 'make');
    if (takerOwner !== 0) this.fill(this.takerOrder, price, qty, 'take');
    if (this.subscribers.length > 0) {
      const p: TradePrint = { venue: this.index, price, qty, aggressor: takerSide, venueTime: now };
      for (const s of this.subscribers) this.sched.at(s.ch.arrival(now), publishTrade, { l: s.l, p });
    }
  }

  private fill(o: WorkingOrder | undefined, price: number, qty: number, liquidity: 'make' | 'take'): void {
    if (o === undefined) throw new Error(`${this.name}: fill for an order the venue does not know`);
    o.cumQty += qty;
    if (o.cumQty > o.qty) throw new Error(`${this.name}: overfill of clOrdId ${o.clOrdId}`);
    const leaves = o.qty - o.cumQty;
    this.gateway.report(o.client, 'fill', { ...o, price }, qty, leaves, this.cfg.fees.fee(liquidity, price, qty), { liquidity });
    if (leaves === 0) this.gateway.forget(o);
  }

  /** Publishes the top of book if it changed. */
  private afterChange(): void {
    const b = this.book;
    const bid = b.bestBid();
    const ask = b.bestAsk();
    const bidQty = b.bestQty(BUY);
    const askQty = b.bestQty(1);
    if (
      (bid === this.lastBid || (bid !== bid && this.lastBid !== this.lastBid)) &&
      (ask === this.lastAsk || (ask !== ask && this.lastAsk !== this.lastAsk)) &&
      bidQty === this.lastBidQty &&
      askQty === this.lastAskQty
    ) {
      return;
    }
    this.lastBid = bid;
    this.lastAsk = ask;
    this.lastBidQty = bidQty;
    this.lastAskQty = askQty;
    this.seq++;
    this.topListener?.onTopChange(this.index, bid, bidQty, ask, askQty);
    if (this.subscribers.length > 0) {
      const now = this.sched.now();
      const q: Quote = { venue: this.index, bid, bidQty, ask, askQty, seq: this.seq, venueTime: now };
      for (const s of this.subscribers) this.sched.at(s.ch.arrival(now), publishQuote, { l: s.l, q });
    }
  }
}
