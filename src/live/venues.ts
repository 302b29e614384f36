import { existsSync } from 'node:fs';
import { buildWorld, type World } from '../backtest/world.js';
import type { Market } from '../backtest/market.js';
import { BUY, GTC, SELL, type Side } from '../core/types.js';
import { FixAcceptor, type TlsSettings } from '../fix/acceptor.js';
import { loadDictionary } from '../fix/dictionary.js';
import type { Received, SessionSettings } from '../fix/session.js';
import {
  CHILD_ORD_TYPE,
  decodeNewOrderSingle,
  decodeOrderCancelReplaceRequest,
  decodeOrderCancelRequest,
  decodeOrderStatusRequest,
  encodeExecutionReport,
  encodeOrderCancelReject,
  type ExecutionReport,
  type FixBody,
  type OrderCancelReplaceRequest,
} from '../fix/child-orders.js';
import {
  BUSINESS_REJECT_REASON,
  CXL_REJ_REASON,
  CXL_REJ_RESPONSE_TO,
  EXEC_TYPE,
  MD_ENTRY_TYPE,
  MD_REQ_REJ_REASON,
  MD_UPDATE_ACTION,
  MSG,
  ORD_REJ_REASON,
  ORD_STATUS,
  ORD_TYPE,
  SUBSCRIPTION_REQUEST_TYPE,
  TAG,
} from '../fix/tags.js';
import { fixPrice } from '../fix/values.js';
import type { Session } from '../sim/session.js';
import type { ExecReport, OrderMessage, Venue, VenueClient } from '../venue/types.js';
import { LiveClock } from './clock.js';

export interface VenueSimOptions {
  market: Market;
  seed: number;
  /** Market time per wall time (1: real time). */
  speed?: number;
  /** The market's time at the start, ns since midnight (default: the scenario's start). */
  startNs?: number;
  /** The router's CompIDs: its order-entry sessions, and its market-data sessions. */
  routerCompId?: string;
  marketDataCompId?: string;
  /** The first port (venue i listens on basePort + i); 0: free ports. */
  basePort?: number;
  /** How often the market is brought up to the clock and its changes published, ms. */
  tickMs?: number;
  /** Logon checks for the router's sessions (see fix/auth.ts), and TLS. */
  authenticate?: SessionSettings['authenticate'];
  tls?: TlsSettings;
  /** The wall clock the market's clock runs on (ms since the epoch; default: the machine's): a test's virtual one. */
  wall?: () => number;
  /** Told of every NewOrderSingle as it arrives (its ClOrdID): a benchmark's stopwatch. */
  onOrder?: (clOrdId: string) => void;
}

export interface VenueEndpoint {
  name: string;
  kind: 'lit' | 'dark';
  port: number;
  /** The venue's CompID (its sessions' SenderCompID): its name. */
  compId: string;
}

/** The largest depth a market-data subscription gets (MarketDepth 0, the full book, is served as this). */
const MAX_DEPTH = 20;

/** A fill as the venue gave it. */
export interface VenueFill {
  venue: string;
  clOrdId: string;
  orderId: string;
  execId: string;
  qty: number;
  price: number;
}

interface FixOrder {
  internal: number;
  clOrdId: string;
  orderId: string;
  side: Side;
  qty: number;
  price: number;
  ordType: string;
  cumQty: number;
  notional: number;
  status: string;
  /** A cancel or replace in flight: its ClOrdID and what it asks for. */
  pending?: { kind: 'cancel' | 'replace'; clOrdId: string; price?: number; qty?: number };
}

/** The fields of a NewOrderSingle that the session writes (and a resend's PossDup marks): a duplicate check ignores them. */
const SESSION_TAGS = new Set<string>([
  TAG.BeginString,
  TAG.BodyLength,
  TAG.CheckSum,
  TAG.MsgSeqNum,
  TAG.PossDupFlag,
  TAG.SendingTime,
  TAG.PossResend,
  TAG.OrigSendingTime,
]);

/**
 * What carries a venue's messages to the router: its FIX session on loopback, or, in-process, a test's link (see
 * `VenueSimulator.inProcess`).
 */
export interface VenueLink {
  send(type: string, body: [string, string][]): void;
  /** Whether the router is there to be told (a session logged on). */
  readonly loggedOn: boolean;
}

/** The venue's side of one router's order-entry session. */
class OrderEntry implements VenueClient {
  private readonly orders = new Map<number, FixOrder>();
  /** Every fill given to this session: the venue's side of a reconciliation. */
  readonly fills: VenueFill[] = [];
  /** Every NewOrderSingle received (its ClOrdID and fields past the header): what a duplicate check reads. */
  readonly received: { venue: string; clOrdId: string; body: string }[] = [];
  private readonly byClOrdId = new Map<string, FixOrder>();
  private next = 1;
  session: VenueLink | null = null;

  constructor(
    private readonly venue: Venue,
    private readonly symbol: string,
    private readonly clock: LiveClock,
    private readonly onOrder?: (clOrdId: string) => void,
  ) {}

  private send(type: string, body: FixBody): void {
    this.session?.send(type, body);
  }

  private report(r: ExecutionReport): void {
    this.send(MSG.ExecutionReport, encodeExecutionReport(r));
  }

  /** An ExecutionReport on an order as it stands. */
  private base(o: FixOrder, execType: string, execId: string, leaves: number): ExecutionReport {
    return {
      orderId: o.orderId,
      clOrdId: o.clOrdId,
      execId,
      execType,
      ordStatus: o.status,
      symbol: this.symbol,
      side: o.side,
      qty: o.qty,
      ordType: o.ordType,
      ...(o.ordType === ORD_TYPE.Limit ? { price: o.price } : {}),
      leaves,
      cumQty: o.cumQty,
      avgPx: o.cumQty > 0 ? o.notional / o.cumQty : 0,
    };
  }

  /** A request for an order this session does not have (or could not take): a Rejected report without the order's fields. */
  private refuse(clOrdId: string, side: Side | null, reason: string, text: string): void {
    this.report({
      orderId: 'NONE',
      clOrdId,
      execId: `${this.venue.name}-R${this.next++}`,
      execType: EXEC_TYPE.Rejected,
      ordStatus: ORD_STATUS.Rejected,
      symbol: this.symbol,
      side: side ?? BUY,
      leaves: 0,
      cumQty: 0,
      avgPx: 0,
      ordRejReason: reason,
      text,
    });
  }

  private cancelReject(clOrdId: string, orig: string, o: FixOrder | undefined, kind: 'cancel' | 'replace', text: string): void {
    this.send(
      MSG.OrderCancelReject,
      encodeOrderCancelReject({
        orderId: o?.orderId ?? 'NONE',
        clOrdId,
        origClOrdId: orig,
        ordStatus: o?.status ?? ORD_STATUS.Rejected,
        responseTo: kind === 'cancel' ? CXL_REJ_RESPONSE_TO.OrderCancelRequest : CXL_REJ_RESPONSE_TO.OrderCancelReplaceRequest,
        reason: o ? CXL_REJ_REASON.TooLateToCancel : CXL_REJ_REASON.UnknownOrder,
        text,
      }),
    );
  }

  onMessage(m: Received): void {
    if (m.type === MSG.NewOrderSingle) return this.onNew(m);
    if (m.type === MSG.OrderCancelRequest || m.type === MSG.OrderCancelReplaceRequest) {
      const kind = m.type === MSG.OrderCancelRequest ? 'cancel' : 'replace';
      const req: OrderCancelReplaceRequest = kind === 'cancel' ? decodeOrderCancelRequest(m.fields) : decodeOrderCancelReplaceRequest(m.fields);
      const { clOrdId, origClOrdId: orig } = req;
      const o = this.byClOrdId.get(orig);
      if (!o || o.status === ORD_STATUS.Filled || o.status === ORD_STATUS.Canceled || o.status === ORD_STATUS.Rejected)
        return this.cancelReject(clOrdId, orig, o, kind, 'unknown or closed order');
      if (o.pending) return this.cancelReject(clOrdId, orig, o, kind, 'a cancel or replace is already in flight');
      if (this.byClOrdId.has(clOrdId)) return this.cancelReject(clOrdId, orig, o, kind, 'duplicate ClOrdID');
      if (kind === 'cancel') {
        o.pending = { kind, clOrdId };
        this.venue.send(this, { type: 'cancel', clOrdId: o.internal });
      } else {
        const qty = req.qty;
        const price = req.price ?? o.price;
        if (!(qty > 0) || !Number.isFinite(price)) return this.cancelReject(clOrdId, orig, o, kind, 'replace: bad price or quantity');
        o.pending = { kind, clOrdId, price, qty };
        this.venue.send(this, { type: 'replace', clOrdId: o.internal, price, qty });
      }
      this.byClOrdId.set(clOrdId, o);
      return;
    }
    if (m.type === MSG.OrderStatusRequest) {
      const req = decodeOrderStatusRequest(m.fields);
      const o = this.byClOrdId.get(req.clOrdId);
      if (!o) return this.refuse(req.clOrdId, req.side, ORD_REJ_REASON.UnknownOrder, 'unknown order');
      const working = o.status === ORD_STATUS.New || o.status === ORD_STATUS.PartiallyFilled;
      const f = this.base(o, EXEC_TYPE.OrderStatus, `${this.venue.name}-S${this.next++}`, working ? o.qty - o.cumQty : 0);
      return this.report({ ...f, ...(req.statusReqId ? { statusReqId: req.statusReqId } : {}) });
    }
    this.session?.send(MSG.BusinessMessageReject, [
      [TAG.RefSeqNum, String(m.seq)],
      [TAG.RefMsgType, m.type],
      [TAG.BusinessRejectReason, BUSINESS_REJECT_REASON.UnsupportedMessageType],
      [TAG.Text, 'Unsupported Message Type'],
    ]);
  }

  private onNew(m: Received): void {
    const clOrdId = m.map.get(TAG.ClOrdID) ?? '';
    this.onOrder?.(clOrdId);
    this.received.push({ venue: this.venue.name, clOrdId, body: JSON.stringify(m.fields.filter(([t]) => !SESSION_TAGS.has(t))) });
    const d = decodeNewOrderSingle(m.fields);
    if (this.byClOrdId.has(clOrdId)) return this.refuse(clOrdId, d.side, ORD_REJ_REASON.DuplicateOrder, 'duplicate ClOrdID');
    if (d.symbol !== this.symbol)
      return this.refuse(clOrdId, d.side, ORD_REJ_REASON.UnknownSymbol, `unknown symbol ${d.symbol ?? ''}: this venue trades ${this.symbol}`);
    if (!d.ok) return this.refuse(clOrdId, d.side, d.refusal.reason, d.refusal.text);
    const n = d.order;
    const { side, qty } = n;
    let msg: OrderMessage;
    if (n.ordType === 'limit')
      msg = { type: 'new', clOrdId: 0, side, ordType: 'limit', price: n.price, qty, tif: n.tif, ...(n.postOnly ? { postOnly: true } : {}) };
    else if (n.ordType === 'market') msg = { type: 'new', clOrdId: 0, side, ordType: 'market', price: NaN, qty, tif: n.tif ?? GTC };
    // a Price (44) on a peg is its cap (a buy) or floor (a sell)
    else msg = { type: 'new', clOrdId: 0, side, ordType: 'midpeg', price: n.price ?? NaN, qty, minQty: n.minQty };
    const internal = this.next++;
    msg.clOrdId = internal;
    const o: FixOrder = {
      internal,
      clOrdId,
      orderId: `${this.venue.name}-${internal}`,
      side,
      qty,
      price: n.ordType === 'limit' ? n.price : NaN,
      ordType: CHILD_ORD_TYPE[n.ordType],
      cumQty: 0,
      notional: 0,
      status: ORD_STATUS.PendingNew,
    };
    this.orders.set(internal, o);
    this.byClOrdId.set(clOrdId, o);
    this.venue.send(this, msg);
  }

  onExecReport(r: ExecReport): void {
    const o = this.orders.get(r.clOrdId);
    if (!o) return;
    const execId = `${r.venue}-${r.execId}`;
    const transactTime = this.clock.fix(r.venueTime);
    const open = () => (o.cumQty > 0 ? ORD_STATUS.PartiallyFilled : ORD_STATUS.New);
    switch (r.kind) {
      case 'ack':
        o.status = open();
        return this.report({ ...this.base(o, EXEC_TYPE.New, execId, r.leaves), transactTime });
      case 'fill': {
        this.fills.push({ venue: r.venue, clOrdId: o.clOrdId, orderId: o.orderId, execId, qty: r.qty, price: r.price });
        o.cumQty += r.qty;
        o.notional += r.price * r.qty;
        o.status = r.leaves === 0 ? ORD_STATUS.Filled : ORD_STATUS.PartiallyFilled;
        const f: ExecutionReport = {
          ...this.base(o, EXEC_TYPE.Trade, execId, r.leaves),
          lastPx: r.price,
          lastQty: r.qty,
          lastMkt: r.venue,
          liquidity: r.liquidity ?? 'take',
          fee: r.fee,
          transactTime,
        };
        if (r.leaves === 0) this.forget(o);
        return this.report(f);
      }
      case 'cancelled': {
        const asked = o.pending?.kind === 'cancel' ? o.pending : undefined;
        o.status = ORD_STATUS.Canceled;
        let f = this.base(o, EXEC_TYPE.Canceled, execId, 0);
        if (asked) {
          // the cancel's ClOrdID is the order's from now on
          f = { ...f, clOrdId: asked.clOrdId, origClOrdId: o.clOrdId };
          o.clOrdId = asked.clOrdId;
        } else if (r.reason) f.text = r.reason;
        o.pending = undefined;
        this.forget(o);
        return this.report({ ...f, transactTime });
      }
      case 'replaced': {
        const asked = o.pending;
        const orig = o.clOrdId;
        if (asked?.kind === 'replace') {
          o.clOrdId = asked.clOrdId;
          o.qty = asked.qty!;
          o.price = asked.price!;
        }
        o.pending = undefined;
        o.status = open();
        return this.report({ ...this.base(o, EXEC_TYPE.Replaced, execId, r.leaves), origClOrdId: orig, transactTime });
      }
      case 'rejected': {
        const asked = o.pending;
        if (asked && o.status !== ORD_STATUS.PendingNew) {
          o.pending = undefined;
          return this.cancelReject(asked.clOrdId, o.clOrdId, o, asked.kind, r.reason ?? 'rejected');
        }
        o.status = ORD_STATUS.Rejected;
        this.forget(o);
        return this.report({
          ...this.base(o, EXEC_TYPE.Rejected, execId, 0),
          ordRejReason: ORD_REJ_REASON.Other,
          text: r.reason ?? 'rejected',
          transactTime,
        });
      }
    }
  }

  /** A finished order stays known by its ClOrdIDs (a late cancel is answered), but not by the venue's id. */
  private forget(o: FixOrder): void {
    this.orders.delete(o.internal);
  }
}

interface Subscription {
  reqId: string;
  depth: number;
  trades: boolean;
  books: boolean;
  last: [Map<number, number>, Map<number, number>];
}

/** The venue's side of a market-data session: subscriptions, and the book's changes since each was last told. */
class MarketData {
  private readonly subs: Subscription[] = [];
  private trades: { price: number; qty: number; time: number; aggressor: Side }[] = [];
  session: VenueLink | null = null;

  constructor(
    private readonly s: Session,
    private readonly index: number,
    private readonly symbol: string,
    private readonly clock: LiveClock,
  ) {
    s.lit[index]!.subscribe({
      onQuote() {},
      onTrade: (t) => void (this.subs.length > 0 && this.trades.push({ price: t.price, qty: t.qty, time: t.venueTime, aggressor: t.aggressor })),
    });
  }

  private levels(depth: number): [Map<number, number>, Map<number, number>] {
    const prices = new Float64Array(depth);
    const qtys = new Float64Array(depth);
    const book = this.s.lit[this.index]!.book;
    const side = (sd: Side) => {
      const n = book.displayedLevels(sd, depth, prices, qtys);
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) m.set(prices[i]!, qtys[i]!);
      return m;
    };
    return [side(BUY), side(SELL)];
  }

  onMessage(m: Received): void {
    if (m.type !== MSG.MarketDataRequest) {
      this.session?.send(MSG.BusinessMessageReject, [
        [TAG.RefSeqNum, String(m.seq)],
        [TAG.RefMsgType, m.type],
        [TAG.BusinessRejectReason, BUSINESS_REJECT_REASON.UnsupportedMessageType],
        [TAG.Text, 'Unsupported Message Type'],
      ]);
      return;
    }
    const reqId = m.map.get(TAG.MDReqID) ?? '';
    const type = m.map.get(TAG.SubscriptionRequestType);
    const reject = (reason: string, text: string) =>
      this.session?.send(MSG.MarketDataRequestReject, [
        [TAG.MDReqID, reqId],
        [TAG.MDReqRejReason, reason],
        [TAG.Text, text],
      ]);
    const i = this.subs.findIndex((x) => x.reqId === reqId);
    if (type === SUBSCRIPTION_REQUEST_TYPE.Unsubscribe) {
      if (i >= 0) this.subs.splice(i, 1);
      return;
    }
    const symbols = m.fields.filter(([t]) => t === TAG.Symbol).map(([, v]) => v);
    if (symbols.some((x) => x !== this.symbol)) return reject(MD_REQ_REJ_REASON.UnknownSymbol, `unknown symbol: this venue trades ${this.symbol}`);
    if (i >= 0 && type === SUBSCRIPTION_REQUEST_TYPE.SnapshotPlusUpdates) return reject(MD_REQ_REJ_REASON.DuplicateMDReqID, `duplicate MDReqID ${reqId}`);
    const depthAsked = Number(m.map.get(TAG.MarketDepth));
    const depth = depthAsked === 0 ? MAX_DEPTH : Math.min(MAX_DEPTH, depthAsked);
    const types = new Set(m.fields.filter(([t]) => t === TAG.MDEntryType).map(([, v]) => v));
    const sub: Subscription = {
      reqId,
      depth,
      trades: types.has(MD_ENTRY_TYPE.Trade),
      books: types.has(MD_ENTRY_TYPE.Bid) || types.has(MD_ENTRY_TYPE.Offer),
      last: this.levels(depth),
    };
    const entries: [string, string][] = [];
    let n = 0;
    sub.last.forEach((side, sd) => {
      if (!sub.books) return;
      let pos = 1;
      for (const [p, q] of side) {
        entries.push(
          [TAG.MDEntryType, sd === 0 ? MD_ENTRY_TYPE.Bid : MD_ENTRY_TYPE.Offer],
          [TAG.MDEntryPx, fixPrice(p)],
          [TAG.MDEntrySize, String(q)],
          [TAG.MDEntryPositionNo, String(pos++)],
        );
        n++;
      }
    });
    this.session?.send(MSG.MarketDataSnapshotFullRefresh, [[TAG.MDReqID, reqId], [TAG.Symbol, this.symbol], [TAG.NoMDEntries, String(n)], ...entries]);
    if (type === SUBSCRIPTION_REQUEST_TYPE.SnapshotPlusUpdates) this.subs.push(sub);
  }

  /** Sends each subscription what changed since it was last told: levels new, changed and gone, and the trades. */
  publish(): void {
    if (this.subs.length === 0 || !this.session?.loggedOn) {
      this.trades = [];
      return;
    }
    for (const sub of this.subs) {
      const now = this.levels(sub.depth);
      const entries: [string, string][] = [];
      let n = 0;
      if (sub.books) {
        for (let sd = 0; sd < 2; sd++) {
          const was = sub.last[sd]!;
          const is = now[sd]!;
          const type = sd === 0 ? MD_ENTRY_TYPE.Bid : MD_ENTRY_TYPE.Offer;
          for (const [p] of was) {
            if (is.has(p)) continue;
            entries.push([TAG.MDUpdateAction, MD_UPDATE_ACTION.Delete], [TAG.MDEntryType, type], [TAG.Symbol, this.symbol], [TAG.MDEntryPx, fixPrice(p)]);
            n++;
          }
          for (const [p, q] of is) {
            const before = was.get(p);
            if (before === q) continue;
            entries.push(
              [TAG.MDUpdateAction, before === undefined ? MD_UPDATE_ACTION.New : MD_UPDATE_ACTION.Change],
              [TAG.MDEntryType, type],
              [TAG.Symbol, this.symbol],
              [TAG.MDEntryPx, fixPrice(p)],
              [TAG.MDEntrySize, String(q)],
            );
            n++;
          }
        }
        sub.last = now;
      }
      if (sub.trades)
        for (const t of this.trades) {
          entries.push(
            [TAG.MDUpdateAction, MD_UPDATE_ACTION.New],
            [TAG.MDEntryType, MD_ENTRY_TYPE.Trade],
            [TAG.Symbol, this.symbol],
            [TAG.MDEntryPx, fixPrice(t.price)],
            [TAG.MDEntrySize, String(t.qty)],
            // (MDEntryTime is the time of day alone: the timestamp past its date)
            [TAG.MDEntryTime, this.clock.fix(t.time).slice(9)],
          );
          n++;
        }
      if (n > 0) this.session.send(MSG.MarketDataIncrementalRefresh, [[TAG.MDReqID, sub.reqId], [TAG.NoMDEntries, String(n)], ...entries]);
    }
    this.trades = [];
  }
}

/** The router's way into in-process venues: each message delivered at once, as a session would deliver it. */
export interface InProcessVenues {
  toOrderEntry(venue: string, type: string, body: [string, string][]): void;
  toMarketData(venue: string, type: string, body: [string, string][]): void;
}

/**
 * The simulated market in real time (`sor venues`): the world a backtest builds, its kernel run up to the live
 * clock every few ms, and each venue a FIX 4.4 acceptor on loopback with two sessions: order entry (NewOrderSingle,
 * OrderCancelRequest, OrderCancelReplaceRequest, OrderStatusRequest in; ExecutionReports and OrderCancelRejects out)
 * and, for lit venues, market data (a MarketDataRequest, then a snapshot and incremental refreshes of the displayed
 * book to the depth asked, and the venue's trades). Orders that come in over FIX go into the same books, against
 * the same background flow, as a backtest's children.
 */
export class VenueSimulator {
  readonly world: World<undefined>;
  readonly clock: LiveClock;
  readonly endpoints: VenueEndpoint[] = [];
  private readonly acceptors: FixAcceptor[] = [];
  private readonly feeds: MarketData[] = [];
  private readonly entries: OrderEntry[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: VenueSimOptions) {
    this.world = buildWorld({ market: o.market, seed: o.seed, ...(o.startNs !== undefined ? { startNs: o.startNs } : {}) });
    this.clock = LiveClock.startingAt(this.world.now(), o.speed ?? 1, o.wall);
  }

  get symbol(): string {
    return this.o.market.scenario.symbol;
  }

  /** Brings the market up to the clock. */
  advance(): void {
    const t = this.clock.now();
    if (t > this.world.now()) this.world.run(t);
  }

  /** The market started, and each venue's order entry and (lit) market data, not yet linked to anything. */
  private open(): { venue: Venue; entry: OrderEntry; feed: MarketData | null }[] {
    const s = this.world.session;
    this.world.start();
    return s.venues.map((v) => {
      const entry = new OrderEntry(v, this.symbol, this.clock, this.o.onOrder);
      this.entries.push(entry);
      const feed = v.kind === 'lit' ? new MarketData(s, v.index, this.symbol, this.clock) : null;
      if (feed) this.feeds.push(feed);
      return { venue: v, entry, feed };
    });
  }

  /**
   * The venues in the same process as a router, with no socket and no timer: what each venue sends goes to `to`
   * at once, and the returned link delivers the router's messages to them. The caller moves the market (`advance`,
   * `publish`) as its clock moves: a socket-free harness's world, the same venues as over FIX.
   */
  inProcess(to: {
    order: (venue: string, type: string, body: [string, string][]) => void;
    marketData: (venue: string, type: string, body: [string, string][]) => void;
  }): InProcessVenues {
    const byName = new Map<string, { entry: OrderEntry; feed: MarketData | null }>();
    for (const { venue, entry, feed } of this.open()) {
      const name = venue.name;
      entry.session = { loggedOn: true, send: (type, body) => to.order(name, type, body) };
      if (feed) feed.session = { loggedOn: true, send: (type, body) => to.marketData(name, type, body) };
      byName.set(name, { entry, feed });
    }
    let seq = 0;
    const received = (type: string, body: [string, string][]): Received => {
      // a tag repeated counts by its first place, as a session reads it
      const map = new Map<string, string>();
      for (const [t, v] of body) if (!map.has(t)) map.set(t, v);
      return { raw: '', fields: body, map, type, seq: ++seq };
    };
    const venue = (name: string) => {
      const v = byName.get(name);
      if (!v) throw new Error(`no venue ${name}`);
      return v;
    };
    return {
      toOrderEntry: (name, type, body) => {
        this.advance();
        venue(name).entry.onMessage(received(type, body));
      },
      toMarketData: (name, type, body) => {
        this.advance();
        venue(name).feed?.onMessage(received(type, body));
      },
    };
  }

  async start(): Promise<VenueEndpoint[]> {
    const dictionary = await loadDictionary('FIX44');
    const router = this.o.routerCompId ?? 'SOR';
    const md = this.o.marketDataCompId ?? 'SOR-MD';
    for (const { venue: v, entry, feed } of this.open()) {
      const common = {
        beginString: 'FIX.4.4',
        senderCompID: v.name,
        dictionary,
        resetOnDisconnect: false,
        ...(this.o.authenticate ? { authenticate: this.o.authenticate } : {}),
      };
      const sessions: SessionSettings[] = [{ ...common, targetCompID: router }];
      if (feed) sessions.push({ ...common, targetCompID: md });
      const acc = new FixAcceptor(
        sessions,
        (m, session) => {
          this.advance();
          if (session.settings.targetCompID === router) {
            entry.session = session;
            entry.onMessage(m);
          } else if (feed) {
            feed.session = session;
            feed.onMessage(m);
          }
        },
        undefined,
        this.o.tls,
      );
      entry.session = acc.sessions.get(router)!;
      if (feed) feed.session = acc.sessions.get(md)!;
      const port = await acc.listen(this.o.basePort ? this.o.basePort + this.acceptors.length : 0);
      this.acceptors.push(acc);
      this.endpoints.push({ name: v.name, kind: v.kind, port, compId: v.name });
    }
    this.resume();
    return this.endpoints;
  }

  /** Each venue's fee per share to take and to make at the scenario's price, price units (negative: a rebate). */
  fees(): Record<string, { takeFee: number; makeFee: number }> {
    const s = this.world.session;
    const out: Record<string, { takeFee: number; makeFee: number }> = {};
    for (const v of s.venues) {
      const fm = v.kind === 'lit' ? s.lit[v.index]!.cfg.fees : s.dark[v.index - s.lit.length]!.cfg.fees;
      out[v.name] = { takeFee: fm.fee('take', s.scenario.initialPrice, 1), makeFee: fm.fee('make', s.scenario.initialPrice, 1) };
    }
    return out;
  }

  /**
   * A router's configuration (before its check) for trading against these venues on their clock: the demo's,
   * chaos run's, fuzz's and benchmark's. One OMS session (OMS1, user desk) with the given password hash.
   */
  routerConfig(o: {
    passwordHash: string;
    journalDir: string;
    sync?: string;
    omsPort?: number;
    policy?: string;
    horizonMinutes?: number;
    /** The ml policy's model registry; its models decide every 10 s unless `decisionSeconds` says otherwise. */
    models?: string;
    decisionSeconds?: number;
  }): Record<string, unknown> {
    const fees = this.fees();
    const decisionSeconds = o.decisionSeconds ?? (o.models ? 10 : 5);
    return {
      symbol: this.symbol,
      tick: this.o.market.scenario.tick,
      oms: { port: o.omsPort ?? 0, sessions: [{ compId: 'OMS1', username: 'desk', passwordHash: o.passwordHash }] },
      venues: this.endpoints.map((e) => ({ name: e.name, kind: e.kind, port: e.port, ...fees[e.name] })),
      clock: this.clock.spec,
      policy: { default: o.policy ?? 'rule', decisionSeconds, ...(o.horizonMinutes !== undefined ? { defaultHorizonMinutes: o.horizonMinutes } : {}) },
      // the policies calibrated on the market being simulated (where it is a file: a scenario object has none)
      ...(existsSync(this.o.market.file) ? { market: { scenario: this.o.market.file } } : {}),
      ...(o.models ? { models: { registry: o.models } } : {}),
      journal: { dir: o.journalDir, sync: o.sync ?? 'every' },
    };
  }

  /** Every NewOrderSingle the venues received over FIX, in order. */
  received(): { venue: string; clOrdId: string; body: string }[] {
    return this.entries.flatMap((e) => e.received);
  }

  /** Every fill the venues gave over FIX, in order. */
  fills(): VenueFill[] {
    return this.entries.flatMap((e) => e.fills);
  }

  /** Sends every market-data subscription what changed since it was last told. */
  publish(): void {
    for (const f of this.feeds) f.publish();
  }

  /** Stops bringing the market up to the clock (a test's frozen moment; orders that come in still move it). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  resume(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.advance();
      this.publish();
    }, this.o.tickMs ?? 5);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const a of this.acceptors) await a.close();
  }
}
