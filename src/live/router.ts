import { DataError, UsageError } from '../core/errors.js';
import { MinHeap } from '../core/heap.js';
import { Rng } from '../core/rng.js';
import { BUY, GTC, NS_PER_MINUTE, NS_PER_SECOND, type Side } from '../core/types.js';
import {
  decodeExecutionReport,
  decodeOrderCancelReject,
  encodeExecutionReport,
  encodeNewOrderSingle,
  encodeOrderCancelReject,
  encodeOrderCancelReplaceRequest,
  encodeOrderCancelRequest,
  encodeOrderStatusRequest,
  type FixBody,
  type NewOrderSingle,
} from '../fix/child-orders.js';
import {
  BUSINESS_REJECT_REASON,
  CXL_REJ_REASON,
  CXL_REJ_RESPONSE_TO,
  EXEC_TYPE,
  MASS_CANCEL_REJECT_REASON,
  MASS_CANCEL_REQUEST_TYPE,
  MASS_CANCEL_RESPONSE,
  MSG,
  ORD_REJ_REASON,
  ORD_STATUS,
  ORD_TYPE,
  SIDE,
  STRATEGY_PARAMETER_TYPE,
  TAG,
  YES,
} from '../fix/tags.js';
import { fixPrice, priceUnits, shares, sideOf } from '../fix/values.js';
import type { ModelRegistry } from '../models/registry.js';
import { RouterEngine, type ParentAmend, type ParentOrder, type Policy, type RouterPorts } from '../router/engine.js';
import type { Parent } from '../router/order-manager.js';
import { policies } from '../router/policies.js';
import type { ExecReport, OrderMessage } from '../venue/types.js';
import { LiveClock } from './clock.js';
import { isInput, type ControlRecord, type Journal, type JournaledSetup, type JournalRecord } from './journal.js';
import type { TradingState } from '../risk/guard.js';
import { LiveMarket } from './market.js';
import { loadModelsById, type LoadedModels } from './models.js';

/** The bodies the router journals and sends (the codec's). */
export type { FixBody };

export interface Outbox {
  toVenue(venue: string, type: string, body: FixBody): void;
  toOms(oms: string, type: string, body: FixBody): void;
}

/** The router's setup: the journaled part (JSON), the live clock, and the models (journaled by their registry ids). */
export interface RouterSetup extends Omit<JournaledSetup, 'clock' | 'models'> {
  clock: LiveClock;
  models?: LoadedModels;
}

interface LiveParent {
  id: string;
  oms: string;
  clOrdId: string;
  order: ParentOrder;
  execs: number;
  /** The TargetStrategy (847) it was sent with, if any: a replace may not change it. */
  strategy?: string;
  /** An OMS cancel in flight: its ClOrdID. */
  cancelClOrdId?: string;
  /** An OMS replace in flight (waiting for working children to be cancelled): its ClOrdID. */
  replaceClOrdId?: string;
  /** Cancelled by the router itself (a person's cancel-all, the OMS's mass cancel): why, for the report's Text. */
  cancelledWhy?: string;
}

/** StrategyParameterType (959) values whose parameter is a number. */
const NUMERIC_TYPES = new Set(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);

/**
 * The router of the live world, transport-free: the backtest's RouterEngine, policies and models, driven by inputs
 * (the OMS's and the venues' messages as they came, market data, timer firings, a venue lost or back), each
 * appended to the journal before it takes effect. Its outputs (FIX messages to the venues and to the OMS, and its
 * decisions) are appended before they go out. Everything it does is a function of its inputs and their times, so a
 * journal replayed through a fresh LiveRouter regenerates every output: `replay` checks them one by one (the
 * parity of the two worlds), and a restart after a crash uses it to rebuild every parent and child without
 * sending anything twice, then sends what the crash kept from going out.
 */
export class LiveRouter implements RouterPorts {
  readonly market: LiveMarket;
  readonly engine: RouterEngine;
  private t = 0;
  private readonly parents = new Map<string, LiveParent>();
  private readonly byOms = new Map<string, LiveParent>();
  private nextParent = 1;
  /** Per venue: its ExecIDs seen, as the numbers the order manager dedupes by. */
  private readonly execIds = new Map<string, Map<string, number>>();
  /** Per child: how many cancels and replaces it has asked for (each a new ClOrdID), and its ClOrdID at the venue now. */
  private readonly cancels = new Map<number, number>();
  private readonly current = new Map<number, string>();
  private readonly down = new Set<string>();
  /** Reports the router makes itself (a child for a venue that is down), applied once the current input is done. */
  private readonly deferred: (() => void)[] = [];
  /** The wake-up times the engine asked for and not yet passed: a set (asked once each) and a heap (the earliest). */
  private readonly wakes = new Set<number>();
  private readonly wakeOrder = new MinHeap<number>();
  /** In a replay: the journal's outputs of the current input, still to be regenerated. */
  private expected: JournalRecord[] | null = null;
  readonly mismatches: string[] = [];
  /** Outputs a replay regenerated that the journal lacks: what a crash kept from going out. */
  readonly unsent: JournalRecord[] = [];
  /** Outputs journaled and waiting to be sent at the end of the input that made them. */
  private readonly sending: JournalRecord[] = [];
  /** Whether the inputs taken since the last send include a session's message (acknowledged once it returns). */
  private acknowledging = false;
  outputs = 0;
  /** The last control action's outcome (the parents it cancelled or reset). */
  lastControl: { action: string; parents: string[] } | null = null;

  constructor(
    readonly setup: RouterSetup,
    private journal: Journal | null,
    private outbox: Outbox | null,
    private readonly onWake: (t: number) => void = () => {},
  ) {
    this.market = new LiveMarket(setup.venues, {
      tick: setup.tick,
      ...(setup.models ? { features: { adv: setup.adv, longRunVolBps: setup.volBps ?? NaN } } : {}),
    });
    this.engine = new RouterEngine(
      this,
      this.market,
      {
        onFill: (f) => this.onFill(f.parentId, f.qty, f.price, f.venue, f.liquidity),
        onDone: (p) => this.onDone(p),
        onAmend: (id, _order, reason) => this.onAmended(id, reason),
        onDecision: (d) =>
          this.emit({ k: 'decision', t: this.t, parentId: d.parentId, round: d.round, target: d.target, filled: d.filled, children: d.children }),
        // the guardrails' refusals and state changes, journaled as outputs: a replay regenerates them too
        onDenial: (d) =>
          this.emit({ k: 'denial', t: this.t, code: d.code, detail: d.detail, parentId: d.parentId, ...(d.venue === undefined ? {} : { venue: d.venue }) }),
        onRiskState: (e) => this.emit({ k: 'state', t: this.t, scope: e.scope, from: e.from, to: e.to, reason: e.reason, who: e.who }),
        onAnomaly: (a) =>
          this.emit({
            k: 'anomaly',
            t: this.t,
            parentId: a.parentId,
            reason: a.reason,
            recent: a.recent,
            sticky: a.sticky,
            decision: a.decision,
            ...(a.overrunUs === undefined ? {} : { overrunUs: a.overrunUs }),
          }),
        onModelReset: (e) => this.emit({ k: 'model-reset', t: this.t, parentId: e.parentId, who: e.who }),
      },
      { symbol: setup.symbol, ...(setup.risk ? { limits: setup.risk } : {}) },
    );
  }

  // ------------------------------------------------------------------ ports

  now(): number {
    return this.t;
  }

  wakeAt(time: number): void {
    if (this.wakes.has(time)) return;
    this.wakes.add(time);
    this.wakeOrder.push(time, time);
    this.onWake(time);
  }

  /** The earliest wake-up asked for and not yet passed (the service arms its timer for it); Infinity: none. */
  nextWake(): number {
    return this.wakeOrder.peekKey();
  }

  send(venue: string, msg: OrderMessage): void {
    if (msg.type === 'new' && this.down.has(venue)) {
      // nowhere to send it: it is refused at once, and the engine routes elsewhere at its next decision
      const id = msg.clOrdId;
      this.deferred.push(() =>
        this.engine.onReport({
          kind: 'rejected',
          venue,
          execId: -id,
          clOrdId: id,
          side: msg.side,
          price: msg.price,
          qty: 0,
          leaves: 0,
          cumQty: 0,
          fee: 0,
          venueTime: this.t,
          reason: 'venue down',
        }),
      );
      return;
    }
    const transactTime = this.setup.clock.fix(this.t);
    if (msg.type === 'new') {
      const head = { clOrdId: `C${msg.clOrdId}`, symbol: this.setup.symbol, side: msg.side, transactTime, qty: msg.qty };
      const order: NewOrderSingle =
        msg.ordType === 'midpeg'
          ? { ...head, ordType: 'midpeg', ...(Number.isFinite(msg.price) ? { price: msg.price } : {}), minQty: msg.minQty ?? 0 }
          : msg.ordType === 'market'
            ? { ...head, ordType: 'market' }
            : { ...head, ordType: 'limit', price: msg.price, tif: msg.tif ?? GTC, postOnly: msg.postOnly === true };
      return this.emit({ k: 'to-venue', t: this.t, venue, type: MSG.NewOrderSingle, body: encodeNewOrderSingle(order) });
    }
    const c = this.engine.om.child(msg.clOrdId);
    const n = (this.cancels.get(msg.clOrdId) ?? 0) + 1;
    this.cancels.set(msg.clOrdId, n);
    const request = {
      origClOrdId: this.current.get(msg.clOrdId) ?? `C${msg.clOrdId}`,
      clOrdId: `C${msg.clOrdId}.${n}`,
      symbol: this.setup.symbol,
      side: c?.side ?? BUY,
      transactTime,
    };
    if (msg.type === 'cancel')
      return this.emit({ k: 'to-venue', t: this.t, venue, type: MSG.OrderCancelRequest, body: encodeOrderCancelRequest({ ...request, qty: c?.qty ?? 0 }) });
    this.emit({
      k: 'to-venue',
      t: this.t,
      venue,
      type: MSG.OrderCancelReplaceRequest,
      body: encodeOrderCancelReplaceRequest({ ...request, qty: msg.qty, price: msg.price }),
    });
  }

  // ------------------------------------------------------------------ inputs

  /**
   * An input, then every wake-up the engine asked for that is due by `now()` (a parent that starts now decides now,
   * in the same turn of the event loop, not a timer's tick later): each journaled, then applied; what they make is
   * journaled as it is made and sent together once they are done (in the `every` mode, once the journal holds it all
   * on the disk: one sync before anything goes out, and before a session's message is acknowledged; market data and
   * timers, which nothing outside waits on, are synced with the next output).
   */
  feed(r: JournalRecord, now: () => number): void {
    this.take(r);
    // (bounded: an engine that kept asking for now would otherwise never let the event loop turn)
    for (let i = 0; i < 100 && this.nextWake() <= now(); i++) this.take({ k: 'timer', t: now() });
    if (this.sending.length > 0 || this.acknowledging) this.journal?.commit();
    this.acknowledging = false;
    this.flush();
  }

  private take(r: JournalRecord): void {
    this.journal?.append(r);
    this.apply(r);
    if (r.k === 'oms' || r.k === 'venue') this.acknowledging = true;
  }

  /**
   * Sends what is waiting to go (the journal holds it): the venues' orders first, then the OMS's reports (each session
   * in the order the router made them), so that a new parent's children are on their way before its acknowledgement
   * is written.
   */
  private flush(): void {
    if (!this.outbox) return;
    const out = this.sending.splice(0);
    for (const r of out) if (r.k === 'to-venue') this.outbox.toVenue(r.venue, r.type, r.body);
    for (const r of out) if (r.k === 'to-oms') this.outbox.toOms(r.oms, r.type, r.body);
  }

  /** The one place an input takes effect, live and in a replay. */
  apply(r: JournalRecord): void {
    this.t = r.t;
    switch (r.k) {
      case 'oms':
        this.omsMessage(r.oms, r.type, r.body);
        break;
      case 'venue':
        this.venueMessage(r.venue, r.type, r.body);
        break;
      case 'md':
        this.market.onMarketData(r.venue, r.type, r.body, r.t);
        this.engine.risk.onMarket();
        break;
      case 'timer':
        while (this.wakeOrder.peekKey() <= r.t) this.wakes.delete(this.wakeOrder.pop()!);
        this.engine.onTimer(r.t);
        break;
      case 'down':
        this.down.add(r.venue);
        this.market.onMarketData(r.venue, MSG.MarketDataSnapshotFullRefresh, [], r.t); // its book is gone with it
        this.engine.risk.onVenue(r.venue, false);
        this.engine.risk.onMarket();
        break;
      case 'up':
        this.down.delete(r.venue);
        this.engine.risk.onVenue(r.venue, true);
        this.reconcile(r.venue);
        break;
      case 'start':
        break;
      case 'control':
        this.control(r);
        break;
      case 'recover':
        for (const v of this.setup.venues) if (!this.down.has(v.name)) this.reconcile(v.name);
        for (const p of this.parents.values()) if (this.engine.om.parent(p.id).state !== 'filled') this.omsReport(p, EXEC_TYPE.OrderStatus);
        break;
      default:
        throw new Error(`not an input: ${r.k}`);
    }
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  /** Asks a venue where each of its working children stands (OrderStatusRequest). */
  private reconcile(venue: string): void {
    for (const p of this.parents.values()) {
      for (const id of this.engine.om.parent(p.id).children) {
        const c = this.engine.om.child(id)!;
        if (c.venue !== venue || c.state === 'filled' || c.state === 'cancelled' || c.state === 'rejected') continue;
        this.emit({
          k: 'to-venue',
          t: this.t,
          venue,
          type: MSG.OrderStatusRequest,
          body: encodeOrderStatusRequest({ clOrdId: `C${id}`, symbol: this.setup.symbol, side: c.side, statusReqId: `R${this.t}-${id}` }),
        });
      }
    }
  }

  private emit(r: JournalRecord): void {
    this.outputs++;
    if (this.expected) {
      const want = this.expected.shift();
      if (want === undefined) {
        this.unsent.push(r);
        return;
      }
      if (JSON.stringify(want) !== JSON.stringify(r)) this.mismatches.push(`journal ${JSON.stringify(want)} ≠ replay ${JSON.stringify(r)}`);
      return;
    }
    this.journal?.append(r);
    // sent once the input that made it is done (see feed): in the same turn of the event loop, so no later
    if (this.outbox && (r.k === 'to-venue' || r.k === 'to-oms')) this.sending.push(r);
  }

  /**
   * Replays journal records through this (fresh) router: each input applied, each output it regenerates compared
   * with the journal's, nothing sent. Returns the number of inputs replayed; mismatches and unsent say the rest.
   */
  replay(records: readonly JournalRecord[]): number {
    // the decisions whose inference overran its budget live: the same anomalies again, without reading a clock
    const overran = new Map<number, number>();
    for (const r of records) if (r.k === 'anomaly' && r.overrunUs !== undefined) overran.set(r.decision, r.overrunUs);
    this.engine.models.check.timeBy({ recorded: overran });
    let inputs = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (!isInput(r)) {
        this.mismatches.push(`journal record ${i + 1} (${r.k}) follows no input that makes it`);
        continue;
      }
      const outs: JournalRecord[] = [];
      while (i + 1 < records.length && !isInput(records[i + 1]!)) outs.push(records[++i]!);
      this.expected = outs;
      this.apply(r);
      for (const left of this.expected) this.mismatches.push(`journal ${JSON.stringify(left)}: not regenerated`);
      this.expected = null;
      inputs++;
    }
    return inputs;
  }

  /** The setup as the journal keeps it. */
  journaledSetup(): JournaledSetup {
    const { clock, models, ...json } = this.setup;
    return { ...json, clock: { ...clock.spec }, models: models ? { ...models.ids } : false };
  }

  /**
   * After a replay, the live journal and outbox. What the crash kept from going out goes now: first `journaled`, the
   * outputs the journal holds that never reached their session (the crash fell between the two), then what the
   * replay regenerated and the journal lacks (journaled now).
   */
  goLive(outbox: Outbox, journal: Journal | null, journaled: readonly JournalRecord[] = []): void {
    this.outbox = outbox;
    this.journal = journal;
    // live, each model-driven decision's inference is timed against its budget
    this.engine.models.check.timeBy({ wallUs: () => performance.now() * 1000 });
    this.sending.push(...journaled);
    for (const r of this.unsent.splice(0)) this.emit(r);
    this.journal?.commit();
    this.flush();
  }

  // ------------------------------------------------------------------ the OMS

  private omsMessage(oms: string, type: string, body: FixBody): void {
    const m = new Map(body);
    if (type === MSG.NewOrderSingle) return this.newParent(oms, body, m);
    if (type === MSG.OrderMassCancelRequest) return this.massCancel(oms, m);
    if (type === MSG.OrderCancelRequest || type === MSG.OrderStatusRequest || type === MSG.OrderCancelReplaceRequest) {
      const key = `${oms}|${type === MSG.OrderStatusRequest ? (m.get(TAG.ClOrdID) ?? '') : (m.get(TAG.OrigClOrdID) ?? '')}`;
      const p = this.byOms.get(key);
      if (type === MSG.OrderStatusRequest) {
        if (!p) return this.omsRefusal(oms, m, ORD_REJ_REASON.UnknownOrder, 'unknown order');
        return this.omsReport(p, EXEC_TYPE.OrderStatus);
      }
      const clOrdId = m.get(TAG.ClOrdID) ?? '';
      const again = this.byOms.get(`${oms}|${clOrdId}`);
      if (again && possDup(m)) return this.omsReport(again, EXEC_TYPE.OrderStatus); // a resend of one already taken
      const state = p ? this.engine.om.parent(p.id).state : undefined;
      const refuse = (reason: string, text: string) => this.cancelReject(oms, m, type, p, reason, text);
      if (!p) return refuse(CXL_REJ_REASON.UnknownOrder, 'unknown order');
      if (state === 'filled' || state === 'cancelled' || state === 'expired' || state === 'rejected')
        return refuse(CXL_REJ_REASON.TooLateToCancel, 'the order is done');
      if (p.cancelClOrdId || p.replaceClOrdId) return refuse(CXL_REJ_REASON.AlreadyPending, `a ${p.cancelClOrdId ? 'cancel' : 'replace'} is already in flight`);
      if (again) return refuse(CXL_REJ_REASON.DuplicateClOrdID, `duplicate ClOrdID ${clOrdId}`);
      if (type === MSG.OrderCancelReplaceRequest) return this.replaceParent(p, m, clOrdId, refuse);
      p.cancelClOrdId = clOrdId;
      this.byOms.set(`${oms}|${clOrdId}`, p);
      this.omsReport(p, EXEC_TYPE.PendingCancel);
      this.engine.cancelParent(p.id);
      return;
    }
    // anything else the OMS may send is not for a router
    this.emit({
      k: 'to-oms',
      t: this.t,
      oms,
      type: MSG.BusinessMessageReject,
      body: [
        [TAG.RefMsgType, type],
        [TAG.BusinessRejectReason, BUSINESS_REJECT_REASON.UnsupportedMessageType],
        [TAG.Text, `Unsupported Message Type ${type}: the router takes D, F, G, H and q`],
      ],
    });
  }

  /** OrderCancelReject (9) for a cancel (434=1) or a replace (434=2), with CxlRejReason (102) and Text. */
  private cancelReject(oms: string, m: Map<string, string>, type: string, p: LiveParent | undefined, reason: string, text: string): void {
    this.emit({
      k: 'to-oms',
      t: this.t,
      oms,
      type: MSG.OrderCancelReject,
      body: encodeOrderCancelReject({
        orderId: p?.id ?? 'NONE',
        clOrdId: m.get(TAG.ClOrdID) ?? '',
        origClOrdId: m.get(TAG.OrigClOrdID) ?? '',
        ordStatus: p ? this.ordStatus(p) : ORD_STATUS.Rejected,
        responseTo: type === MSG.OrderCancelReplaceRequest ? CXL_REJ_RESPONSE_TO.OrderCancelReplaceRequest : CXL_REJ_RESPONSE_TO.OrderCancelRequest,
        reason,
        text,
      }),
    });
  }

  /**
   * OrderCancelReplaceRequest (G) on a parent: its size (38), horizon (168 before it starts, 126) and limit (40/44)
   * may change; symbol, side and strategy may not. Replaced (ExecType 5) at once, or Pending Replace (E) while
   * working children are cancelled to make room for a smaller size, then Replaced or an OrderCancelReject.
   */
  private replaceParent(p: LiveParent, m: Map<string, string>, clOrdId: string, refuse: (reason: string, text: string) => void): void {
    const other = CXL_REJ_REASON.Other;
    if (m.get(TAG.Symbol) !== undefined && m.get(TAG.Symbol) !== this.setup.symbol)
      return refuse(other, `Symbol (55) cannot change: the order is for ${this.setup.symbol}`);
    if (m.has(TAG.Side) && sideOf(m.get(TAG.Side)) !== p.order.side) return refuse(other, 'Side (54) cannot change');
    if (m.has(TAG.TargetStrategy) && m.get(TAG.TargetStrategy) !== p.strategy) return refuse(other, 'TargetStrategy (847) cannot change on a replace');
    const change: ParentAmend = {};
    if (m.has(TAG.OrderQty)) {
      const qty = shares(m.get(TAG.OrderQty));
      if (!(qty > 0)) return refuse(other, quantityProblem(m.get(TAG.OrderQty)));
      if (qty !== p.order.qty) change.qty = qty;
    }
    const priced = this.limitOf(m.get(TAG.OrdType) ?? ordTypeOf(p.order), m.get(TAG.Price));
    if ('problem' in priced) return refuse(other, priced.problem);
    if (priced.limit !== p.order.limit) change.limit = priced.limit ?? null;
    for (const [tag, field] of [
      [TAG.EffectiveTime, 'start'],
      [TAG.ExpireTime, 'end'],
    ] as const) {
      if (!m.has(tag)) continue;
      const at = this.setup.clock.nsOf(m.get(tag));
      if (!Number.isFinite(at))
        return refuse(other, `${tag === TAG.EffectiveTime ? 'EffectiveTime (168)' : 'ExpireTime (126)'} must be a UTC timestamp of today`);
      if (at !== p.order[field]) change[field] = at;
    }
    const r = this.engine.amendParent(p.id, change);
    if (r.status === 'refused') return refuse(other, r.reason);
    const orig = p.clOrdId;
    this.byOms.set(`${p.oms}|${clOrdId}`, p);
    p.replaceClOrdId = clOrdId;
    if (r.status === 'pending') return this.omsReport(p, EXEC_TYPE.PendingReplace, undefined, orig);
    this.replaced(p, orig);
  }

  /** A parent's limit from its OrdType (40) and Price (44): a price on the tick (2), none (1), or what is wrong. */
  private limitOf(ordType: string, price: string | undefined): { limit: number | undefined } | { problem: string } {
    if (ordType === ORD_TYPE.Market) return { limit: undefined };
    if (ordType !== ORD_TYPE.Limit) return { problem: 'OrdType (40) must be 1 (market) or 2 (limit)' };
    const limit = priceUnits(price);
    if (!(limit > 0) || limit % this.setup.tick !== 0)
      return { problem: `Price (44) must be a price above 0 on the ${fixPrice(this.setup.tick)} tick, not ${price ?? 'none'}` };
    return { limit };
  }

  /** The replace took effect: the parent's ClOrdID at the OMS is the replace's from now on. */
  private replaced(p: LiveParent, orig: string): void {
    p.clOrdId = p.replaceClOrdId!;
    p.replaceClOrdId = undefined;
    this.omsReport(p, EXEC_TYPE.Replaced, undefined, orig);
  }

  /** A pending replace's outcome (the engine's onAmend). */
  private onAmended(id: string, reason?: string): void {
    const p = this.parents.get(id);
    if (!p?.replaceClOrdId) return;
    if (!reason) return this.replaced(p, p.clOrdId);
    const m = new Map([
      [TAG.ClOrdID, p.replaceClOrdId],
      [TAG.OrigClOrdID, p.clOrdId],
    ]);
    this.byOms.delete(`${p.oms}|${p.replaceClOrdId}`);
    p.replaceClOrdId = undefined;
    this.cancelReject(p.oms, m, MSG.OrderCancelReplaceRequest, p, CXL_REJ_REASON.Other, reason);
  }

  private omsRefusal(oms: string, m: Map<string, string>, reason: string, text: string): void {
    this.emit({
      k: 'to-oms',
      t: this.t,
      oms,
      type: MSG.ExecutionReport,
      // (by hand, not the codec: the OrderQty is echoed as the OMS wrote it when it is digits at all)
      body: [
        [TAG.OrderID, 'NONE'],
        [TAG.ClOrdID, m.get(TAG.ClOrdID) ?? ''],
        [TAG.ExecID, `X${this.t}-${this.outputs}`],
        [TAG.ExecType, EXEC_TYPE.Rejected],
        [TAG.OrdStatus, ORD_STATUS.Rejected],
        [TAG.Symbol, m.get(TAG.Symbol) ?? this.setup.symbol],
        [TAG.Side, m.get(TAG.Side) === SIDE.Sell ? SIDE.Sell : SIDE.Buy],
        [TAG.OrderQty, /^\d+$/.test(m.get(TAG.OrderQty) ?? '') ? m.get(TAG.OrderQty)! : '0'],
        [TAG.LeavesQty, '0'],
        [TAG.CumQty, '0'],
        [TAG.AvgPx, '0'],
        [TAG.OrdRejReason, reason],
        [TAG.Text, text],
        [TAG.TransactTime, this.setup.clock.fix(this.t)],
      ],
    });
  }

  private newParent(oms: string, body: FixBody, m: Map<string, string>): void {
    const clOrdId = m.get(TAG.ClOrdID) ?? '';
    const refuse = (reason: string, text: string) => this.omsRefusal(oms, m, reason, text);
    if (this.byOms.has(`${oms}|${clOrdId}`)) {
      // a PossDup resend of an order already taken is answered with where it stands, not a second order
      if (possDup(m)) return this.omsReport(this.byOms.get(`${oms}|${clOrdId}`)!, EXEC_TYPE.OrderStatus);
      return refuse(ORD_REJ_REASON.DuplicateOrder, `duplicate ClOrdID ${clOrdId}`);
    }
    if (m.get(TAG.Symbol) !== this.setup.symbol)
      return refuse(ORD_REJ_REASON.UnknownSymbol, `unknown symbol ${m.get(TAG.Symbol) ?? ''}: the router trades ${this.setup.symbol}`);
    const side: Side | null = sideOf(m.get(TAG.Side));
    if (side === null) return refuse(ORD_REJ_REASON.Other, 'Side (54) must be 1 (buy) or 2 (sell)');
    const qty = shares(m.get(TAG.OrderQty));
    if (!(qty > 0)) return refuse(ORD_REJ_REASON.IncorrectQuantity, quantityProblem(m.get(TAG.OrderQty)));
    const ordType = m.get(TAG.OrdType) ?? ORD_TYPE.Market;
    const priced = this.limitOf(ordType, m.get(TAG.Price));
    if ('problem' in priced) return refuse(ordType === ORD_TYPE.Limit ? ORD_REJ_REASON.Other : ORD_REJ_REASON.UnsupportedOrderCharacteristic, priced.problem);
    const limit = priced.limit;
    const start = m.has(TAG.EffectiveTime) ? Math.max(this.t, this.setup.clock.nsOf(m.get(TAG.EffectiveTime))) : this.t;
    const end = m.has(TAG.ExpireTime) ? this.setup.clock.nsOf(m.get(TAG.ExpireTime)) : start + this.setup.defaultHorizonMinutes * NS_PER_MINUTE;
    if (!Number.isFinite(start) || !Number.isFinite(end))
      return refuse(ORD_REJ_REASON.Other, 'EffectiveTime (168) and ExpireTime (126) must be UTC timestamps of today');
    if (!(end > this.t)) return refuse(ORD_REJ_REASON.TooLateToEnter, 'the horizon is in the past: ExpireTime (126) has passed');
    if (!(end > start)) return refuse(ORD_REJ_REASON.Other, 'ExpireTime (126) must come after EffectiveTime (168)');
    const strategy = m.get(TAG.TargetStrategy);
    const policy = strategy === undefined ? this.setup.defaultPolicy : this.setup.strategies[strategy];
    if (policy === undefined)
      return refuse(
        ORD_REJ_REASON.UnsupportedOrderCharacteristic,
        `unknown TargetStrategy (847) ${strategy}: configured are ${Object.keys(this.setup.strategies).join(', ')}`,
      );
    if (policies.kind(policy).models && !this.setup.models)
      return refuse(
        ORD_REJ_REASON.UnsupportedOrderCharacteristic,
        `policy ${policy} needs trained models, and this router has none (its config’s models.registry)`,
      );
    const raw: Record<string, unknown> = {};
    let name: string | undefined;
    let type: string | undefined;
    for (const [t, v] of body) {
      if (t === TAG.StrategyParameterName) {
        name = v;
        type = undefined;
      } else if (t === TAG.StrategyParameterType) type = v;
      else if (t === TAG.StrategyParameterValue && name !== undefined) {
        const numeric = type === undefined ? /^-?\d+(\.\d+)?$/.test(v) : NUMERIC_TYPES.has(type);
        raw[name] = type === STRATEGY_PARAMETER_TYPE.Boolean ? v === YES : numeric ? Number(v) : v;
      }
    }
    let built: Policy;
    try {
      built = policies.build(policy, policies.options(policy, raw), {
        decisionNs: this.setup.decisionSeconds * NS_PER_SECOND,
        ...(this.setup.profile ? { profile: this.setup.profile } : {}),
        adv: this.setup.adv,
        rng: Rng.stream(this.nextParent, `policy:${policy}`),
        ...(this.setup.models ? { models: this.setup.models.models } : {}),
      });
    } catch (e) {
      return refuse(ORD_REJ_REASON.UnsupportedOrderCharacteristic, (e as Error).message);
    }
    const id = `P${this.nextParent++}`;
    const account = m.get(TAG.Account);
    const order: ParentOrder = { id, side, qty, start, end, ...(limit !== undefined ? { limit } : {}), ...(account ? { account } : {}) };
    // the guardrails first (trading state, restricted list, the account's credit): a refusal is a Rejected report
    const denied = this.engine.onParent(order, built);
    if (denied) return refuse(denied.code === 'CREDIT' ? ORD_REJ_REASON.OrderExceedsLimit : ORD_REJ_REASON.BrokerOption, `${denied.code}: ${denied.detail}`);
    const p: LiveParent = { id, oms, clOrdId, order, execs: 0, ...(strategy !== undefined ? { strategy } : {}) };
    this.parents.set(id, p);
    this.byOms.set(`${oms}|${clOrdId}`, p);
    this.omsReport(p, EXEC_TYPE.New);
  }

  // ------------------------------------------------------------------ human control

  /**
   * A person's control action (journaled first, as every input): a trading state for a symbol or in all, every open
   * parent cancelled, or a parent put back on its model. A refused call (no or a wrong token) is journaled and does
   * nothing.
   */
  private control(r: ControlRecord): void {
    if (r.refused !== undefined || r.who === null) return;
    const who = r.who;
    const states: Record<string, TradingState> = { halt: 'HALTED', reduce: 'REDUCING', resume: 'ACTIVE' };
    const to = states[r.action];
    if (to) {
      this.engine.risk.setState(r.scope, to, r.reason || `${r.action} by ${who}`, who);
      return;
    }
    if (r.action === 'cancel-all') {
      const done = this.cancelOpen(() => r.scope === '*' || r.scope === this.setup.symbol, `cancelled by ${who}${r.reason ? `: ${r.reason}` : ''}`);
      this.emit({ k: 'control-done', t: this.t, action: r.action, who, parents: done });
      this.lastControl = { action: r.action, parents: done };
      return;
    }
    if (r.action === 'reset-model') {
      const p = r.parent === undefined ? undefined : (this.parents.get(r.parent) ?? [...this.parents.values()].find((x) => x.clOrdId === r.parent));
      const reset = p !== undefined && this.engine.models.reset(p.id, who);
      this.emit({ k: 'control-done', t: this.t, action: r.action, who, parents: reset ? [p.id] : [] });
      this.lastControl = { action: r.action, parents: reset ? [p.id] : [] };
    }
  }

  /** Cancels every open parent that `which` picks, as the OMS's cancel would (working children first); their ids. */
  private cancelOpen(which: (p: LiveParent) => boolean, why: string): string[] {
    const out: string[] = [];
    for (const p of this.parents.values()) {
      const st = this.engine.om.parent(p.id).state;
      if (st === 'filled' || st === 'cancelled' || st === 'expired' || st === 'rejected' || p.cancelClOrdId !== undefined || !which(p)) continue;
      p.cancelledWhy = why;
      out.push(p.id);
      this.engine.cancelParent(p.id);
    }
    return out;
  }

  /**
   * OrderMassCancelRequest (q) from an OMS: its open parents (all, MassCancelRequestType 7; or for the symbol, 1)
   * cancelled, each told in an ExecutionReport Canceled; answered by an OrderMassCancelReport (r) with the count.
   */
  private massCancel(oms: string, m: Map<string, string>): void {
    const type = m.get(TAG.MassCancelRequestType) ?? '';
    const clOrdId = m.get(TAG.ClOrdID) ?? '';
    const report = (response: string, extra: FixBody) =>
      this.emit({
        k: 'to-oms',
        t: this.t,
        oms,
        type: MSG.OrderMassCancelReport,
        body: [
          [TAG.ClOrdID, clOrdId],
          [TAG.OrderID, `M${this.t}-${this.outputs}`],
          [TAG.MassCancelRequestType, type],
          [TAG.MassCancelResponse, response],
          ...extra,
          [TAG.Symbol, this.setup.symbol],
        ],
      });
    if (type !== MASS_CANCEL_REQUEST_TYPE.Security && type !== MASS_CANCEL_REQUEST_TYPE.AllOrders)
      return report(MASS_CANCEL_RESPONSE.Rejected, [
        [TAG.MassCancelRejectReason, MASS_CANCEL_REJECT_REASON.Other],
        [TAG.Text, `MassCancelRequestType (530) ${type || 'none'}: the router takes 1 (by symbol) and 7 (all orders)`],
      ]);
    if (type === MASS_CANCEL_REQUEST_TYPE.Security && m.get(TAG.Symbol) !== this.setup.symbol)
      return report(MASS_CANCEL_RESPONSE.Rejected, [
        [TAG.MassCancelRejectReason, MASS_CANCEL_REJECT_REASON.UnknownSecurity],
        [TAG.Text, `unknown symbol ${m.get(TAG.Symbol) ?? 'none'}: the router trades ${this.setup.symbol}`],
      ]);
    const done = this.cancelOpen((p) => p.oms === oms, `mass cancel ${clOrdId}`);
    // accepted: the response echoes the request's type
    report(type, [[TAG.TotalAffectedOrders, String(done.length)]]);
  }

  private ordStatus(p: LiveParent): string {
    const s = this.engine.om.parent(p.id);
    if (p.cancelClOrdId && s.state !== 'cancelled' && s.state !== 'filled') return ORD_STATUS.PendingCancel;
    if (p.replaceClOrdId && s.state !== 'filled') return ORD_STATUS.PendingReplace;
    switch (s.state) {
      case 'filled':
        return ORD_STATUS.Filled;
      case 'cancelled':
        return ORD_STATUS.Canceled;
      case 'expired':
        return ORD_STATUS.Expired;
      case 'rejected':
        return ORD_STATUS.Rejected;
      default:
        return s.cumQty > 0 ? ORD_STATUS.PartiallyFilled : ORD_STATUS.New;
    }
  }

  /** An ExecutionReport on a parent for the OMS. */
  private omsReport(p: LiveParent, execType: string, fill?: { qty: number; price: number; venue: string; liquidity: string }, orig?: string): void {
    const s = this.engine.om.parent(p.id);
    const done = s.state === 'filled' || s.state === 'cancelled' || s.state === 'expired';
    const cancel = execType === EXEC_TYPE.Canceled || execType === EXEC_TYPE.PendingCancel;
    // a cancel the OMS asked for answers its ClOrdID; one the router made itself (cancel-all, a mass cancel) the order's
    const asked = cancel && p.cancelClOrdId !== undefined;
    const origClOrdId = asked ? p.clOrdId : orig;
    const body = encodeExecutionReport({
      orderId: p.id,
      clOrdId: asked ? p.cancelClOrdId! : execType === EXEC_TYPE.PendingReplace ? p.replaceClOrdId! : p.clOrdId,
      ...(origClOrdId !== undefined ? { origClOrdId } : {}),
      execId: `${p.id}-${++p.execs}`,
      execType,
      ordStatus: this.ordStatus(p),
      symbol: this.setup.symbol,
      side: p.order.side,
      qty: p.order.qty,
      ordType: ordTypeOf(p.order),
      ...(p.order.limit !== undefined ? { price: p.order.limit } : {}),
      leaves: done ? 0 : s.qty - s.cumQty,
      cumQty: s.cumQty,
      avgPx: s.cumQty > 0 ? Math.round(s.notional / s.cumQty) : 0,
      ...(fill
        ? { lastPx: fill.price, lastQty: fill.qty, lastMkt: fill.venue, liquidity: fill.liquidity === 'make' ? ('make' as const) : ('take' as const) }
        : {}),
      ...(cancel && p.cancelledWhy !== undefined ? { text: p.cancelledWhy } : {}),
      transactTime: this.setup.clock.fix(this.t),
    });
    this.emit({ k: 'to-oms', t: this.t, oms: p.oms, type: MSG.ExecutionReport, body });
  }

  private onFill(parentId: string, qty: number, price: number, venue: string, liquidity: string): void {
    const p = this.parents.get(parentId);
    if (p) this.omsReport(p, EXEC_TYPE.Trade, { qty, price, venue, liquidity });
  }

  private onDone(s: Parent): void {
    const p = this.parents.get(s.id);
    if (!p) return;
    if (s.state === 'cancelled') this.omsReport(p, EXEC_TYPE.Canceled);
    else if (s.state === 'expired') this.omsReport(p, EXEC_TYPE.Expired);
    // a filled parent's last fill said so (OrdStatus 2)
  }

  /** Where each parent stands: what `sor live demo` reconciles, and what a restart tells the OMS. */
  parentStates(): { id: string; clOrdId: string; state: string; qty: number; cumQty: number; notional: number; order: ParentOrder }[] {
    return [...this.parents.values()].map((p) => {
      const s = this.engine.om.parent(p.id);
      return { id: p.id, clOrdId: p.clOrdId, state: s.state, qty: s.qty, cumQty: s.cumQty, notional: s.notional, order: p.order };
    });
  }

  /** A child's parent, by the child's ClOrdID (C<n>): the parent's ClOrdID at the OMS. */
  parentOf(child: string): string | undefined {
    const c = this.engine.om.child(Number(/^C(\d+)/.exec(child)?.[1]));
    return c ? this.parents.get(c.parentId)?.clOrdId : undefined;
  }

  /** Each child's ClOrdID (C<n>) → its parent's ClOrdID at the OMS. */
  childParents(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of this.parents.values()) for (const id of this.engine.om.parent(p.id).children) out[`C${id}`] = p.clOrdId;
    return out;
  }

  // ------------------------------------------------------------------ the venues

  private venueMessage(venue: string, type: string, body: FixBody): void {
    const idOf = (v: string | undefined) => {
      const x = v === undefined ? null : /^C(\d+)/.exec(v);
      return x ? Number(x[1]) : NaN;
    };
    if (type === MSG.OrderCancelReject) {
      const r = decodeOrderCancelReject(body);
      const id = idOf(r.origClOrdId);
      const c = this.engine.om.child(id);
      if (!c) return;
      return this.engine.onReport({
        kind: 'rejected',
        venue,
        execId: this.execNumber(venue, `9:${r.clOrdId}`),
        clOrdId: id,
        side: c.side,
        price: c.price,
        qty: 0,
        leaves: c.qty - c.cumQty,
        cumQty: c.cumQty,
        fee: 0,
        venueTime: this.t,
        reason: r.text ?? 'cancel rejected',
      });
    }
    if (type !== MSG.ExecutionReport) return;
    const r = decodeExecutionReport(body);
    const id = idOf(r.origClOrdId ?? r.clOrdId);
    const c = this.engine.om.child(id);
    if (!c) return;
    const at = this.setup.clock.nsOf(r.transactTime);
    const venueTime = Number.isFinite(at) ? at : this.t;
    const base = { venue, clOrdId: id, side: r.side, leaves: r.leaves, cumQty: r.cumQty, venueTime };
    const execId = this.execNumber(venue, r.execId);
    if (r.execType === EXEC_TYPE.OrderStatus) {
      // a status answer: only what contradicts the router's books is acted on (an order the venue does not know)
      if (r.ordStatus === ORD_STATUS.Rejected && (c.state === 'pending-new' || c.state === 'new' || c.state === 'pending-cancel'))
        this.engine.onReport({ ...base, kind: 'rejected', execId, price: c.price, qty: 0, fee: 0, reason: r.text ?? 'unknown at the venue' });
      return;
    }
    if (r.execType === EXEC_TYPE.Rejected && r.ordRejReason === ORD_REJ_REASON.UnknownOrder && c.state !== 'pending-new') {
      // "unknown order" to a status request: the child never reached the venue
      return this.engine.onReport({ ...base, kind: 'rejected', execId, price: c.price, qty: 0, fee: 0, reason: 'unknown at the venue' });
    }
    const kind = REPORT_KINDS[r.execType];
    if (!kind) return;
    const fill = kind === 'fill';
    // (a replace's new ClOrdID is the child's at the venue from now on; a report without one leaves it)
    if (kind === 'replaced' && r.clOrdId !== '') this.current.set(id, r.clOrdId);
    this.engine.onReport({
      ...base,
      kind,
      execId,
      price: fill ? (r.lastPx ?? NaN) : (r.price ?? c.price),
      qty: fill ? (r.lastQty ?? 0) : 0,
      fee: fill ? (r.fee ?? 0) : 0,
      ...(fill ? { liquidity: r.liquidity ?? ('take' as const) } : {}),
      ...(r.text !== undefined ? { reason: r.text } : {}),
    });
  }

  /** A venue's ExecID as the number the order manager dedupes by (the same ExecID, resent, gets the same number). */
  private execNumber(venue: string, execId: string): number {
    let ids = this.execIds.get(venue);
    if (!ids) this.execIds.set(venue, (ids = new Map()));
    let n = ids.get(execId);
    if (n === undefined) ids.set(execId, (n = ids.size + 1));
    return n;
  }

  /** The engine's order books, for the reconciliations. */
  get orders() {
    return this.engine.om;
  }
}

/** What an offline replay of a journal found. */
export interface ReplayResult {
  records: number;
  inputs: number;
  outputs: number;
  decisions: number;
  mismatches: string[];
  unsent: number;
  parents: ReturnType<LiveRouter['parentStates']>;
  /** Each child's ClOrdID (C<n>) → its parent's ClOrdID at the OMS. */
  childParent: Record<string, string>;
}

/**
 * Replays a journal through a fresh router built from its first `start` record: the parity check of the two worlds
 * (every output regenerated and compared) and the compliance record (every decision again, from its inputs).
 */
export function replayJournal(records: readonly JournalRecord[], registry?: ModelRegistry): ReplayResult {
  const start = records.find((r): r is Extract<JournalRecord, { k: 'start' }> => r.k === 'start');
  if (!start) throw new DataError('the journal has no start record: nothing to build its router from');
  const { clock, models: ids, ...json } = start.setup;
  let models: LoadedModels | undefined;
  if (ids) {
    if (!registry)
      throw new UsageError(`the journal’s router had trained models (${Object.values(ids).join(', ')}): give their registry (--models) to replay it`);
    models = loadModelsById(registry, ids);
  }
  const router = new LiveRouter({ ...json, clock: new LiveClock(clock), ...(models ? { models } : {}) }, null, null);
  const inputs = router.replay(records);
  return {
    records: records.length,
    inputs,
    outputs: records.length - inputs,
    decisions: records.filter((r) => r.k === 'decision').length,
    mismatches: router.mismatches,
    unsent: router.unsent.length,
    parents: router.parentStates(),
    childParent: router.childParents(),
  };
}

/** Why an OrderQty (38) is not one a parent can have. */
function quantityProblem(v: string | undefined): string {
  return `OrderQty (38) must be a whole number of shares above 0, not ${v ?? 'none'}`;
}

/** Whether a message says it may have been sent before (PossDupFlag or PossResend): a resend, not a new request. */
function possDup(m: ReadonlyMap<string, string>): boolean {
  return m.get(TAG.PossDupFlag) === YES || m.get(TAG.PossResend) === YES;
}

/** A parent's OrdType (40): limit (2) with a limit price, else market (1); a replace may change it. */
function ordTypeOf(o: ParentOrder): string {
  return o.limit === undefined ? ORD_TYPE.Market : ORD_TYPE.Limit;
}

/** The ExecTypes (150) of a venue's reports that change a child, as the order manager's report kinds. */
const REPORT_KINDS: Partial<Record<string, ExecReport['kind']>> = {
  [EXEC_TYPE.New]: 'ack',
  [EXEC_TYPE.Trade]: 'fill',
  [EXEC_TYPE.Canceled]: 'cancelled',
  [EXEC_TYPE.Expired]: 'cancelled',
  [EXEC_TYPE.Replaced]: 'replaced',
  [EXEC_TYPE.Rejected]: 'rejected',
};
