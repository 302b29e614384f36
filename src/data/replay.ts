import { OrderBook } from '../book/order-book.js';
import { BUY, SELL, type Side } from '../core/types.js';
import { ADD, DELETE, EMPTY_ASK, EMPTY_BID, EXECUTE, HALT, PARTIAL_CANCEL, readLobster, type LobsterDay, type LobsterPair } from './lobster.js';

/**
 * Exact replay of a LOBSTER day into the L3 order book, checked against the orderbook file after every event.
 *
 * Messages drive the book order by order: an add rests under its own id; a partial cancel, an execution or a
 * delete reduces that order by the message's size. Orders that were resting before the file starts have no add message: the book
 * opens with one placeholder order per visible level, taken from the first orderbook row with the first message
 * undone, and messages about unknown ids reduce the placeholders at their price.
 *
 * A level-N file only carries the events that touch the top N levels, so depth can come into view from beyond
 * level N without a message, and levels that dropped out of view may have changed unseen. After each event the
 * top N levels are compared with the file's row; a level that was *not* in view in the previous row is
 * reconciled to the file (a placeholder added, or stale quantity removed from the back of its queue) and counted.
 * A difference at a level that *was* in view, or at the level the event itself touched, cannot be explained that
 * way: it is a mismatch (and the side is then
 * resynchronised so one error does not cascade).
 */
export interface ReplayCounts {
  events: number;
  matched: number;
  mismatched: number;
  /** Events at which at least one level was reconciled. */
  reconciled: number;
  /** Levels reconciled in all. */
  reconciled_levels: number;
  /** Line (1-based) of the first mismatch, if any. */
  first_mismatch_line: number | null;
}

const PLACEHOLDER_BASE = 2 ** 46; // far above LOBSTER order ids

export class ReplayBook {
  readonly book = new OrderBook(null, 1 << 14);
  private readonly placeholders = new Map<number, number[]>(); // price * 2 + side → placeholder ids, oldest first
  private nextPlaceholder = PLACEHOLDER_BASE;
  private readonly ourP: Float64Array;
  private readonly ourQ: Float64Array;
  private readonly fileP: Float64Array;
  private readonly fileQ: Float64Array;
  reconciledLevels = 0;

  constructor(readonly levels: number) {
    this.ourP = new Float64Array(levels + 1);
    this.ourQ = new Float64Array(levels + 1);
    this.fileP = new Float64Array(levels);
    this.fileQ = new Float64Array(levels);
  }

  /** Opens the book with the levels of `row` (the book before the first message). */
  seed(row: Float64Array): void {
    for (const side of [BUY, SELL] as Side[]) {
      const m = fileSide(row, this.levels, side, this.fileP, this.fileQ);
      for (let j = 0; j < m; j++) this.addPlaceholder(side, this.fileP[j]!, this.fileQ[j]!);
    }
  }

  apply(type: number, id: number, size: number, price: number, direction: number): void {
    const side: Side = direction === 1 ? BUY : SELL;
    const b = this.book;
    switch (type) {
      case ADD:
        if (size > 0) b.limit(id, side, price, size);
        return;
      case PARTIAL_CANCEL:
      case EXECUTE:
      case DELETE: {
        // The level moves by exactly `size` whatever we believe about single orders: take from the named order
        // what it holds; a shortfall (an earlier reconciliation took from this order what another order held)
        // comes off the level. A delete of an order holding more keeps the rest, which stands for the order that
        // really left unseen.
        const leaves = b.leaves(id);
        const own = Math.min(size, leaves);
        if (own > 0) b.reduce(id, own);
        if (own < size) this.reduceUnknown(side, price, size - own);
        return;
      }
      default:
        return; // hidden executions, crosses and halts leave the visible book as it is
    }
  }

  /**
   * Compares both sides with the file's row, reconciling levels that came into view; `prev` is the previous row,
   * and the message's side and price name the level it touched (never reconciled: the message accounts for it).
   * Returns 0 matched, 1 matched after reconciling, 2 mismatched.
   */
  check(row: Float64Array, prev: Float64Array, msgSide: Side, msgPrice: number): 0 | 1 | 2 {
    const a = this.checkSide(BUY, row, prev, msgSide === BUY ? msgPrice : NaN);
    const c = this.checkSide(SELL, row, prev, msgSide === SELL ? msgPrice : NaN);
    return a === 2 || c === 2 ? 2 : a === 1 || c === 1 ? 1 : 0;
  }

  private checkSide(side: Side, row: Float64Array, prev: Float64Array, msgPrice: number): 0 | 1 | 2 {
    const N = this.levels;
    const m = fileSide(row, N, side, this.fileP, this.fileQ);
    let result: 0 | 1 | 2 = 0;
    // each pass fixes the first differing level; a jump of the touch past many stale levels takes one pass each,
    // so the bound is the book's own size (it only guards against a bug looping forever)
    const maxPasses = 2 * N + 2 + this.book.orderCount;
    for (let pass = 0; pass < maxPasses; pass++) {
      const k = this.book.displayedLevels(side, N, this.ourP, this.ourQ);
      let j = 0;
      while (j < N && j < k && j < m && this.ourP[j] === this.fileP[j] && this.ourQ[j] === this.fileQ[j]) j++;
      if (j === N || (j === k && j === m)) return result;
      // the first difference is at level j
      const ours = j < k ? this.ourP[j]! : NaN;
      const theirs = j < m ? this.fileP[j]! : NaN;
      let price: number;
      let target: number;
      if (ours === theirs) {
        price = ours;
        target = this.fileQ[j]!;
      } else if (theirs !== theirs || (ours === ours && better(side, ours, theirs))) {
        price = ours; // we show a level the file does not: stale
        target = 0;
      } else {
        price = theirs; // the file shows a level we lack (or hold none displayed of)
        target = this.fileQ[j]!;
      }
      // a level that was in view, or the one the message itself touched, is accounted for by the messages
      if (price === msgPrice || inView(prev, N, side, price)) result = 2;
      else if (result === 0) result = 1;
      this.setLevel(side, price, target);
      this.reconciledLevels++;
    }
    return 2;
  }

  /** Brings the displayed quantity at a price to `target`: placeholders are added at the back, or quantity is
   * taken from the back of the queue (the most recent orders first). */
  private setLevel(side: Side, price: number, target: number): void {
    const have = this.book.visibleAt(side, price);
    if (target > have) {
      this.addPlaceholder(side, price, target - have);
      return;
    }
    this.takeFromQueue(side, price, have - target, true);
    const key = price * 2 + side;
    const ph = this.placeholders.get(key);
    if (ph) {
      const alive = ph.filter((id) => this.book.has(id));
      if (alive.length > 0) this.placeholders.set(key, alive);
      else this.placeholders.delete(key);
    }
  }

  private addPlaceholder(side: Side, price: number, qty: number): void {
    const id = this.nextPlaceholder++;
    this.book.limit(id, side, price, qty);
    const key = price * 2 + side;
    const ph = this.placeholders.get(key);
    if (ph) ph.push(id);
    else this.placeholders.set(key, [id]);
  }

  /**
   * A message about an order we do not hold: it rested before the file starts, was added out of view, or was
   * taken out by an earlier reconciliation that could not know which order at its level had gone (a message
   * about it proves it was alive, so another order there was the one that left unseen).
   * The level's total is what the file vouches for, so the size comes off that level: from the placeholders
   * first, then from the other orders there, oldest first (those are the ones most likely to have been
   * cancelled out of view, unseen).
   */
  private reduceUnknown(side: Side, price: number, size: number): void {
    const key = price * 2 + side;
    const ph = this.placeholders.get(key);
    let rest = size;
    while (ph && rest > 0 && ph.length > 0) {
      const id = ph[0]!;
      const leaves = this.book.leaves(id);
      if (leaves <= rest) {
        this.book.cancel(id);
        ph.shift();
        rest -= leaves;
      } else {
        this.book.reduce(id, rest);
        rest = 0;
      }
    }
    if (ph && ph.length === 0) this.placeholders.delete(key);
    if (rest > 0) this.takeFromQueue(side, price, rest, false);
  }

  /** Takes `amount` shares off the orders at a price, newest first or oldest first; returns what could not be taken. */
  private takeFromQueue(side: Side, price: number, amount: number, newestFirst: boolean): number {
    const q = this.book.queue(side, price);
    let rest = amount;
    for (let k = 0; k < q.length && rest > 0; k++) {
      const id = q[newestFirst ? q.length - 1 - k : k]!;
      const leaves = this.book.leaves(id);
      if (leaves <= rest) {
        this.book.cancel(id);
        rest -= leaves;
      } else {
        this.book.reduce(id, rest);
        rest = 0;
      }
    }
    return rest;
  }
}

function better(side: Side, a: number, b: number): boolean {
  return side === BUY ? a > b : a < b;
}

/** Non-empty levels of one side of a row, best first; returns their count. */
export function fileSide(row: Float64Array, N: number, side: Side, prices: Float64Array, qtys: Float64Array): number {
  let m = 0;
  const off = side === BUY ? 2 : 0;
  for (let i = 0; i < N; i++) {
    const p = row[4 * i + off]!;
    const q = row[4 * i + off + 1]!;
    if (q > 0 && p !== EMPTY_ASK && p !== EMPTY_BID) {
      prices[m] = p;
      qtys[m++] = q;
    }
  }
  return m;
}

/** Whether a row shows `price` on that side (a level with quantity). */
export function inView(row: Float64Array, N: number, side: Side, price: number): boolean {
  const off = side === BUY ? 2 : 0;
  for (let i = 0; i < N; i++) if (row[4 * i + off] === price && row[4 * i + off + 1]! > 0) return true;
  return false;
}

/**
 * The book before the first message: the first row with the first message undone. An add is taken out of its
 * level; a cancel or execution of an order (unknown: it was resting before the file starts) is put back.
 */
export function rowBefore(first: Float64Array, N: number, type: number, size: number, price: number, direction: number): Float64Array {
  const side: Side = direction === 1 ? BUY : SELL;
  const sign = type === ADD ? -1 : type === PARTIAL_CANCEL || type === DELETE || type === EXECUTE ? 1 : 0;
  const out = Float64Array.from(first);
  if (sign === 0 || size === 0) return out;
  const P = new Float64Array(N + 1);
  const Q = new Float64Array(N + 1);
  let m = fileSide(first, N, side, P, Q);
  let j = 0;
  while (j < m && P[j] !== price) j++;
  if (j < m) {
    Q[j] = Q[j]! + sign * size;
    if (Q[j]! <= 0) {
      P.copyWithin(j, j + 1, m);
      Q.copyWithin(j, j + 1, m);
      m--;
    }
  } else if (sign > 0) {
    let at = 0;
    while (at < m && better(side, P[at]!, price)) at++;
    P.copyWithin(at + 1, at, m);
    Q.copyWithin(at + 1, at, m);
    P[at] = price;
    Q[at] = size;
    m = Math.min(m + 1, N);
  }
  const off = side === BUY ? 2 : 0;
  for (let i = 0; i < N; i++) {
    out[4 * i + off] = i < m ? P[i]! : side === BUY ? EMPTY_BID : EMPTY_ASK;
    out[4 * i + off + 1] = i < m ? Q[i]! : 0;
  }
  return out;
}

/**
 * Feeds events one at a time (streamed or from memory) and keeps the counts. The first event opens the book
 * from its row with the event undone.
 */
export class ReplayVerifier {
  readonly counts: ReplayCounts = { events: 0, matched: 0, mismatched: 0, reconciled: 0, reconciled_levels: 0, first_mismatch_line: null };
  /** Events by LOBSTER type (index 1–7). */
  readonly byType = [0, 0, 0, 0, 0, 0, 0, 0];
  readonly rb: ReplayBook;
  private prev: Float64Array;
  private started = false;

  constructor(readonly levels: number) {
    this.rb = new ReplayBook(levels);
    this.prev = new Float64Array(4 * levels);
  }

  push(type: number, id: number, size: number, price: number, direction: number, row: Float64Array, line: number): void {
    if (!this.started) {
      this.started = true;
      this.prev = rowBefore(row, this.levels, type, size, price, direction);
      this.rb.seed(this.prev);
    }
    this.byType[type]!++;
    this.rb.apply(type, id, size, price, direction);
    const touched = type === ADD || type === PARTIAL_CANCEL || type === DELETE || type === EXECUTE;
    const r = this.rb.check(row, this.prev, direction === 1 ? BUY : SELL, touched ? price : NaN);
    const c = this.counts;
    c.events++;
    if (r === 2) {
      c.mismatched++;
      if (c.first_mismatch_line === null) c.first_mismatch_line = line;
    } else {
      c.matched++;
      if (r === 1) c.reconciled++;
    }
    c.reconciled_levels = this.rb.reconciledLevels;
    this.prev.set(row); // rows may be reused by the reader: keep a copy
  }
}

/** Replays a loaded day with verification after every event. */
export function verifyDay(day: LobsterDay): ReplayCounts {
  const N = day.pair.levels;
  const W = 4 * N;
  const v = new ReplayVerifier(N);
  for (let i = 0; i < day.n; i++) {
    v.push(day.type[i]!, day.id[i]!, day.size[i]!, day.price[i]!, day.direction[i]!, day.book.subarray(i * W, i * W + W), i + 1);
  }
  return v.counts;
}

const TYPE_NAMES = ['', 'add', 'partial_cancel', 'delete', 'execute', 'execute_hidden', 'cross', 'halt'];

/**
 * `sor replay`: a LOBSTER day replayed into the book, events counted by type; with `verify`, the top levels checked
 * against the orderbook file after every event (the counts of matched, reconciled and mismatched events), else the
 * final book.
 */
export function replaySummary(pair: LobsterPair, verify: boolean) {
  const v = new ReplayVerifier(pair.levels);
  let halts = 0;
  readLobster(pair, (m, row) => {
    if (m.type === HALT && m.price === -1) halts++;
    v.push(m.type, m.id, m.size, m.price, m.direction, row, m.line);
  });
  const byType = Object.fromEntries(TYPE_NAMES.slice(1).map((n, i) => [n, v.byType[i + 1]!]));
  const top = (side: 0 | 1) => v.rb.book.depth(side, pair.levels).map((l) => [l.price, l.qty]);
  const base = { message_file: pair.message, orderbook_file: pair.orderbook, levels: pair.levels, events: v.counts.events, by_type: byType, halts };
  return verify ? { ...base, ...v.counts } : { ...base, final_book: { bids: top(BUY), asks: top(SELL) } };
}
