import type { Side } from '../core/types.js';
import type { ExecReport } from '../venue/types.js';

/** FIX-style order states (OrdStatus), for parents and children. */
export type ParentState = 'new' | 'partially-filled' | 'filled' | 'pending-cancel' | 'cancelled' | 'expired' | 'rejected';
export type ChildState = 'pending-new' | 'new' | 'partially-filled' | 'filled' | 'pending-cancel' | 'pending-replace' | 'cancelled' | 'rejected';

export interface Parent {
  readonly id: string;
  readonly side: Side;
  /** The size; an OMS replace may change it (resize). */
  qty: number;
  cumQty: number;
  /** ∑ price × qty of fills (price units × shares). */
  notional: number;
  fees: number;
  state: ParentState;
  readonly children: number[];
  /** Why the parent is ending: set by cancelParent() or expire(). */
  ending?: 'cancelled' | 'expired';
}

export interface Child {
  readonly clOrdId: number;
  readonly parentId: string;
  readonly venue: string;
  readonly side: Side;
  price: number;
  /** Order quantity as the venue has accepted it (a replace changes it when acknowledged). */
  qty: number;
  cumQty: number;
  state: ChildState;
  /** A replace in flight: the price and quantity asked for. */
  pending?: { price: number; qty: number };
  /** The state to return to if a cancel or replace request is rejected. */
  before?: ChildState;
}

const CHILD_TERMINAL = new Set<ChildState>(['filled', 'cancelled', 'rejected']);
const PARENT_TERMINAL = new Set<ParentState>(['filled', 'cancelled', 'expired', 'rejected']);

/** A child that can trade no more at its venue: filled, cancelled or rejected. */
export const isChildDone = (s: ChildState): boolean => CHILD_TERMINAL.has(s);
/** A parent that will trade no more: filled, cancelled, expired or rejected (its children may still be finishing). */
export const isParentDone = (s: ParentState): boolean => PARENT_TERMINAL.has(s);

export class OrderError extends Error {}

/**
 * Parents and their children, with FIX lifecycles. The one invariant that matters most holds by construction: a
 * parent can never be overfilled, because a child (or a size increase) is only accepted if it fits the parent's
 * *available* quantity: its size, less what is filled, less what live children could still fill. While a replace
 * is in flight the child counts at the larger of its old and new size, since the venue may still fill either.
 * Reports are idempotent (a report seen twice, by venue and execId, is ignored), and child requests may carry an
 * idempotency key: asking twice for the same key returns the same child.
 */
export class OrderManager {
  private readonly parents = new Map<string, Parent>();
  private readonly children = new Map<number, Child>();
  private readonly byKey = new Map<string, number>();
  private readonly seen = new Set<string>();
  private nextClOrdId = 1;
  /** Reports that contradict the books (a fill beyond what a child could fill, an unknown order): counted, not applied. */
  anomalies = 0;

  newParent(id: string, side: Side, qty: number): Parent {
    if (this.parents.has(id)) throw new OrderError(`duplicate parent id ${id}`);
    if (!(qty > 0) || !Number.isInteger(qty)) throw new OrderError(`parent ${id}: quantity must be a positive integer, got ${qty}`);
    const p: Parent = { id, side, qty, cumQty: 0, notional: 0, fees: 0, state: 'new', children: [] };
    this.parents.set(id, p);
    return p;
  }

  parent(id: string): Parent {
    const p = this.parents.get(id);
    if (!p) throw new OrderError(`unknown parent ${id}`);
    return p;
  }

  child(clOrdId: number): Child | undefined {
    return this.children.get(clOrdId);
  }

  /** What a child could still fill: its leaves, at the larger size while a replace is in flight. */
  exposure(c: Child): number {
    if (CHILD_TERMINAL.has(c.state)) return 0;
    const qty = c.pending ? Math.max(c.qty, c.pending.qty) : c.qty;
    return qty - c.cumQty;
  }

  /** Shares a new child (or a size increase) may still take: size − filled − live children's exposure. */
  available(parentId: string): number {
    const p = this.parent(parentId);
    if (PARENT_TERMINAL.has(p.state) || p.ending) return 0;
    return p.qty - p.cumQty - this.working(parentId);
  }

  /**
   * A new child order, pending until the venue acknowledges it. Refused (OrderError) if it does not fit the
   * parent's available quantity. With a key, asking again returns the child already made for that key.
   */
  newChild(parentId: string, venue: string, price: number, qty: number, key?: string): Child {
    if (key !== undefined) {
      const existing = this.byKey.get(`${parentId}|${key}`);
      if (existing !== undefined) return this.children.get(existing)!;
    }
    const p = this.parent(parentId);
    if (!(qty > 0) || !Number.isInteger(qty)) throw new OrderError(`child of ${parentId}: quantity must be a positive integer, got ${qty}`);
    const avail = this.available(parentId);
    if (qty > avail) throw new OrderError(`child of ${parentId} for ${qty} exceeds the ${avail} available`);
    const c: Child = { clOrdId: this.nextClOrdId++, parentId, venue, side: p.side, price, qty, cumQty: 0, state: 'pending-new' };
    this.children.set(c.clOrdId, c);
    p.children.push(c.clOrdId);
    if (key !== undefined) this.byKey.set(`${parentId}|${key}`, c.clOrdId);
    return c;
  }

  /** Asks to cancel a working child; false if there is nothing to cancel. */
  requestCancel(clOrdId: number): boolean {
    const c = this.children.get(clOrdId);
    // a pending-new child may be cancelled too: the venue takes the new order, then the cancel
    if (!c || CHILD_TERMINAL.has(c.state) || c.state === 'pending-cancel') return false;
    c.before = c.state === 'pending-replace' ? c.before : c.state;
    c.state = 'pending-cancel';
    return true;
  }

  /**
   * Asks to change a working child's price and total quantity. The new quantity must exceed what is filled; an
   * increase must fit the parent's available quantity. Throws OrderError otherwise.
   */
  requestReplace(clOrdId: number, price: number, qty: number): void {
    const c = this.children.get(clOrdId);
    if (!c || CHILD_TERMINAL.has(c.state) || (c.state !== 'new' && c.state !== 'partially-filled')) {
      throw new OrderError(`child ${clOrdId} cannot be replaced now (${c?.state ?? 'unknown'})`);
    }
    if (!(qty > c.cumQty) || !Number.isInteger(qty)) throw new OrderError(`child ${clOrdId}: new quantity ${qty} must exceed the ${c.cumQty} filled`);
    if (qty - c.qty > this.available(c.parentId)) throw new OrderError(`child ${clOrdId}: increase to ${qty} exceeds what the parent has available`);
    c.before = c.state;
    c.pending = { price, qty };
    c.state = 'pending-replace';
  }

  /** Applies a venue's execution report. Returns false for a duplicate or a report that contradicts the books. */
  onReport(r: ExecReport): boolean {
    const key = `${r.venue}|${r.execId}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    const c = this.children.get(r.clOrdId);
    if (!c || c.venue !== r.venue) {
      this.anomalies++;
      return false;
    }
    const p = this.parents.get(c.parentId)!;
    switch (r.kind) {
      case 'ack':
        if (c.state === 'pending-new') c.state = c.cumQty > 0 ? 'partially-filled' : 'new';
        else if (c.state === 'pending-cancel' && c.before === 'pending-new') c.before = c.cumQty > 0 ? 'partially-filled' : 'new';
        break;
      case 'fill': {
        if (r.qty > this.exposure(c)) {
          this.anomalies++;
          return false;
        }
        c.cumQty += r.qty;
        p.cumQty += r.qty;
        p.notional += r.qty * r.price;
        p.fees += r.fee;
        const full = c.cumQty >= (c.pending ? Math.max(c.qty, c.pending.qty) : c.qty) || (r.leaves === 0 && !c.pending);
        if (full) {
          c.state = 'filled';
          c.pending = undefined;
        } else if (c.state === 'pending-new' || c.state === 'new') c.state = 'partially-filled';
        else if ((c.state === 'pending-cancel' || c.state === 'pending-replace') && c.before !== 'pending-new') c.before = 'partially-filled';
        break;
      }
      case 'cancelled':
        if (!CHILD_TERMINAL.has(c.state)) {
          c.state = 'cancelled';
          c.pending = undefined;
        }
        break;
      case 'replaced':
        if (c.pending) {
          c.price = c.pending.price;
          c.qty = c.pending.qty;
          c.pending = undefined;
          c.state = c.cumQty > 0 ? 'partially-filled' : 'new';
          if (c.cumQty >= c.qty) c.state = 'filled';
        }
        break;
      case 'rejected':
        // a reject while the new order itself is unanswered is the new order's (venues answer in order)
        if (c.state === 'pending-new' || (c.state === 'pending-cancel' && c.before === 'pending-new')) c.state = 'rejected';
        else if (c.state === 'pending-cancel' || c.state === 'pending-replace') {
          c.state = c.before ?? 'new';
          c.pending = undefined;
        }
        break;
    }
    this.settle(p);
    return true;
  }

  /**
   * Changes a parent's size (an OMS replace). The new size must exceed what is filled and leave room for what live
   * children could still fill, so the invariant holds across it: no parent is ever overfilled. Throws OrderError
   * otherwise (the caller cancels children first and tries again).
   */
  resize(parentId: string, qty: number): void {
    const p = this.parent(parentId);
    if (PARENT_TERMINAL.has(p.state) || p.ending) throw new OrderError(`parent ${parentId} is ${p.ending ?? p.state}: it cannot be resized`);
    if (!(qty > p.cumQty) || !Number.isInteger(qty))
      throw new OrderError(`parent ${parentId}: new quantity ${qty} must be a whole number above the ${p.cumQty} filled`);
    const working = this.working(parentId);
    if (qty < p.cumQty + working)
      throw new OrderError(`parent ${parentId}: new quantity ${qty} is below the ${p.cumQty} filled plus the ${working} its children could still fill`);
    p.qty = qty;
    this.settle(p);
  }

  /** What a parent's live children could still fill, all together. */
  working(parentId: string): number {
    let n = 0;
    for (const id of this.parent(parentId).children) n += this.exposure(this.children.get(id)!);
    return n;
  }

  /** Ends a parent: cancels its working children; it is cancelled once none is left working. */
  cancelParent(parentId: string): number[] {
    return this.end(parentId, 'cancelled');
  }

  /** The parent's time is up: as cancelParent, ending as expired. */
  expire(parentId: string): number[] {
    return this.end(parentId, 'expired');
  }

  private end(parentId: string, how: 'cancelled' | 'expired'): number[] {
    const p = this.parent(parentId);
    if (PARENT_TERMINAL.has(p.state)) return [];
    p.ending = how;
    const toCancel = p.children.filter((id) => this.requestCancel(id));
    this.settle(p);
    return toCancel;
  }

  private settle(p: Parent): void {
    if (PARENT_TERMINAL.has(p.state)) return;
    if (p.cumQty >= p.qty) {
      p.state = 'filled';
      return;
    }
    if (p.ending) {
      const working = p.children.some((id) => !CHILD_TERMINAL.has(this.children.get(id)!.state));
      p.state = working ? 'pending-cancel' : p.ending;
      return;
    }
    p.state = p.cumQty > 0 ? 'partially-filled' : 'new';
  }
}
