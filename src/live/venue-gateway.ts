import { BUY, GTC } from '../core/types.js';
import {
  decodeExecutionReport,
  decodeOrderCancelReject,
  encodeNewOrderSingle,
  encodeOrderCancelReplaceRequest,
  encodeOrderCancelRequest,
  encodeOrderStatusRequest,
  type FixBody,
  type NewOrderSingle,
} from '../fix/child-orders.js';
import { EXEC_TYPE, MSG, ORD_REJ_REASON, ORD_STATUS } from '../fix/tags.js';
import { isChildDone } from '../router/order-manager.js';
import type { ExecReport, OrderMessage } from '../venue/types.js';
import { childClOrdId, childIdOf, Gateway } from './router-core.js';

/**
 * The router's side of its venues' order-entry sessions: the engine's child orders, cancels and replaces out as FIX
 * (each cancel or replace a new ClOrdID, C<n>.<k>), the venues' reports in as the engine's reports (ExecIDs numbered
 * per venue, so a resent one is known), the venues that are down (a child for one is refused at once), and the
 * reconciliation of a venue's working children when it comes back (OrderStatusRequest).
 */
export class VenueGateway extends Gateway {
  /** Per venue: its ExecIDs seen, as the numbers the order manager dedupes by. */
  private readonly execIds = new Map<string, Map<string, number>>();
  /** Per child: how many cancels and replaces it has asked for (each a new ClOrdID), and its ClOrdID at the venue now. */
  private readonly cancels = new Map<number, number>();
  private readonly current = new Map<number, string>();
  private readonly down = new Set<string>();
  /** Reports the router makes itself (a child for a venue that is down), applied once the current input is done. */
  private readonly deferred: (() => void)[] = [];

  /** Whether a venue is down (its order entry lost, not yet back). */
  isDown(venue: string): boolean {
    return this.down.has(venue);
  }

  /** A venue lost, or back; the caller reconciles a venue that is back. */
  setDown(venue: string, down: boolean): void {
    if (down) this.down.add(venue);
    else this.down.delete(venue);
  }

  /** Applies the reports the gateway made itself while the current input was applied. */
  settle(): void {
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  /** A child order, its cancel or its replace, for a venue (the engine's port): journaled, then sent. */
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
      const head = { clOrdId: childClOrdId(msg.clOrdId), symbol: this.setup.symbol, side: msg.side, transactTime, qty: msg.qty };
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
      origClOrdId: this.current.get(msg.clOrdId) ?? childClOrdId(msg.clOrdId),
      clOrdId: `${childClOrdId(msg.clOrdId)}.${n}`,
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

  /** Asks a venue where each of its working children stands (OrderStatusRequest). */
  reconcile(venue: string, parents: Iterable<{ id: string }>): void {
    for (const p of parents) {
      for (const id of this.engine.om.parent(p.id).children) {
        const c = this.engine.om.child(id)!;
        if (c.venue !== venue || isChildDone(c.state)) continue;
        this.emit({
          k: 'to-venue',
          t: this.t,
          venue,
          type: MSG.OrderStatusRequest,
          body: encodeOrderStatusRequest({ clOrdId: childClOrdId(id), symbol: this.setup.symbol, side: c.side, statusReqId: `R${this.t}-${id}` }),
        });
      }
    }
  }

  /** A venue's ExecutionReport or OrderCancelReject, as the engine's report on the child it is about. */
  message(venue: string, type: string, body: FixBody): void {
    if (type === MSG.OrderCancelReject) {
      const r = decodeOrderCancelReject(body);
      const id = childIdOf(r.origClOrdId);
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
    const id = childIdOf(r.origClOrdId ?? r.clOrdId);
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
