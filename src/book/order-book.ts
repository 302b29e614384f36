import { BUY, FOK, GTC, IOC, SELL, type Side, type TimeInForce } from '../core/types.js';

/** Outcome of limit(), market() and replace(). */
export const RESTED = 0; // nothing traded, order rests
export const PARTIAL_RESTED = 1; // traded some, rest rests
export const FILLED = 2; // traded in full
export const PARTIAL_CANCELLED = 3; // IOC / market: traded some or none, remainder cancelled
export const REJECTED_POST_ONLY = 4;
export const REJECTED_FOK = 5;
export const REJECTED_DUPLICATE_ID = 6;
export const REJECTED_UNKNOWN_ID = 7;
export const REJECTED_INVALID = 8;
export type BookResult = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const RESULT_NAMES = [
  'rested',
  'partial-rested',
  'filled',
  'partial-cancelled',
  'rejected-post-only',
  'rejected-fok',
  'rejected-duplicate-id',
  'rejected-unknown-id',
  'rejected-invalid',
] as const;

export interface TradeListener {
  /**
   * One execution. `makerLeaves` is the maker's remaining quantity (displayed + reserve) after this fill; 0 means
   * the maker order is gone from the book. Called synchronously during matching: do not mutate the book from here.
   */
  onTrade(makerId: number, takerId: number, price: number, qty: number, takerSide: Side, makerOwner: number, takerOwner: number, makerLeaves: number): void;
}

export interface LimitOptions {
  tif?: TimeInForce;
  postOnly?: boolean;
  hidden?: boolean;
  /** Iceberg: shares shown at a time (0 or absent: show everything). */
  display?: number;
  /** Opaque participant number carried into trade events (0 = anonymous background flow). */
  owner?: number;
}

class Level {
  constructor(readonly idx: number) {}
  price = 0;
  visHead = -1;
  visTail = -1;
  hidHead = -1;
  hidTail = -1;
  /** Displayed quantity at this price. */
  visQty = 0;
  /** Non-displayed quantity: hidden orders and iceberg reserves. */
  hidQty = 0;
  /** Live orders at this price. */
  count = 0;
}

const NONE = -1;
const DENSE_IDS = 1 << 24;
// record layout: doubles at f[slot*8 + k], int32s at i[slot*16 + k] (int32 index 10 = byte 40, after the doubles)
const RECORD_BYTES = 64;
const F_ID = 0;
const F_PRICE = 1;
const F_QTY = 2; // quantity in its queue (the shown slice for an iceberg)
const F_RESERVE = 3; // iceberg reserve not shown
const F_DISPLAY = 4; // iceberg slice size, 0 if not an iceberg
const I_NEXT = 10;
const I_PREV = 11;
const I_LEVEL = 12;
const I_OWNER = 13;
const I_SIDE = 14;
const I_QUEUE = 15; // IN_VISIBLE or IN_HIDDEN
const IN_VISIBLE = 0;
const IN_HIDDEN = 1;

export interface L2Level {
  price: number;
  qty: number;
  orders: number;
}

/**
 * An L3 limit order book with price-time priority. Integer prices and quantities; no notion of venue or time.
 *
 * Rules (documented here because tests pin them):
 * - Within a price level, displayed quantity trades before non-displayed: the level has a visible FIFO queue and
 *   a hidden FIFO queue, and an aggressor exhausts the visible queue before touching the hidden one.
 * - Hidden orders rest entirely in the hidden queue and never appear in the L2 view.
 * - Icebergs show `display` shares in the visible queue; the reserve is non-displayed. When the shown slice is
 *   used up, a new slice of min(display, reserve) is shown at the back of the visible queue (new time priority).
 * - Partial cancel keeps priority; it takes from the reserve first. Replace keeps priority only when the price is
 *   unchanged and the size does not increase; otherwise the order loses priority and may trade on arrival.
 * - Post-only orders that would take liquidity are rejected (no price sliding). FOK orders that cannot fill in
 *   full against all liquidity (displayed and hidden) at acceptable prices are rejected without trading.
 * - IOC and market orders cancel what they cannot fill at once.
 *
 * Layout: orders live in a pool of fixed 64-byte records addressed by slot, linked into intrusive doubly-linked FIFO lists,
 * so cancel by id is one Map lookup and an O(1) unlink whatever the queue's depth. Each side keeps its price levels
 * in an array sorted with the best price last, so the touch is reached and removed in O(1).
 */
export class OrderBook {
  // ---- order pool: one 64-byte record per slot, read as doubles (f) and as int32s (i) over the same buffer, so
  // that an order's fields share a cache line (random cancels in a large book would otherwise miss once per field)
  private cap: number;
  private buf: ArrayBuffer;
  private f: Float64Array;
  private i: Int32Array;
  /** Levels by index (records refer to their level by index). */
  private readonly levelById: Level[] = [];
  private freeSlots: Int32Array;
  private freeTop = 0;
  /**
   * id → slot. Small, dense integer ids (venues number their orders 1, 2, 3, …) index a table directly, storing
   * slot + 1 (0 = none); the table doubles as such ids arrive, up to DENSE_IDS. Other ids go through a Map.
   */
  private dense = new Int32Array(1024);
  private readonly sparse = new Map<number, number>();
  private live = 0;

  // ---- price levels: index 0 = bids, 1 = asks; each array sorted with the best price last ----
  private readonly levels: [Level[], Level[]] = [[], []];
  private readonly levelAt: [Map<number, Level>, Map<number, Level>] = [new Map(), new Map()];
  private readonly levelPool: Level[] = [];

  private listener: TradeListener | null;

  /** Quantity traded by the last limit()/market()/replace() call. */
  lastTraded = 0;
  /** Quantity left resting by the last limit()/replace() call. */
  lastRested = 0;

  constructor(listener: TradeListener | null = null, initialCapacity = 1024) {
    this.listener = listener;
    this.cap = 0;
    this.buf = new ArrayBuffer(0);
    this.f = new Float64Array(0);
    this.i = new Int32Array(0);
    this.freeSlots = new Int32Array(0);
    this.grow(Math.max(16, initialCapacity));
  }

  setListener(listener: TradeListener | null): void {
    this.listener = listener;
  }

  // ------------------------------------------------------------------ commands

  /**
   * A limit order. Trades what it can at prices no worse than `price`, then (GTC) rests the remainder.
   * Returns a BookResult; `lastTraded` and `lastRested` tell the quantities.
   */
  limit(id: number, side: Side, price: number, qty: number, opts?: LimitOptions): BookResult {
    this.lastTraded = 0;
    this.lastRested = 0;
    const tif = opts?.tif ?? GTC;
    if (!(qty > 0) || !Number.isInteger(qty) || !Number.isInteger(price)) return REJECTED_INVALID;
    if (this.slotFor(id) !== NONE) return REJECTED_DUPLICATE_ID;
    const display = opts?.display ?? 0;
    if (display < 0 || !Number.isInteger(display)) return REJECTED_INVALID;
    const owner = opts?.owner ?? 0;
    if (opts?.postOnly && this.crosses(side, price)) return REJECTED_POST_ONLY;
    if (tif === FOK && this.available(side, price, qty) < qty) return REJECTED_FOK;

    const left = this.match(id, side, price, qty, owner);
    const traded = qty - left;
    this.lastTraded = traded;
    if (left === 0) return FILLED;
    if (tif !== GTC) return PARTIAL_CANCELLED;
    this.rest(id, side, price, left, opts?.hidden === true, display > 0 && display < left ? display : 0, owner);
    this.lastRested = left;
    return traded > 0 ? PARTIAL_RESTED : RESTED;
  }

  /** A market order: trades up to `qty` at any price; the remainder is cancelled. Returns the quantity traded. */
  market(id: number, side: Side, qty: number, owner = 0): number {
    this.lastRested = 0;
    if (!(qty > 0) || !Number.isInteger(qty)) {
      this.lastTraded = 0;
      return 0;
    }
    const left = this.match(id, side, side === BUY ? Infinity : -Infinity, qty, owner);
    this.lastTraded = qty - left;
    return this.lastTraded;
  }

  /** Cancels the whole order. Returns the quantity removed (displayed + reserve), 0 if the id is not live. */
  cancel(id: number): number {
    const slot = this.slotFor(id);
    if (slot === NONE) return 0;
    const removed = this.f[(slot << 3) + F_QTY]! + this.f[(slot << 3) + F_RESERVE]!;
    this.removeOrder(slot);
    return removed;
  }

  /**
   * Partial cancel: reduces the order by `by` shares, keeping its queue position. Takes from an iceberg's reserve
   * first. Reducing to zero or below cancels the order. Returns the quantity removed.
   */
  reduce(id: number, by: number): number {
    const slot = this.slotFor(id);
    if (slot === NONE || !(by > 0)) return 0;
    const leaves = this.f[(slot << 3) + F_QTY]! + this.f[(slot << 3) + F_RESERVE]!;
    if (by >= leaves) {
      this.removeOrder(slot);
      return leaves;
    }
    const level = this.levelById[this.i[(slot << 4) + I_LEVEL]!]!;
    let rest = by;
    const fromReserve = Math.min(rest, this.f[(slot << 3) + F_RESERVE]!);
    if (fromReserve > 0) {
      this.f[(slot << 3) + F_RESERVE] = this.f[(slot << 3) + F_RESERVE]! - fromReserve;
      level.hidQty -= fromReserve;
      rest -= fromReserve;
    }
    if (rest > 0) {
      this.f[(slot << 3) + F_QTY] = this.f[(slot << 3) + F_QTY]! - rest;
      if (this.i[(slot << 4) + I_QUEUE] === IN_VISIBLE) level.visQty -= rest;
      else level.hidQty -= rest;
    }
    return by;
  }

  /**
   * Cancel/replace. Same price and no size increase: a partial cancel that keeps priority. Otherwise the order
   * is taken out and re-entered at the back of the queue at its new price (keeping its side, owner, hidden flag
   * and display size), where it may trade at once.
   */
  replace(id: number, newPrice: number, newQty: number): BookResult {
    this.lastTraded = 0;
    this.lastRested = 0;
    const slot = this.slotFor(id);
    if (slot === NONE) return REJECTED_UNKNOWN_ID;
    if (!(newQty > 0) || !Number.isInteger(newQty) || !Number.isInteger(newPrice)) return REJECTED_INVALID;
    const leaves = this.f[(slot << 3) + F_QTY]! + this.f[(slot << 3) + F_RESERVE]!;
    if (newPrice === this.f[(slot << 3) + F_PRICE] && newQty <= leaves) {
      if (newQty < leaves) this.reduce(id, leaves - newQty);
      this.lastRested = newQty;
      return RESTED;
    }
    const side = this.i[(slot << 4) + I_SIDE] as Side;
    const owner = this.i[(slot << 4) + I_OWNER]!;
    const hidden = this.i[(slot << 4) + I_QUEUE] === IN_HIDDEN;
    const display = this.f[(slot << 3) + F_DISPLAY]!;
    this.removeOrder(slot);
    return this.limit(id, side, newPrice, newQty, { hidden, display, owner });
  }

  // ------------------------------------------------------------------ queries

  has(id: number): boolean {
    return this.slotFor(id) !== NONE;
  }

  /** Remaining quantity of a live order (shown + reserve), 0 if not live. */
  leaves(id: number): number {
    const slot = this.slotFor(id);
    return slot === NONE ? 0 : this.f[(slot << 3) + F_QTY]! + this.f[(slot << 3) + F_RESERVE]!;
  }

  /** Owner of a live order (0 = anonymous background flow), -1 if not live. */
  ownerOf(id: number): number {
    const slot = this.slotFor(id);
    return slot === NONE ? -1 : this.i[(slot << 4) + I_OWNER]!;
  }

  /** Price of a live order, NaN if not live. */
  priceOf(id: number): number {
    const slot = this.slotFor(id);
    return slot === NONE ? NaN : this.f[(slot << 3) + F_PRICE]!;
  }

  get orderCount(): number {
    return this.live;
  }

  /** Best displayed bid price, or NaN when no bid is displayed. */
  bestBid(): number {
    return this.bestDisplayed(BUY);
  }

  /** Best displayed ask price, or NaN when no ask is displayed. */
  bestAsk(): number {
    return this.bestDisplayed(SELL);
  }

  /** Displayed quantity at the best displayed price of a side (0 if none). */
  bestQty(side: Side): number {
    const lv = this.levels[side];
    for (let i = lv.length - 1; i >= 0; i--) if (lv[i]!.visQty > 0) return lv[i]!.visQty;
    return 0;
  }

  /** Best price on a side counting hidden liquidity, NaN if the side is empty. */
  bestPriceInclHidden(side: Side): number {
    const lv = this.levels[side];
    return lv.length === 0 ? NaN : lv[lv.length - 1]!.price;
  }

  /** The top `n` displayed levels of a side, best first (levels holding only hidden quantity are skipped). */
  depth(side: Side, n: number): L2Level[] {
    const out: L2Level[] = [];
    const lv = this.levels[side];
    for (let i = lv.length - 1; i >= 0 && out.length < n; i--) {
      const l = lv[i]!;
      if (l.visQty > 0) out.push({ price: l.price, qty: l.visQty, orders: this.countVisible(l) });
    }
    return out;
  }

  /**
   * The top displayed levels of a side, best first, written into caller-owned arrays (no allocation: for hot
   * loops such as replay verification). Returns how many were written (at most n).
   */
  displayedLevels(side: Side, n: number, prices: Float64Array, qtys: Float64Array): number {
    const lv = this.levels[side];
    let k = 0;
    for (let i = lv.length - 1; i >= 0 && k < n; i--) {
      const l = lv[i]!;
      if (l.visQty > 0) {
        prices[k] = l.price;
        qtys[k++] = l.visQty;
      }
    }
    return k;
  }

  /** Displayed quantity at one price on one side that belongs to orders with an owner (not the background flow). */
  visibleOwnedAt(side: Side, price: number): number {
    const l = this.levelAt[side].get(price);
    if (l === undefined) return 0;
    let q = 0;
    for (let s = l.visHead; s !== NONE; s = this.i[(s << 4) + I_NEXT]!) {
      if (this.i[(s << 4) + I_OWNER] !== 0) q += this.f[(s << 3) + F_QTY]!;
    }
    return q;
  }

  /** The number of displayed background orders (owner 0) at one price on one side. */
  anonymousAt(side: Side, price: number): number {
    const l = this.levelAt[side].get(price);
    if (l === undefined) return 0;
    let n = 0;
    for (let s = l.visHead; s !== NONE; s = this.i[(s << 4) + I_NEXT]!) if (this.i[(s << 4) + I_OWNER] === 0) n++;
    return n;
  }

  /** The id of the k-th displayed background order (owner 0, in priority order) at a price, NaN if there are not k + 1. */
  anonymousOrderAt(side: Side, price: number, k: number): number {
    const l = this.levelAt[side].get(price);
    if (l === undefined) return NaN;
    for (let s = l.visHead; s !== NONE; s = this.i[(s << 4) + I_NEXT]!) {
      if (this.i[(s << 4) + I_OWNER] === 0 && k-- === 0) return this.f[(s << 3) + F_ID]!;
    }
    return NaN;
  }

  /** Displayed quantity at one price on one side. */
  visibleAt(side: Side, price: number): number {
    const l = this.levelAt[side].get(price);
    return l === undefined ? 0 : l.visQty;
  }

  /** Total quantity (displayed and not) at one price on one side. */
  totalAt(side: Side, price: number): number {
    const l = this.levelAt[side].get(price);
    return l === undefined ? 0 : l.visQty + l.hidQty;
  }

  /** Order ids at a price in execution priority: visible queue, then hidden queue. */
  queue(side: Side, price: number): number[] {
    const l = this.levelAt[side].get(price);
    const out: number[] = [];
    if (l === undefined) return out;
    for (let s = l.visHead; s !== NONE; s = this.i[(s << 4) + I_NEXT]!) out.push(this.f[(s << 3) + F_ID]!);
    for (let s = l.hidHead; s !== NONE; s = this.i[(s << 4) + I_NEXT]!) out.push(this.f[(s << 3) + F_ID]!);
    return out;
  }

  /** Total quantity resting on a side, displayed and not. */
  sideQty(side: Side): number {
    let t = 0;
    for (const l of this.levels[side]) t += l.visQty + l.hidQty;
    return t;
  }

  /** Verifies internal consistency; throws on the first violation. For tests and debugging, O(orders). */
  checkInvariants(): void {
    let orders = 0;
    for (const side of [BUY, SELL] as Side[]) {
      const lv = this.levels[side];
      for (let i = 0; i < lv.length; i++) {
        const l = lv[i]!;
        if (i > 0) {
          const prev = lv[i - 1]!.price;
          if (side === BUY ? !(prev < l.price) : !(prev > l.price)) throw new Error(`levels out of order at ${l.price}`);
        }
        if (this.levelAt[side].get(l.price) !== l) throw new Error(`level map mismatch at ${l.price}`);
        let vis = 0;
        let hid = 0;
        let count = 0;
        for (const [head, queue] of [
          [l.visHead, IN_VISIBLE],
          [l.hidHead, IN_HIDDEN],
        ] as const) {
          let prev = NONE;
          for (let s = head; s !== NONE; s = this.i[(s << 4) + I_NEXT]!) {
            if (this.i[(s << 4) + I_PREV] !== prev) throw new Error(`broken link at order ${this.f[(s << 3) + F_ID]}`);
            if (this.levelById[this.i[(s << 4) + I_LEVEL]!]! !== l || this.i[(s << 4) + I_QUEUE] !== queue || this.i[(s << 4) + I_SIDE] !== side) {
              throw new Error(`order ${this.f[(s << 3) + F_ID]} filed in the wrong queue`);
            }
            if (!(this.f[(s << 3) + F_QTY]! > 0)) throw new Error(`order ${this.f[(s << 3) + F_ID]} has no quantity in its queue`);
            if (queue === IN_VISIBLE) vis += this.f[(s << 3) + F_QTY]!;
            else hid += this.f[(s << 3) + F_QTY]!;
            hid += this.f[(s << 3) + F_RESERVE]!;
            count++;
            prev = s;
          }
          if ((queue === IN_VISIBLE ? l.visTail : l.hidTail) !== prev) throw new Error(`bad tail at ${l.price}`);
        }
        if (vis !== l.visQty || hid !== l.hidQty || count !== l.count || count === 0) {
          throw new Error(`level totals wrong at ${l.price}`);
        }
        orders += count;
      }
    }
    if (orders !== this.live) throw new Error(`order count ${orders} != ${this.live}`);
    const bb = this.bestPriceInclHidden(BUY);
    const ba = this.bestPriceInclHidden(SELL);
    if (bb >= ba) throw new Error(`book crossed: ${bb} >= ${ba}`);
  }

  // ------------------------------------------------------------------ internals

  private bestDisplayed(side: Side): number {
    const lv = this.levels[side];
    for (let i = lv.length - 1; i >= 0; i--) if (lv[i]!.visQty > 0) return lv[i]!.price;
    return NaN;
  }

  private countVisible(l: Level): number {
    let n = 0;
    for (let s = l.visHead; s !== NONE; s = this.i[(s << 4) + I_NEXT]!) n++;
    return n;
  }

  private crosses(side: Side, price: number): boolean {
    const opp = this.levels[side ^ 1]!;
    if (opp.length === 0) return false;
    const best = opp[opp.length - 1]!.price;
    return side === BUY ? price >= best : price <= best;
  }

  /** Quantity on the other side at prices acceptable to `price`, counting up to `need`. */
  private available(side: Side, price: number, need: number): number {
    const opp = this.levels[side ^ 1]!;
    let total = 0;
    for (let i = opp.length - 1; i >= 0 && total < need; i--) {
      const l = opp[i]!;
      if (side === BUY ? l.price > price : l.price < price) break;
      total += l.visQty + l.hidQty;
    }
    return total;
  }

  /** Matches an incoming order against the other side; returns the quantity left unfilled. */
  private match(takerId: number, side: Side, limit: number, qty: number, takerOwner: number): number {
    const oppSide = (side ^ 1) as Side;
    const opp = this.levels[oppSide];
    const isBuy = side === BUY;
    let left = qty;
    while (left > 0 && opp.length > 0) {
      const level = opp[opp.length - 1]!;
      const px = level.price;
      if (isBuy ? px > limit : px < limit) break;
      // displayed queue first, then non-displayed
      while (left > 0 && level.visHead !== NONE) {
        const s = level.visHead;
        const avail = this.f[(s << 3) + F_QTY]!;
        const fill = avail < left ? avail : left;
        left -= fill;
        level.visQty -= fill;
        const rem = avail - fill;
        this.f[(s << 3) + F_QTY] = rem;
        const makerId = this.f[(s << 3) + F_ID]!;
        const makerOwner = this.i[(s << 4) + I_OWNER]!;
        const leaves = rem + this.f[(s << 3) + F_RESERVE]!;
        if (rem === 0) {
          if (leaves > 0) {
            this.refill(s, level);
          } else {
            this.removeOrder(s);
          }
        }
        if (this.listener !== null) {
          this.listener.onTrade(makerId, takerId, px, fill, side, makerOwner, takerOwner, leaves);
        }
      }
      while (left > 0 && level.hidHead !== NONE) {
        const s = level.hidHead;
        const avail = this.f[(s << 3) + F_QTY]!;
        const fill = avail < left ? avail : left;
        left -= fill;
        level.hidQty -= fill;
        const rem = avail - fill;
        this.f[(s << 3) + F_QTY] = rem;
        const makerId = this.f[(s << 3) + F_ID]!;
        const makerOwner = this.i[(s << 4) + I_OWNER]!;
        if (rem === 0) this.removeOrder(s);
        if (this.listener !== null) {
          this.listener.onTrade(makerId, takerId, px, fill, side, makerOwner, takerOwner, rem);
        }
      }
    }
    return left;
  }

  /** An iceberg's shown slice is used up: show the next slice at the back of the visible queue. */
  private refill(s: number, level: Level): void {
    const slice = Math.min(this.f[(s << 3) + F_DISPLAY]!, this.f[(s << 3) + F_RESERVE]!);
    this.f[(s << 3) + F_RESERVE] = this.f[(s << 3) + F_RESERVE]! - slice;
    level.hidQty -= slice;
    level.visQty += slice;
    this.f[(s << 3) + F_QTY] = slice;
    if (level.visTail !== s) {
      this.unlink(s, level);
      this.append(s, level, IN_VISIBLE);
    }
  }

  private rest(id: number, side: Side, price: number, qty: number, hidden: boolean, display: number, owner: number): void {
    const s = this.allocSlot();
    this.f[(s << 3) + F_ID] = id;
    this.f[(s << 3) + F_PRICE] = price;
    this.i[(s << 4) + I_SIDE] = side;
    this.i[(s << 4) + I_OWNER] = owner;
    this.f[(s << 3) + F_DISPLAY] = hidden ? 0 : display;
    const level = this.getOrCreateLevel(side, price);
    if (hidden) {
      this.f[(s << 3) + F_QTY] = qty;
      this.f[(s << 3) + F_RESERVE] = 0;
      level.hidQty += qty;
      this.append(s, level, IN_HIDDEN);
    } else if (display > 0) {
      this.f[(s << 3) + F_QTY] = display;
      this.f[(s << 3) + F_RESERVE] = qty - display;
      level.visQty += display;
      level.hidQty += qty - display;
      this.append(s, level, IN_VISIBLE);
    } else {
      this.f[(s << 3) + F_QTY] = qty;
      this.f[(s << 3) + F_RESERVE] = 0;
      level.visQty += qty;
      this.append(s, level, IN_VISIBLE);
    }
    level.count++;
    this.bind(id, s);
  }

  private append(s: number, level: Level, queue: number): void {
    this.i[(s << 4) + I_QUEUE] = queue;
    this.i[(s << 4) + I_LEVEL] = level.idx;
    this.i[(s << 4) + I_NEXT] = NONE;
    if (queue === IN_VISIBLE) {
      const t = level.visTail;
      this.i[(s << 4) + I_PREV] = t;
      if (t === NONE) level.visHead = s;
      else this.i[(t << 4) + I_NEXT] = s;
      level.visTail = s;
    } else {
      const t = level.hidTail;
      this.i[(s << 4) + I_PREV] = t;
      if (t === NONE) level.hidHead = s;
      else this.i[(t << 4) + I_NEXT] = s;
      level.hidTail = s;
    }
  }

  private unlink(s: number, level: Level): void {
    const p = this.i[(s << 4) + I_PREV]!;
    const n = this.i[(s << 4) + I_NEXT]!;
    const visible = this.i[(s << 4) + I_QUEUE] === IN_VISIBLE;
    if (p === NONE) {
      if (visible) level.visHead = n;
      else level.hidHead = n;
    } else this.i[(p << 4) + I_NEXT] = n;
    if (n === NONE) {
      if (visible) level.visTail = p;
      else level.hidTail = p;
    } else this.i[(n << 4) + I_PREV] = p;
  }

  private removeOrder(s: number): void {
    const level = this.levelById[this.i[(s << 4) + I_LEVEL]!]!;
    if (this.i[(s << 4) + I_QUEUE] === IN_VISIBLE) level.visQty -= this.f[(s << 3) + F_QTY]!;
    else level.hidQty -= this.f[(s << 3) + F_QTY]!;
    level.hidQty -= this.f[(s << 3) + F_RESERVE]!;
    this.unlink(s, level);
    level.count--;
    if (level.count === 0) this.removeLevel(this.i[(s << 4) + I_SIDE] as Side, level);
    this.unbind(this.f[(s << 3) + F_ID]!);
    this.i[(s << 4) + I_LEVEL] = -1;
    this.freeSlots[this.freeTop++] = s;
  }

  private getOrCreateLevel(side: Side, price: number): Level {
    const map = this.levelAt[side];
    const found = map.get(price);
    if (found !== undefined) return found;
    let level = this.levelPool.pop();
    if (level === undefined) {
      level = new Level(this.levelById.length);
      this.levelById.push(level);
    }
    level.price = price;
    level.visHead = level.visTail = level.hidHead = level.hidTail = NONE;
    level.visQty = level.hidQty = level.count = 0;
    map.set(price, level);
    const lv = this.levels[side];
    // New levels are mostly at or near the touch, the end of the array: search from there.
    let i = lv.length;
    if (side === BUY) {
      if (i > 0 && lv[i - 1]!.price > price) i = this.searchBids(lv, price);
    } else if (i > 0 && lv[i - 1]!.price < price) i = this.searchAsks(lv, price);
    if (i === lv.length) lv.push(level);
    else lv.splice(i, 0, level);
    return level;
  }

  /** Index at which a bid level of `price` belongs (ascending prices). */
  private searchBids(lv: Level[], price: number): number {
    let lo = 0;
    let hi = lv.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lv[mid]!.price < price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index at which an ask level of `price` belongs (descending prices). */
  private searchAsks(lv: Level[], price: number): number {
    let lo = 0;
    let hi = lv.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lv[mid]!.price > price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private removeLevel(side: Side, level: Level): void {
    this.levelAt[side].delete(level.price);
    const lv = this.levels[side];
    const last = lv.length - 1;
    if (lv[last] === level) lv.pop();
    else {
      const i = side === BUY ? this.searchBids(lv, level.price) : this.searchAsks(lv, level.price);
      lv.splice(i, 1);
    }
    this.levelPool.push(level);
  }

  private slotFor(id: number): number {
    if (id >= 0 && id < this.dense.length && (id | 0) === id) {
      const d = this.dense[id]!;
      if (d !== 0) return d - 1;
    }
    const s = this.sparse.get(id);
    return s === undefined ? NONE : s;
  }

  private bind(id: number, s: number): void {
    this.live++;
    if (id >= 0 && (id | 0) === id && id < DENSE_IDS) {
      if (id >= this.dense.length && id < 2 * this.dense.length) this.growDense();
      if (id < this.dense.length) {
        this.dense[id] = s + 1;
        return;
      }
    }
    this.sparse.set(id, s); // large or scattered ids: a table indexed by them would be mostly empty
  }

  /** Doubles the direct table while ids keep coming densely; ids now within it move over from the Map. */
  private growDense(): void {
    const d = new Int32Array(Math.min(DENSE_IDS, this.dense.length * 2));
    d.set(this.dense);
    this.dense = d;
    for (const [id, s] of this.sparse) {
      if (id >= 0 && id < d.length && (id | 0) === id) {
        d[id] = s + 1;
        this.sparse.delete(id);
      }
    }
  }

  private unbind(id: number): void {
    this.live--;
    if (id >= 0 && id < this.dense.length && (id | 0) === id && this.dense[id] !== 0) this.dense[id] = 0;
    else this.sparse.delete(id);
  }

  private allocSlot(): number {
    if (this.freeTop === 0) this.grow(this.cap * 2);
    return this.freeSlots[--this.freeTop]!;
  }

  private grow(newCap: number): void {
    const old = this.cap;
    const buf = new ArrayBuffer(newCap * RECORD_BYTES);
    new Uint8Array(buf).set(new Uint8Array(this.buf));
    this.buf = buf;
    this.f = new Float64Array(buf);
    this.i = new Int32Array(buf);
    const free = new Int32Array(newCap);
    free.set(this.freeSlots.subarray(0, this.freeTop));
    // push new slots so the lowest index is handed out first
    for (let s = newCap - 1; s >= old; s--) free[this.freeTop++] = s;
    this.freeSlots = free;
    this.cap = newCap;
  }
}

export { IOC, FOK, GTC };
