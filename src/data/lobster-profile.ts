import { EMPTY_ASK, EMPTY_BID, readLobster, resolvePair } from './lobster.js';

/**
 * The shape of a LOBSTER day's order flow, as the book benchmark needs it: shares of each event type, size
 * histograms, and where new limit orders arrive relative to the touch. Only statistics leave the data.
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

export function profileFromLobster(folder: string, tick = 100): FlowProfile {
  const events = { add: 0, partialCancel: 0, cancel: 0, execute: 0, hiddenExecute: 0 };
  const addSizes = new Map<number, number>();
  const execSizes = new Map<number, number>();
  const dist = new Map<number, number>();
  const bump = (m: Map<number, number>, k: number): void => void m.set(k, (m.get(k) ?? 0) + 1);
  const twoSided = (ask: number, bid: number) => ask !== EMPTY_ASK && bid !== EMPTY_BID;
  let prev: Float64Array | null = null;
  let rows = 0;
  let spread = 0;
  let bidQty = 0;
  let askQty = 0;
  readLobster(resolvePair(folder), (m, book) => {
    switch (m.type) {
      case 1: {
        events.add++;
        bump(addSizes, m.size);
        if (prev) {
          const ask = prev[0]!;
          const bid = prev[2]!;
          const away = m.direction === 1 ? (ask - m.price) / tick : (m.price - bid) / tick;
          if (twoSided(ask, bid) && Number.isInteger(away)) bump(dist, away);
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
        bump(execSizes, m.size);
        break;
      case 5:
        events.hiddenExecute++;
        break;
    }
    prev = Float64Array.from(book.subarray(0, 4));
    if (twoSided(book[0]!, book[2]!)) {
      rows++;
      spread += (book[0]! - book[2]!) / tick;
      bidQty += book[3]!;
      askQty += book[1]!;
    }
  });
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
