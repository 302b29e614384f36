import { BUY, type Side, type TimeInForce } from '../core/types.js';
import type { Liquidity } from '../venue/fees.js';
import { COMM_TYPE, EXEC_INST, HANDL_INST, ORD_REJ_REASON, ORD_STATUS, ORD_TYPE, TAG } from './tags.js';
import { feeUnits, fixFee, fixLiquidity, fixPrice, fixSide, fixTif, liquidityOf, priceUnits, shares, sideOf, tifOf } from './values.js';

/**
 * The child-order messages between the router and a venue, one codec for both ends: NewOrderSingle (D),
 * OrderCancelRequest (F), OrderCancelReplaceRequest (G) and OrderStatusRequest (H) one way, ExecutionReport (8) and
 * OrderCancelReject (9) the other (the router's reports to the OMS are ExecutionReports and OrderCancelRejects too, and
 * use the same encoders). A typed message carries the project's units (prices and fees in price units, quantities in
 * shares, Side and TimeInForce as core/ has them); fields whose values are FIX enumerations carry the FIX value (the
 * constants of tags.ts). Each encoder writes its fields in one fixed order: the router's journal records the bodies,
 * and a replay compares them as they are, so that order is part of the format.
 */

/** A message body: its fields past the header, in order. */
export type FixBody = [string, string][];

/**
 * A body read by tag. A tag repeated counts by its first place, as the session reads it (a dictionary rejects such a
 * message before the application sees it anyway).
 */
function fieldsByTag(body: readonly (readonly [string, string])[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [t, v] of body) if (!m.has(t)) m.set(t, v);
  return m;
}

/** A side read where the reader only echoes it: 2 sell, anything else buy. */
function sideOrBuy(v: string | undefined): Side {
  return sideOf(v) ?? BUY;
}

// ------------------------------------------------------------------ NewOrderSingle (D)

/** What every child order says: who, what, which way, when and how many. */
export interface NewOrderHead {
  clOrdId: string;
  symbol: string;
  side: Side;
  /** TransactTime (60) as it travels: the live clock (live/clock.ts) makes and reads it. */
  transactTime: string;
  qty: number;
}

/** A child order's type and the fields that go with it. */
export type ChildOrderType =
  /** A limit order, post-only (ExecInst 6) or not. */
  | { ordType: 'limit'; price: number; tif: TimeInForce; postOnly: boolean }
  /** A market order: it takes what it can at once, and the rest is cancelled; a TimeInForce (59) travels only if given. */
  | { ordType: 'market'; tif?: TimeInForce }
  /** A midpoint peg (OrdType P, ExecInst M): its Price (44), if any, caps a buy or floors a sell; MinQty 0 is none. */
  | { ordType: 'midpeg'; price?: number; minQty: number };

export type NewOrderSingle = NewOrderHead & ChildOrderType;

/** OrdType (40) of each kind of child order. */
export const CHILD_ORD_TYPE: Record<ChildOrderType['ordType'], string> = { limit: ORD_TYPE.Limit, market: ORD_TYPE.Market, midpeg: ORD_TYPE.Pegged };

export function encodeNewOrderSingle(o: NewOrderSingle): FixBody {
  const b: FixBody = [
    [TAG.ClOrdID, o.clOrdId],
    [TAG.HandlInst, HANDL_INST.AutomatedPrivate],
    [TAG.Symbol, o.symbol],
    [TAG.Side, fixSide(o.side)],
    [TAG.TransactTime, o.transactTime],
    [TAG.OrderQty, String(o.qty)],
    [TAG.OrdType, CHILD_ORD_TYPE[o.ordType]],
  ];
  if (o.ordType === 'midpeg') {
    // the ExecInst is what makes a P order a midpoint peg: it comes with the OrdType
    b.push([TAG.ExecInst, EXEC_INST.MidPricePeg]);
    if (o.price !== undefined) b.push([TAG.Price, fixPrice(o.price)]);
    if (o.minQty) b.push([TAG.MinQty, String(o.minQty)]);
  } else if (o.ordType === 'market') {
    if (o.tif !== undefined) b.push([TAG.TimeInForce, fixTif(o.tif)]);
  } else {
    b.push([TAG.Price, fixPrice(o.price)], [TAG.TimeInForce, fixTif(o.tif)]);
    if (o.postOnly) b.push([TAG.ExecInst, EXEC_INST.ParticipateDontInitiate]);
  }
  return b;
}

/** Why a NewOrderSingle cannot be taken: OrdRejReason (103) and Text (58). */
export interface Refusal {
  reason: string;
  text: string;
}

/**
 * A NewOrderSingle as a venue reads it: what a refusal echoes (read whatever else is wrong; the symbol as it came,
 * a side that is not 1 or 2 as null), then the order, or why it is not one.
 */
export type DecodedNewOrder = { clOrdId: string; symbol: string | undefined; side: Side | null } & (
  { ok: true; order: NewOrderSingle } | { ok: false; refusal: Refusal }
);

/**
 * Reads a NewOrderSingle, checking what the message alone decides, in this order: the side, the quantity, the time
 * in force, then the order type and its own fields. What needs the venue's state (a duplicate ClOrdID, its symbol)
 * is the venue's to check, before this verdict.
 */
export function decodeNewOrderSingle(body: readonly (readonly [string, string])[]): DecodedNewOrder {
  const m = fieldsByTag(body);
  const clOrdId = m.get(TAG.ClOrdID) ?? '';
  const symbol = m.get(TAG.Symbol);
  const side = sideOf(m.get(TAG.Side));
  const who = { clOrdId, symbol, side };
  const refuse = (text: string): DecodedNewOrder => ({ ...who, ok: false, refusal: { reason: ORD_REJ_REASON.Other, text } });
  const qty = shares(m.get(TAG.OrderQty));
  const tif = tifOf(m.get(TAG.TimeInForce));
  const ordType = m.get(TAG.OrdType) ?? '';
  const inst = (m.get(TAG.ExecInst) ?? '').split(' ');
  if (side === null) return refuse('Side (54) must be 1 or 2');
  if (!(qty > 0)) return refuse('OrderQty (38) must be a whole number of shares above 0');
  if (tif === null) return refuse('TimeInForce (59) must be 0, 1, 3 or 4');
  const head: NewOrderHead = { clOrdId, symbol: symbol ?? '', side, transactTime: m.get(TAG.TransactTime) ?? '', qty };
  if (ordType === ORD_TYPE.Limit) {
    const price = priceUnits(m.get(TAG.Price));
    if (!(price > 0)) return refuse('a limit order needs a Price (44) above 0, to 4 decimal places');
    return { ...who, ok: true, order: { ...head, ordType: 'limit', price, tif, postOnly: inst.includes(EXEC_INST.ParticipateDontInitiate) } };
  }
  if (ordType === ORD_TYPE.Market) return { ...who, ok: true, order: { ...head, ordType: 'market', ...(m.has(TAG.TimeInForce) ? { tif } : {}) } };
  if (ordType === ORD_TYPE.Pegged && inst.includes(EXEC_INST.MidPricePeg)) {
    const minQty = m.has(TAG.MinQty) ? shares(m.get(TAG.MinQty)) : 0;
    if (!(minQty >= 0)) return refuse('MinQty (110) must be a whole number of shares');
    const cap = m.has(TAG.Price) ? priceUnits(m.get(TAG.Price)) : undefined;
    if (cap !== undefined && !(cap > 0)) return refuse('a pegged order’s Price (44), its limit, must be above 0');
    return { ...who, ok: true, order: { ...head, ordType: 'midpeg', ...(cap !== undefined ? { price: cap } : {}), minQty } };
  }
  return refuse('OrdType (40) must be 1 (market), 2 (limit) or P with ExecInst (18) M (midpoint peg)');
}

// ------------------------------------------------------------------ OrderCancelRequest (F), OrderCancelReplaceRequest (G)

/**
 * A cancel or a replace of a child: a new ClOrdID for the request, the order's ClOrdID at the venue now (OrigClOrdID).
 * Read as it came: a quantity or price that is not one is NaN, for the venue to refuse once it knows the order.
 */
export interface OrderCancelRequest {
  origClOrdId: string;
  clOrdId: string;
  symbol: string;
  side: Side;
  transactTime: string;
  qty: number;
}

/** A replace is of a limit order's size and price; without a Price (44) the price stays. */
export interface OrderCancelReplaceRequest extends OrderCancelRequest {
  price?: number;
}

function cancelHead(o: OrderCancelRequest): FixBody {
  return [
    [TAG.OrigClOrdID, o.origClOrdId],
    [TAG.ClOrdID, o.clOrdId],
    [TAG.Symbol, o.symbol],
    [TAG.Side, fixSide(o.side)],
    [TAG.TransactTime, o.transactTime],
    [TAG.OrderQty, String(o.qty)],
  ];
}

export function encodeOrderCancelRequest(o: OrderCancelRequest): FixBody {
  return cancelHead(o);
}

export function encodeOrderCancelReplaceRequest(o: OrderCancelReplaceRequest): FixBody {
  const b = cancelHead(o);
  b.push([TAG.OrdType, ORD_TYPE.Limit]);
  if (o.price !== undefined) b.push([TAG.Price, fixPrice(o.price)]);
  return b;
}

export function decodeOrderCancelRequest(body: readonly (readonly [string, string])[]): OrderCancelRequest {
  return cancelFields(fieldsByTag(body));
}

export function decodeOrderCancelReplaceRequest(body: readonly (readonly [string, string])[]): OrderCancelReplaceRequest {
  const m = fieldsByTag(body);
  const o: OrderCancelReplaceRequest = cancelFields(m);
  if (m.has(TAG.Price)) o.price = priceUnits(m.get(TAG.Price));
  return o;
}

function cancelFields(m: ReadonlyMap<string, string>): OrderCancelRequest {
  return {
    origClOrdId: m.get(TAG.OrigClOrdID) ?? '',
    clOrdId: m.get(TAG.ClOrdID) ?? '',
    symbol: m.get(TAG.Symbol) ?? '',
    side: sideOrBuy(m.get(TAG.Side)),
    transactTime: m.get(TAG.TransactTime) ?? '',
    qty: shares(m.get(TAG.OrderQty)),
  };
}

// ------------------------------------------------------------------ OrderStatusRequest (H)

/** Where a child stands at the venue; the answer is an ExecutionReport (ExecType I) echoing OrdStatusReqID. */
export interface OrderStatusRequest {
  clOrdId: string;
  symbol: string;
  side: Side;
  statusReqId?: string;
}

export function encodeOrderStatusRequest(o: OrderStatusRequest): FixBody {
  const b: FixBody = [
    [TAG.ClOrdID, o.clOrdId],
    [TAG.Symbol, o.symbol],
    [TAG.Side, fixSide(o.side)],
  ];
  if (o.statusReqId !== undefined) b.push([TAG.OrdStatusReqID, o.statusReqId]);
  return b;
}

export function decodeOrderStatusRequest(body: readonly (readonly [string, string])[]): OrderStatusRequest {
  const m = fieldsByTag(body);
  const req = m.get(TAG.OrdStatusReqID);
  return {
    clOrdId: m.get(TAG.ClOrdID) ?? '',
    symbol: m.get(TAG.Symbol) ?? '',
    side: sideOrBuy(m.get(TAG.Side)),
    ...(req !== undefined ? { statusReqId: req } : {}),
  };
}

// ------------------------------------------------------------------ ExecutionReport (8)

/**
 * An ExecutionReport on an order (a venue's on a child, the router's on a parent). The optional fields are written
 * where present: a refusal of an order that was never taken has no OrderQty or OrdType; a fill has the Last… fields
 * (and, from a venue, its fee); a status answer echoes OrdStatusReqID.
 */
export interface ExecutionReport {
  orderId: string;
  clOrdId: string;
  /** The order's ClOrdID before a cancel or replace took effect. */
  origClOrdId?: string;
  execId: string;
  /** An EXEC_TYPE value. */
  execType: string;
  /** An ORD_STATUS value. */
  ordStatus: string;
  symbol: string;
  side: Side;
  qty?: number;
  /** An ORD_TYPE value. */
  ordType?: string;
  price?: number;
  leaves: number;
  cumQty: number;
  /** Average price of what is filled, price units (0 when nothing is); rounded to a unit on the wire. */
  avgPx: number;
  lastPx?: number;
  lastQty?: number;
  lastMkt?: string;
  liquidity?: Liquidity;
  /** This fill's fee, price units × shares (negative: a rebate); read back in whole units. */
  fee?: number;
  /** An ORD_REJ_REASON value. */
  ordRejReason?: string;
  text?: string;
  transactTime?: string;
  statusReqId?: string;
}

export function encodeExecutionReport(r: ExecutionReport): FixBody {
  const b: FixBody = [
    [TAG.OrderID, r.orderId],
    [TAG.ClOrdID, r.clOrdId],
  ];
  if (r.origClOrdId !== undefined) b.push([TAG.OrigClOrdID, r.origClOrdId]);
  b.push([TAG.ExecID, r.execId], [TAG.ExecType, r.execType], [TAG.OrdStatus, r.ordStatus], [TAG.Symbol, r.symbol], [TAG.Side, fixSide(r.side)]);
  if (r.qty !== undefined) b.push([TAG.OrderQty, String(r.qty)]);
  if (r.ordType !== undefined) b.push([TAG.OrdType, r.ordType]);
  if (r.price !== undefined) b.push([TAG.Price, fixPrice(r.price)]);
  b.push([TAG.LeavesQty, String(r.leaves)], [TAG.CumQty, String(r.cumQty)], [TAG.AvgPx, fixPrice(r.avgPx)]);
  if (r.lastPx !== undefined) b.push([TAG.LastPx, fixPrice(r.lastPx)]);
  if (r.lastQty !== undefined) b.push([TAG.LastQty, String(r.lastQty)]);
  if (r.lastMkt !== undefined) b.push([TAG.LastMkt, r.lastMkt]);
  if (r.liquidity !== undefined) b.push([TAG.LastLiquidityInd, fixLiquidity(r.liquidity)]);
  if (r.fee !== undefined) b.push([TAG.Commission, fixFee(r.fee)], [TAG.CommType, COMM_TYPE.Absolute]);
  if (r.ordRejReason !== undefined) b.push([TAG.OrdRejReason, r.ordRejReason]);
  if (r.text !== undefined) b.push([TAG.Text, r.text]);
  if (r.transactTime !== undefined) b.push([TAG.TransactTime, r.transactTime]);
  if (r.statusReqId !== undefined) b.push([TAG.OrdStatusReqID, r.statusReqId]);
  return b;
}

/**
 * Reads an ExecutionReport as the router takes a venue's: an absent required string as '', an absent LeavesQty or
 * CumQty as 0, prices that are not prices as NaN; the optional fields only where their tag is.
 */
export function decodeExecutionReport(body: readonly (readonly [string, string])[]): ExecutionReport {
  const m = fieldsByTag(body);
  const r: ExecutionReport = {
    orderId: m.get(TAG.OrderID) ?? '',
    clOrdId: m.get(TAG.ClOrdID) ?? '',
    execId: m.get(TAG.ExecID) ?? '',
    execType: m.get(TAG.ExecType) ?? '',
    ordStatus: m.get(TAG.OrdStatus) ?? '',
    symbol: m.get(TAG.Symbol) ?? '',
    side: sideOrBuy(m.get(TAG.Side)),
    leaves: Number(m.get(TAG.LeavesQty) ?? 0),
    cumQty: Number(m.get(TAG.CumQty) ?? 0),
    avgPx: priceUnits(m.get(TAG.AvgPx)),
  };
  const opt = <K extends keyof ExecutionReport>(key: K, tag: string, read: (v: string) => ExecutionReport[K]) => {
    const v = m.get(tag);
    if (v !== undefined) r[key] = read(v);
  };
  const text = (v: string) => v;
  opt('origClOrdId', TAG.OrigClOrdID, text);
  opt('qty', TAG.OrderQty, Number);
  opt('ordType', TAG.OrdType, text);
  opt('price', TAG.Price, priceUnits);
  opt('lastPx', TAG.LastPx, priceUnits);
  opt('lastQty', TAG.LastQty, Number);
  opt('lastMkt', TAG.LastMkt, text);
  opt('liquidity', TAG.LastLiquidityInd, liquidityOf);
  opt('fee', TAG.Commission, feeUnits);
  opt('ordRejReason', TAG.OrdRejReason, text);
  opt('text', TAG.Text, text);
  opt('transactTime', TAG.TransactTime, text);
  opt('statusReqId', TAG.OrdStatusReqID, text);
  return r;
}

/** The OrdStatus (39) values of an order that is over: filled, cancelled, expired or rejected. */
export const FINAL_ORD_STATUS: ReadonlySet<string> = new Set([ORD_STATUS.Filled, ORD_STATUS.Canceled, ORD_STATUS.Expired, ORD_STATUS.Rejected]);

// ------------------------------------------------------------------ OrderCancelReject (9)

/** A cancel (CxlRejResponseTo 1) or replace (2) refused: where the order stands, and why (CxlRejReason, Text). */
export interface OrderCancelReject {
  orderId: string;
  clOrdId: string;
  origClOrdId: string;
  /** An ORD_STATUS value. */
  ordStatus: string;
  /** A CXL_REJ_RESPONSE_TO value. */
  responseTo: string;
  /** A CXL_REJ_REASON value. */
  reason: string;
  text?: string;
}

export function encodeOrderCancelReject(r: OrderCancelReject): FixBody {
  const b: FixBody = [
    [TAG.OrderID, r.orderId],
    [TAG.ClOrdID, r.clOrdId],
    [TAG.OrigClOrdID, r.origClOrdId],
    [TAG.OrdStatus, r.ordStatus],
    [TAG.CxlRejResponseTo, r.responseTo],
    [TAG.CxlRejReason, r.reason],
  ];
  if (r.text !== undefined) b.push([TAG.Text, r.text]);
  return b;
}

export function decodeOrderCancelReject(body: readonly (readonly [string, string])[]): OrderCancelReject {
  const m = fieldsByTag(body);
  const text = m.get(TAG.Text);
  return {
    orderId: m.get(TAG.OrderID) ?? '',
    clOrdId: m.get(TAG.ClOrdID) ?? '',
    origClOrdId: m.get(TAG.OrigClOrdID) ?? '',
    ordStatus: m.get(TAG.OrdStatus) ?? '',
    responseTo: m.get(TAG.CxlRejResponseTo) ?? '',
    reason: m.get(TAG.CxlRejReason) ?? '',
    ...(text !== undefined ? { text } : {}),
  };
}
