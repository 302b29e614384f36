import { existsSync } from 'node:fs';
import { buildWorld, type World } from '../backtest/world.js';
import type { Market } from '../backtest/market.js';
import { BUY, SELL, type Side } from '../core/types.js';
import { FixAcceptor, type TlsSettings } from '../fix/acceptor.js';
import { loadDictionary } from '../fix/dictionary.js';
import type { FixSession, Received, SessionSettings } from '../fix/session.js';
import { fixPrice, fixSide, priceUnits, shares, sideOf, tifOf } from '../fix/values.js';
import type { Session } from '../sim/session.js';
import type { ExecReport, OrderMessage, Venue, VenueClient } from '../venue/types.js';
import { LiveClock } from './clock.js';

/**
 * The simulated market in real time (`sor venues`): the world a backtest builds, its kernel run up to the live
 * clock every few ms, and each venue a FIX 4.4 acceptor on loopback with two sessions: order entry (NewOrderSingle,
 * OrderCancelRequest, OrderCancelReplaceRequest, OrderStatusRequest in; ExecutionReports and OrderCancelRejects out)
 * and, for lit venues, market data (a MarketDataRequest, then a snapshot and incremental refreshes of the displayed
 * book to the depth asked, and the venue's trades). Orders that come in over FIX go into the same books, against
 * the same background flow, as a backtest's children.
 */
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

/** The venue's side of one router's order-entry session. */
class OrderEntry implements VenueClient {
  private readonly orders = new Map<number, FixOrder>();
  /** Every fill given to this session: the venue's side of a reconciliation. */
  readonly fills: VenueFill[] = [];
  /** Every NewOrderSingle received (its ClOrdID and fields past the header): what a duplicate check reads. */
  readonly received: { venue: string; clOrdId: string; body: string }[] = [];
  private readonly byClOrdId = new Map<string, FixOrder>();
  private next = 1;
  session: FixSession | null = null;

  constructor(
    private readonly venue: Venue,
    private readonly symbol: string,
    private readonly clock: LiveClock,
    private readonly onOrder?: (clOrdId: string) => void,
  ) {}

  private send(type: string, body: [string, string][]): void {
    this.session?.send(type, body);
  }

  private base(o: FixOrder, execType: string, execId: string, leaves: number): [string, string][] {
    const f: [string, string][] = [
      ['37', o.orderId],
      ['11', o.clOrdId],
      ['17', execId],
      ['150', execType],
      ['39', o.status],
      ['55', this.symbol],
      ['54', fixSide(o.side)],
      ['38', String(o.qty)],
      ['40', o.ordType],
    ];
    if (o.ordType === '2') f.push(['44', fixPrice(o.price)]);
    f.push(['151', String(leaves)], ['14', String(o.cumQty)], ['6', o.cumQty > 0 ? fixPrice(o.notional / o.cumQty) : '0']);
    return f;
  }

  private refuse(clOrdId: string, side: string | undefined, reason: number, text: string): void {
    this.send('8', [
      ['37', 'NONE'],
      ['11', clOrdId],
      ['17', `${this.venue.name}-R${this.next++}`],
      ['150', '8'],
      ['39', '8'],
      ['55', this.symbol],
      ['54', side === '2' ? '2' : '1'],
      ['151', '0'],
      ['14', '0'],
      ['6', '0'],
      ['103', String(reason)],
      ['58', text],
    ]);
  }

  private cancelReject(clOrdId: string, orig: string, o: FixOrder | undefined, kind: 'cancel' | 'replace', text: string): void {
    this.send('9', [
      ['37', o?.orderId ?? 'NONE'],
      ['11', clOrdId],
      ['41', orig],
      ['39', o?.status ?? '8'],
      ['434', kind === 'cancel' ? '1' : '2'],
      ['102', o ? '0' : '1'],
      ['58', text],
    ]);
  }

  onMessage(m: Received): void {
    const get = (t: string) => m.map.get(t);
    if (m.type === 'D') return this.onNew(m);
    if (m.type === 'F' || m.type === 'G') {
      const clOrdId = get('11') ?? '';
      const orig = get('41') ?? '';
      const kind = m.type === 'F' ? 'cancel' : 'replace';
      const o = this.byClOrdId.get(orig);
      if (!o || o.status === '2' || o.status === '4' || o.status === '8') return this.cancelReject(clOrdId, orig, o, kind, 'unknown or closed order');
      if (o.pending) return this.cancelReject(clOrdId, orig, o, kind, 'a cancel or replace is already in flight');
      if (this.byClOrdId.has(clOrdId)) return this.cancelReject(clOrdId, orig, o, kind, 'duplicate ClOrdID');
      if (kind === 'cancel') {
        o.pending = { kind, clOrdId };
        this.venue.send(this, { type: 'cancel', clOrdId: o.internal });
      } else {
        const qty = shares(get('38'));
        const price = get('44') === undefined ? o.price : priceUnits(get('44'));
        if (!(qty > 0) || !Number.isFinite(price)) return this.cancelReject(clOrdId, orig, o, kind, 'replace: bad price or quantity');
        o.pending = { kind, clOrdId, price, qty };
        this.venue.send(this, { type: 'replace', clOrdId: o.internal, price, qty });
      }
      this.byClOrdId.set(clOrdId, o);
      return;
    }
    if (m.type === 'H') {
      const o = this.byClOrdId.get(get('11') ?? '');
      if (!o) return this.refuse(get('11') ?? '', get('54'), 5, 'unknown order');
      const f = this.base(o, 'I', `${this.venue.name}-S${this.next++}`, o.status === '0' || o.status === '1' ? o.qty - o.cumQty : 0);
      const req = get('790');
      if (req) f.push(['790', req]);
      this.send('8', f);
      return;
    }
    this.session?.send('j', [
      ['45', String(m.seq)],
      ['372', m.type],
      ['380', '3'],
      ['58', 'Unsupported Message Type'],
    ]);
  }

  private onNew(m: Received): void {
    const get = (t: string) => m.map.get(t);
    const clOrdId = get('11') ?? '';
    this.onOrder?.(clOrdId);
    this.received.push({
      venue: this.venue.name,
      clOrdId,
      body: JSON.stringify(m.fields.filter(([t]) => !['8', '9', '10', '34', '43', '52', '97', '122'].includes(t))),
    });
    if (this.byClOrdId.has(clOrdId)) return this.refuse(clOrdId, get('54'), 6, 'duplicate ClOrdID');
    if (get('55') !== this.symbol) return this.refuse(clOrdId, get('54'), 1, `unknown symbol ${get('55') ?? ''}: this venue trades ${this.symbol}`);
    const side = sideOf(get('54'));
    const qty = shares(get('38'));
    const ordType = get('40') ?? '';
    const tif = tifOf(get('59'));
    const inst = (get('18') ?? '').split(' ');
    if (side === null) return this.refuse(clOrdId, get('54'), 99, 'Side (54) must be 1 or 2');
    if (!(qty > 0)) return this.refuse(clOrdId, get('54'), 99, 'OrderQty (38) must be a whole number of shares above 0');
    if (tif === null) return this.refuse(clOrdId, get('54'), 99, 'TimeInForce (59) must be 0, 1, 3 or 4');
    let msg: OrderMessage;
    let price = NaN;
    if (ordType === '2') {
      price = priceUnits(get('44'));
      if (!(price > 0)) return this.refuse(clOrdId, get('54'), 99, 'a limit order needs a Price (44) above 0, to 4 decimal places');
      msg = { type: 'new', clOrdId: 0, side, ordType: 'limit', price, qty, tif, ...(inst.includes('6') ? { postOnly: true } : {}) };
    } else if (ordType === '1') msg = { type: 'new', clOrdId: 0, side, ordType: 'market', price: NaN, qty, tif };
    else if (ordType === 'P' && inst.includes('M')) {
      const minQty = get('110') === undefined ? 0 : shares(get('110'));
      if (!(minQty >= 0)) return this.refuse(clOrdId, get('54'), 99, 'MinQty (110) must be a whole number of shares');
      // a Price (44) on a peg is its cap (a buy) or floor (a sell)
      const cap = get('44') === undefined ? NaN : priceUnits(get('44'));
      if (get('44') !== undefined && !(cap > 0)) return this.refuse(clOrdId, get('54'), 99, 'a pegged order’s Price (44), its limit, must be above 0');
      msg = { type: 'new', clOrdId: 0, side, ordType: 'midpeg', price: cap, qty, minQty };
    } else return this.refuse(clOrdId, get('54'), 99, 'OrdType (40) must be 1 (market), 2 (limit) or P with ExecInst (18) M (midpoint peg)');
    const internal = this.next++;
    msg.clOrdId = internal;
    const o: FixOrder = { internal, clOrdId, orderId: `${this.venue.name}-${internal}`, side, qty, price, ordType, cumQty: 0, notional: 0, status: 'A' };
    this.orders.set(internal, o);
    this.byClOrdId.set(clOrdId, o);
    this.venue.send(this, msg);
  }

  onExecReport(r: ExecReport): void {
    const o = this.orders.get(r.clOrdId);
    if (!o) return;
    const execId = `${r.venue}-${r.execId}`;
    const time: [string, string] = ['60', this.clock.fix(r.venueTime)];
    const open = () => (o.cumQty > 0 ? '1' : '0');
    switch (r.kind) {
      case 'ack':
        o.status = open();
        return this.send('8', [...this.base(o, '0', execId, r.leaves), time]);
      case 'fill': {
        this.fills.push({ venue: r.venue, clOrdId: o.clOrdId, orderId: o.orderId, execId, qty: r.qty, price: r.price });
        o.cumQty += r.qty;
        o.notional += r.price * r.qty;
        o.status = r.leaves === 0 ? '2' : '1';
        const f = this.base(o, 'F', execId, r.leaves);
        f.push(
          ['31', fixPrice(r.price)],
          ['32', String(r.qty)],
          ['30', r.venue],
          ['851', r.liquidity === 'make' ? '1' : '2'],
          ['12', (r.fee / 10_000).toFixed(6)],
          ['13', '3'],
          time,
        );
        if (r.leaves === 0) this.forget(o);
        return this.send('8', f);
      }
      case 'cancelled': {
        const asked = o.pending?.kind === 'cancel' ? o.pending : undefined;
        o.status = '4';
        const f = this.base(o, '4', execId, 0);
        if (asked) {
          const orig = o.clOrdId;
          o.clOrdId = asked.clOrdId;
          f.splice(1, 1, ['11', asked.clOrdId], ['41', orig]);
        } else if (r.reason) f.push(['58', r.reason]);
        o.pending = undefined;
        this.forget(o);
        return this.send('8', [...f, time]);
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
        const f = this.base(o, '5', execId, r.leaves);
        f.splice(2, 0, ['41', orig]);
        return this.send('8', [...f, time]);
      }
      case 'rejected': {
        const asked = o.pending;
        if (asked && o.status !== 'A') {
          o.pending = undefined;
          return this.cancelReject(asked.clOrdId, o.clOrdId, o, asked.kind, r.reason ?? 'rejected');
        }
        o.status = '8';
        this.forget(o);
        return this.send('8', [...this.base(o, '8', execId, 0), ['103', '99'], ['58', r.reason ?? 'rejected'], time]);
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
  session: FixSession | null = null;

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
    if (m.type !== 'V') {
      this.session?.send('j', [
        ['45', String(m.seq)],
        ['372', m.type],
        ['380', '3'],
        ['58', 'Unsupported Message Type'],
      ]);
      return;
    }
    const reqId = m.map.get('262') ?? '';
    const type = m.map.get('263');
    const reject = (reason: string, text: string) =>
      this.session?.send('Y', [
        ['262', reqId],
        ['281', reason],
        ['58', text],
      ]);
    const i = this.subs.findIndex((x) => x.reqId === reqId);
    if (type === '2') {
      if (i >= 0) this.subs.splice(i, 1);
      return;
    }
    const symbols = m.fields.filter(([t]) => t === '55').map(([, v]) => v);
    if (symbols.some((x) => x !== this.symbol)) return reject('0', `unknown symbol: this venue trades ${this.symbol}`);
    if (i >= 0 && type === '1') return reject('1', `duplicate MDReqID ${reqId}`);
    const depthAsked = Number(m.map.get('264'));
    const depth = depthAsked === 0 ? MAX_DEPTH : Math.min(MAX_DEPTH, depthAsked);
    const types = new Set(m.fields.filter(([t]) => t === '269').map(([, v]) => v));
    const sub: Subscription = { reqId, depth, trades: types.has('2'), books: types.has('0') || types.has('1'), last: this.levels(depth) };
    const entries: [string, string][] = [];
    let n = 0;
    sub.last.forEach((side, sd) => {
      if (!sub.books) return;
      let pos = 1;
      for (const [p, q] of side) {
        entries.push(['269', sd === 0 ? '0' : '1'], ['270', fixPrice(p)], ['271', String(q)], ['290', String(pos++)]);
        n++;
      }
    });
    this.session?.send('W', [['262', reqId], ['55', this.symbol], ['268', String(n)], ...entries]);
    if (type === '1') this.subs.push(sub);
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
          const type = sd === 0 ? '0' : '1';
          for (const [p] of was) {
            if (is.has(p)) continue;
            entries.push(['279', '2'], ['269', type], ['55', this.symbol], ['270', fixPrice(p)]);
            n++;
          }
          for (const [p, q] of is) {
            const before = was.get(p);
            if (before === q) continue;
            entries.push(['279', before === undefined ? '0' : '1'], ['269', type], ['55', this.symbol], ['270', fixPrice(p)], ['271', String(q)]);
            n++;
          }
        }
        sub.last = now;
      }
      if (sub.trades)
        for (const t of this.trades) {
          entries.push(
            ['279', '0'],
            ['269', '2'],
            ['55', this.symbol],
            ['270', fixPrice(t.price)],
            ['271', String(t.qty)],
            ['273', this.clock.fix(t.time).slice(9)],
          );
          n++;
        }
      if (n > 0) this.session.send('X', [['262', sub.reqId], ['268', String(n)], ...entries]);
    }
    this.trades = [];
  }
}

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
    this.clock = LiveClock.startingAt(this.world.now(), o.speed ?? 1);
  }

  get symbol(): string {
    return this.o.market.scenario.symbol;
  }

  /** Brings the market up to the clock. */
  advance(): void {
    const t = this.clock.now();
    if (t > this.world.now()) this.world.run(t);
  }

  async start(): Promise<VenueEndpoint[]> {
    const dictionary = await loadDictionary('FIX44');
    const s = this.world.session;
    this.world.start();
    const router = this.o.routerCompId ?? 'SOR';
    const md = this.o.marketDataCompId ?? 'SOR-MD';
    for (const v of s.venues) {
      const entry = new OrderEntry(v, this.symbol, this.clock, this.o.onOrder);
      this.entries.push(entry);
      const feed = v.kind === 'lit' ? new MarketData(s, v.index, this.symbol, this.clock) : null;
      if (feed) this.feeds.push(feed);
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
