import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The shape of a LOBSTER day's order flow, as the book benchmark needs it: shares of each event type, size
 * histograms, and where new limit orders arrive relative to the same-side touch. Only statistics leave the data.
 */
export interface FlowProfile {
  source: string;
  /** LOBSTER price units per tick. */
  tick: number;
  events: { add: number; partialCancel: number; cancel: number; execute: number; hiddenExecute: number };
  /** [size, count] of new limit orders (type 1). */
  addSizes: [number, number][];
  /** [size, count] of visible executions (type 4). */
  executeSizes: [number, number][];
  /**
   * [ticks from the opposite best, count] of new limit orders, measured on the book before the add (the
   * Cont–Stoikov–Talreja convention: 1 = one tick short of crossing; more than the spread = behind the touch).
   */
  addDistance: [number, number][];
  /** The touch, averaged over events: spread in ticks and displayed size at the best bid and ask. */
  touch: { meanSpreadTicks: number; meanBidQty: number; meanAskQty: number };
}

export class LobsterFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
  }
}

/** Finds the message and orderbook files of a LOBSTER pair in a folder. */
export function findLobsterPair(folder: string): { message: string; orderbook: string } {
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`${folder}: not a folder holding a LOBSTER message/orderbook pair`);
  }
  const files = readdirSync(folder);
  const message = files.find((f) => /_message_\d+\.csv$/.test(f));
  const orderbook = files.find((f) => /_orderbook_\d+\.csv$/.test(f));
  if (!message || !orderbook) throw new Error(`${folder}: no *_message_N.csv and *_orderbook_N.csv pair found`);
  return { message: join(folder, message), orderbook: join(folder, orderbook) };
}

function parseRow(file: string, line: number, text: string, width: number): number[] {
  const parts = text.split(',');
  if (parts.length < width) throw new LobsterFormatError(file, line, `expected ${width} fields, found ${parts.length}`);
  return parts.map((p, i) => {
    const v = Number(p);
    if (p.trim() === '' || !Number.isFinite(v)) throw new LobsterFormatError(file, line, `field ${i + 1} is not a number: "${p}"`);
    return v;
  });
}

export function profileFromLobster(folder: string, tick = 100): FlowProfile {
  const { message, orderbook } = findLobsterPair(folder);
  const msgs = readFileSync(message, 'utf8').split('\n');
  const books = readFileSync(orderbook, 'utf8').split('\n');
  const events = { add: 0, partialCancel: 0, cancel: 0, execute: 0, hiddenExecute: 0 };
  const addSizes = new Map<number, number>();
  const execSizes = new Map<number, number>();
  const dist = new Map<number, number>();
  const bump = (m: Map<number, number>, k: number): void => void m.set(k, (m.get(k) ?? 0) + 1);
  let prevBook: number[] | null = null;
  let rows = 0;
  let spread = 0;
  let bidQty = 0;
  let askQty = 0;
  for (let i = 0; i < msgs.length; i++) {
    if (msgs[i]!.trim() === '') continue;
    const [, type, , size, price, dir] = parseRow(message, i + 1, msgs[i]!, 6) as [number, number, number, number, number, number];
    const book = parseRow(orderbook, i + 1, books[i] ?? '', 4);
    switch (type) {
      case 1: {
        events.add++;
        bump(addSizes, size);
        if (prevBook) {
          const [ask, , bid] = prevBook as [number, number, number];
          const away = dir === 1 ? (ask - price) / tick : (price - bid) / tick;
          if (Math.abs(bid) < 9e9 && Math.abs(ask) < 9e9 && Number.isInteger(away)) bump(dist, away);
        }
        break;
      }
      case 2:
        events.partialCancel++;
        break;
      case 3:
        events.cancel++;
        break;
      case 4:
        events.execute++;
        bump(execSizes, size);
        break;
      case 5:
        events.hiddenExecute++;
        break;
    }
    prevBook = book;
    const [ask, askSize, bid, bidSize] = book as [number, number, number, number];
    if (Math.abs(bid) < 9e9 && Math.abs(ask) < 9e9) {
      rows++;
      spread += (ask - bid) / tick;
      bidQty += bidSize;
      askQty += askSize;
    }
  }
  const sorted = (m: Map<number, number>): [number, number][] => [...m.entries()].sort((a, b) => a[0] - b[0]);
  return {
    source: folder.split('/').filter(Boolean).pop() ?? folder,
    tick,
    events,
    addSizes: sorted(addSizes),
    executeSizes: sorted(execSizes),
    addDistance: sorted(dist),
    touch: {
      meanSpreadTicks: Number((spread / rows).toFixed(2)),
      meanBidQty: Number((bidQty / rows).toFixed(1)),
      meanAskQty: Number((askQty / rows).toFixed(1)),
    },
  };
}
