import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError, fsDo, IoError, UsageError } from '../core/errors.js';
import { clearProgress, progress } from '../core/progress.js';
import { CsvNumberReader, LobsterFormatError } from './csv-numbers.js';

export { LobsterFormatError };

/**
 * LOBSTER message and orderbook files (lobsterdata.com). A message row is `time, type, order_id, size, price,
 * direction`; orderbook row k is the visible book after message k: for each level i = 1..N, `ask_price_i,
 * ask_size_i, bid_price_i, bid_size_i`, empty levels written as ask 9999999999 / bid -9999999999 with size 0.
 */

export const ADD = 1;
export const PARTIAL_CANCEL = 2;
export const DELETE = 3;
export const EXECUTE = 4;
export const EXECUTE_HIDDEN = 5;
export const CROSS = 6;
export const HALT = 7;

/** Empty-level price markers. */
export const EMPTY_ASK = 9999999999;
export const EMPTY_BID = -9999999999;

export interface LobsterPair {
  message: string;
  orderbook: string;
  /** Levels per side in the orderbook file (N). */
  levels: number;
}

/** One message, reused between rows by the reader (copy what you keep). */
export interface LobsterMessage {
  /** Nanoseconds since midnight, exact. */
  timeNs: number;
  type: number;
  id: number;
  size: number;
  price: number;
  /** 1 = buy limit order, -1 = sell limit order (for executions: the side of the resting order). */
  direction: 1 | -1;
  /** Line in both files (row k of the message file pairs with row k of the orderbook file). */
  line: number;
}

/** The largest size, count or order id a LOBSTER field may hold: the store's INTEGER column (sizes). */
export const MAX_LOBSTER_SIZE = 2 ** 31 - 1;
/** Order ids and prices: exact in a double and in the store's BIGINT columns. */
export const MAX_LOBSTER_INT = Number.MAX_SAFE_INTEGER;
/** Times are seconds after midnight of one day. */
const DAY_NS = 86_400e9;

/**
 * Finds the message and orderbook files of a LOBSTER pair in a folder: `<stem>_message_N.csv` with
 * `<stem>_orderbook_N.csv`. A folder holding none, half of one, or more than one pair is refused with what it holds.
 */
export function findLobsterPair(folder: string): { message: string; orderbook: string } {
  const st = statSync(folder, { throwIfNoEntry: false });
  if (!st) throw new IoError(`${folder}: no such folder`);
  if (!st.isDirectory()) {
    throw new UsageError(`${folder}: a file, not a folder; give the folder holding a LOBSTER pair, or the message file and then the orderbook file`);
  }
  const files = fsDo(folder, 'list the folder', () => readdirSync(folder)).sort();
  const messages = files.filter((f) => /_message_\d+\.csv$/.test(f));
  const pairs = messages.flatMap((m) => {
    const ob = m.replace(/_message_(\d+)\.csv$/, '_orderbook_$1.csv');
    return files.includes(ob) ? [{ message: join(folder, m), orderbook: join(folder, ob) }] : [];
  });
  if (pairs.length === 1) return pairs[0]!;
  if (pairs.length > 1) {
    throw new UsageError(
      `${folder}: holds ${pairs.length} LOBSTER pairs (${pairs.map((p) => basename(p.message)).join(', ')}); give the message file and then the orderbook file of one`,
    );
  }
  const orderbooks = files.filter((f) => /_orderbook_\d+\.csv$/.test(f));
  const held = [...messages, ...orderbooks];
  throw new DataError(`${folder}: no LOBSTER pair (<stem>_message_N.csv with <stem>_orderbook_N.csv)${held.length ? `; unpaired: ${held.join(', ')}` : ''}`);
}

/** A pair given as the folder that holds it, or as its message file and orderbook file. */
export function resolvePair(pathOrFolder: string, orderbook?: string): LobsterPair {
  const files = orderbook === undefined ? findLobsterPair(pathOrFolder) : { message: pathOrFolder, orderbook };
  const m = /_orderbook_(\d+)\.csv$/.exec(basename(files.orderbook));
  let levels = m ? Number(m[1]) : 0;
  if (!(levels > 0)) {
    // not named the LOBSTER way: infer N from the width of the first row
    const r = new CsvNumberReader(files.orderbook);
    const n = r.next(new Float64Array(0));
    r.close();
    if (n <= 0 || n % 4 !== 0) throw new LobsterFormatError(files.orderbook, 1, `expected 4·N fields, found ${n}`);
    levels = n / 4;
  }
  return { ...files, levels };
}

/**
 * Streams a pair: calls onRow(message, bookRow) for every row, checking every field. bookRow holds 4·N numbers.
 * Throws a LobsterFormatError naming the file and line at the first malformed row, after the rows before it
 * have been delivered.
 */
export function readLobster(pair: LobsterPair, onRow: (msg: LobsterMessage, book: Float64Array) => void): number {
  const mr = new CsvNumberReader(pair.message);
  const br = new CsvNumberReader(pair.orderbook);
  const m = new Float64Array(6);
  const width = 4 * pair.levels;
  const book = new Float64Array(width);
  const msg: LobsterMessage = { timeNs: 0, type: 0, id: 0, size: 0, price: 0, direction: 1, line: 0 };
  let rows = 0;
  let lastTime = -Infinity;
  try {
    for (;;) {
      const nm = mr.next(m);
      const nb = br.next(book);
      if (nm === -1 && nb === -1) break;
      if (nm === -1) throw new LobsterFormatError(pair.orderbook, br.line, `more rows than the message file (${rows})`);
      if (nb === -1) throw new LobsterFormatError(pair.message, mr.line, `more rows than the orderbook file (${rows})`);
      const line = mr.line;
      if (nm !== 6) throw new LobsterFormatError(pair.message, line, `expected 6 fields, found ${nm}`);
      if (nb !== width) throw new LobsterFormatError(pair.orderbook, br.line, `expected ${width} fields (4 × ${pair.levels} levels), found ${nb}`);
      const type = m[1]!;
      if (!(type >= 1 && type <= 7 && Number.isInteger(type))) throw new LobsterFormatError(pair.message, line, `field 2 (type) must be 1–7, got ${type}`);
      const dir = m[5]!;
      if (dir !== 1 && dir !== -1) throw new LobsterFormatError(pair.message, line, `field 6 (direction) must be 1 or -1, got ${dir}`);
      for (const [k, name] of [
        [2, 'order_id'],
        [3, 'size'],
        [4, 'price'],
      ] as const) {
        if (!Number.isInteger(m[k]!)) throw new LobsterFormatError(pair.message, line, `field ${k + 1} (${name}) must be an integer, got ${m[k]}`);
      }
      if (m[2]! < 0 || m[2]! > MAX_LOBSTER_INT)
        throw new LobsterFormatError(pair.message, line, `field 3 (order_id) must be 0–${MAX_LOBSTER_INT}, got ${m[2]}`);
      if (m[3]! < 0 || m[3]! > MAX_LOBSTER_SIZE) throw new LobsterFormatError(pair.message, line, `field 4 (size) must be 0–${MAX_LOBSTER_SIZE}, got ${m[3]}`);
      if (type !== HALT && m[4]! <= 0) throw new LobsterFormatError(pair.message, line, `field 5 (price) must be positive, got ${m[4]}`);
      if (Math.abs(m[4]!) > MAX_LOBSTER_INT) throw new LobsterFormatError(pair.message, line, `field 5 (price) is out of range, got ${m[4]}`);
      if (!(mr.firstNs >= 0 && mr.firstNs <= DAY_NS))
        throw new LobsterFormatError(pair.message, line, `field 1 (time) must be seconds after midnight (0–86400)`);
      if (mr.firstNs < lastTime) throw new LobsterFormatError(pair.message, line, 'time goes backwards');
      lastTime = mr.firstNs;
      for (let i = 0; i < width; i++) {
        const v = book[i]!;
        if (!Number.isInteger(v) || ((i & 1) === 1 ? v < 0 || v > MAX_LOBSTER_SIZE : Math.abs(v) > MAX_LOBSTER_INT)) {
          throw new LobsterFormatError(
            pair.orderbook,
            br.line,
            `field ${i + 1} must be ${i & 1 ? `a size 0–${MAX_LOBSTER_SIZE}` : 'an integer price'}, got ${v}`,
          );
        }
      }
      msg.timeNs = mr.firstNs;
      msg.type = type;
      msg.id = m[2]!;
      msg.size = m[3]!;
      msg.price = m[4]!;
      msg.direction = dir;
      msg.line = line;
      rows++;
      if ((rows & 0xffff) === 0 && mr.size > 0) progress(`reading ${basename(pair.message)} (MB)`, Math.round(mr.bytesRead / 1e6), Math.round(mr.size / 1e6));
      onRow(msg, book);
    }
  } finally {
    mr.close();
    br.close();
  }
  clearProgress();
  // a day without events has no book, no prices and no statistics: every consumer would store or print nothing
  if (rows === 0) throw new LobsterFormatError(pair.message, 0, 'no events: the file is empty');
  return rows;
}

/** Whether row `row` of a day has a best bid and a best ask, uncrossed. */
export function twoSidedRow(day: LobsterDay, row: number): boolean {
  const W = 4 * day.pair.levels;
  const ap = day.book[row * W]!;
  const bp = day.book[row * W + 2]!;
  return day.book[row * W + 1]! > 0 && day.book[row * W + 3]! > 0 && ap !== EMPTY_ASK && bp !== EMPTY_BID && bp < ap;
}

/** Reads a whole pair into flat arrays (for benchmarks and repeated passes). */
export interface LobsterDay {
  pair: LobsterPair;
  n: number;
  timeNs: Float64Array;
  type: Uint8Array;
  id: Float64Array;
  size: Float64Array;
  price: Float64Array;
  direction: Int8Array;
  /** n rows of 4·N numbers. */
  book: Float64Array;
  /** A part of the file only (dayWindow): its window, as written. */
  window?: string;
}

export function loadLobster(pair: LobsterPair): LobsterDay {
  let cap = 1 << 16;
  const width = 4 * pair.levels;
  let d: LobsterDay = alloc(pair, cap, width);
  readLobster(pair, (m, b) => {
    if (d.n === cap) {
      cap *= 2;
      const bigger = alloc(pair, cap, width);
      for (const k of ['timeNs', 'type', 'id', 'size', 'price', 'direction', 'book'] as const) (bigger[k] as Float64Array).set(d[k] as Float64Array);
      bigger.n = d.n;
      d = bigger;
    }
    const i = d.n++;
    d.timeNs[i] = m.timeNs;
    d.type[i] = m.type;
    d.id[i] = m.id;
    d.size[i] = m.size;
    d.price[i] = m.price;
    d.direction[i] = m.direction;
    d.book.set(b, i * width);
  });
  return d;
}

/**
 * The rows of a day from `fromNs` to before `toNs` (nanoseconds since midnight), as views of the day's arrays: a
 * part of a day to calibrate on, or to check a calibration against. The first row's book is the window's opening
 * book. A window with fewer than two events is refused, with the file and the window named.
 */
export function dayWindow(day: LobsterDay, fromNs: number, toNs: number, label = `${fromNs / 1e9}-${toNs / 1e9} s`): LobsterDay {
  let a = 0;
  while (a < day.n && day.timeNs[a]! < fromNs) a++;
  let b = a;
  while (b < day.n && day.timeNs[b]! < toNs) b++;
  if (b - a < 2) throw new LobsterFormatError(day.pair.message, 0, `the window ${label} holds ${b - a} event${b - a === 1 ? '' : 's'} of the file's ${day.n}`);
  const W = 4 * day.pair.levels;
  return {
    pair: day.pair,
    n: b - a,
    timeNs: day.timeNs.subarray(a, b),
    type: day.type.subarray(a, b),
    id: day.id.subarray(a, b),
    size: day.size.subarray(a, b),
    price: day.price.subarray(a, b),
    direction: day.direction.subarray(a, b),
    book: day.book.subarray(a * W, b * W),
    window: label,
  };
}

function alloc(pair: LobsterPair, cap: number, width: number): LobsterDay {
  return {
    pair,
    n: 0,
    timeNs: new Float64Array(cap),
    type: new Uint8Array(cap),
    id: new Float64Array(cap),
    size: new Float64Array(cap),
    price: new Float64Array(cap),
    direction: new Int8Array(cap),
    book: new Float64Array(cap * width),
  };
}
