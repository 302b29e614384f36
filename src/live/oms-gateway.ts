import { Rng } from '../core/rng.js';
import { NS_PER_MINUTE, NS_PER_SECOND, type Side } from '../core/types.js';
import { encodeExecutionReport, encodeOrderCancelReject, type FixBody } from '../fix/child-orders.js';
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
import type { ParentAmend, ParentOrder, Policy } from '../router/engine.js';
import { isParentDone, type Parent } from '../router/order-manager.js';
import { policies } from '../router/policies.js';
import { childClOrdId, childIdOf, Gateway } from './router-core.js';

/** A parent as the OMS knows it: its session, its ClOrdID now, and what is in flight on it. */
export interface LiveParent {
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
 * The router's side of its OMS sessions: parent orders taken or refused (NewOrderSingle), cancelled
 * (OrderCancelRequest, OrderMassCancelRequest), resized or re-timed (OrderCancelReplaceRequest) and asked after
 * (OrderStatusRequest), and every ExecutionReport and OrderCancelReject the OMS is told. It holds the parents by the
 * OMS's ClOrdIDs; the engine holds their orders. It reads the time and writes its outputs through the router core,
 * so what it does is journaled and replayed as everything else the router does.
 */
export class OmsGateway extends Gateway {
  private readonly parents = new Map<string, LiveParent>();
  private readonly byOms = new Map<string, LiveParent>();
  private nextParent = 1;

  /** A message from an OMS session (a parent, a cancel, a replace, a status request, a mass cancel), applied now. */
  message(oms: string, type: string, body: FixBody): void {
    const m = new Map(body);
    if (type === MSG.NewOrderSingle) return this.newParent(oms, body, m);
    if (type === MSG.OrderMassCancelRequest) return this.massCancel(oms, m);
    if (type === MSG.OrderCancelRequest || type === MSG.OrderStatusRequest || type === MSG.OrderCancelReplaceRequest) {
      const key = `${oms}|${type === MSG.OrderStatusRequest ? (m.get(TAG.ClOrdID) ?? '') : (m.get(TAG.OrigClOrdID) ?? '')}`;
      const p = this.byOms.get(key);
      if (type === MSG.OrderStatusRequest) {
        if (!p) return this.omsRefusal(oms, m, ORD_REJ_REASON.UnknownOrder, 'unknown order');
        return this.report(p, EXEC_TYPE.OrderStatus);
      }
      const clOrdId = m.get(TAG.ClOrdID) ?? '';
      const again = this.byOms.get(`${oms}|${clOrdId}`);
      if (again && possDup(m)) return this.report(again, EXEC_TYPE.OrderStatus); // a resend of one already taken
      const state = p ? this.engine.om.parent(p.id).state : undefined;
      const refuse = (reason: string, text: string) => this.cancelReject(oms, m, type, p, reason, text);
      if (!p) return refuse(CXL_REJ_REASON.UnknownOrder, 'unknown order');
      if (isParentDone(state!)) return refuse(CXL_REJ_REASON.TooLateToCancel, 'the order is done');
      if (p.cancelClOrdId || p.replaceClOrdId) return refuse(CXL_REJ_REASON.AlreadyPending, `a ${p.cancelClOrdId ? 'cancel' : 'replace'} is already in flight`);
      if (again) return refuse(CXL_REJ_REASON.DuplicateClOrdID, `duplicate ClOrdID ${clOrdId}`);
      if (type === MSG.OrderCancelReplaceRequest) return this.replaceParent(p, m, clOrdId, refuse);
      p.cancelClOrdId = clOrdId;
      this.byOms.set(`${oms}|${clOrdId}`, p);
      this.report(p, EXEC_TYPE.PendingCancel);
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
    if (r.status === 'pending') return this.report(p, EXEC_TYPE.PendingReplace, undefined, orig);
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
    this.report(p, EXEC_TYPE.Replaced, undefined, orig);
  }

  /** A pending replace's outcome (the engine's onAmend). */
  onAmended(id: string, reason?: string): void {
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
        [TAG.ExecID, `X${this.t}-${this.core.outputs}`],
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
      if (possDup(m)) return this.report(this.byOms.get(`${oms}|${clOrdId}`)!, EXEC_TYPE.OrderStatus);
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
    this.report(p, EXEC_TYPE.New);
  }

  /** Cancels every open parent that `which` picks, as the OMS's cancel would (working children first); their ids. */
  cancelOpen(which: (p: LiveParent) => boolean, why: string): string[] {
    const out: string[] = [];
    for (const p of this.parents.values()) {
      if (isParentDone(this.engine.om.parent(p.id).state) || p.cancelClOrdId !== undefined || !which(p)) continue;
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
          [TAG.OrderID, `M${this.t}-${this.core.outputs}`],
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
  report(p: LiveParent, execType: string, fill?: { qty: number; price: number; venue: string; liquidity: string }, orig?: string): void {
    const s = this.engine.om.parent(p.id);
    const done = isParentDone(s.state);
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

  onFill(parentId: string, qty: number, price: number, venue: string, liquidity: string): void {
    const p = this.parents.get(parentId);
    if (p) this.report(p, EXEC_TYPE.Trade, { qty, price, venue, liquidity });
  }

  onDone(s: Parent): void {
    const p = this.parents.get(s.id);
    if (!p) return;
    if (s.state === 'cancelled') this.report(p, EXEC_TYPE.Canceled);
    else if (s.state === 'expired') this.report(p, EXEC_TYPE.Expired);
    // a filled parent's last fill said so (OrdStatus 2)
  }

  /** A parent by the router's id (P<n>) or its ClOrdID at the OMS. */
  find(ref: string): LiveParent | undefined {
    return this.parents.get(ref) ?? [...this.parents.values()].find((x) => x.clOrdId === ref);
  }

  /** Every parent, in the order they were taken. */
  all(): IterableIterator<LiveParent> {
    return this.parents.values();
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
    const c = this.engine.om.child(childIdOf(child));
    return c ? this.parents.get(c.parentId)?.clOrdId : undefined;
  }

  /** Each child's ClOrdID (C<n>) → its parent's ClOrdID at the OMS. */
  childParents(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of this.parents.values()) for (const id of this.engine.om.parent(p.id).children) out[childClOrdId(id)] = p.clOrdId;
    return out;
  }
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
