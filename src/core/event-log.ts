/**
 * Where a simulation records what happened, one numeric record per event. The simulator hashes the log
 * (determinism checks) and may keep it; a record is a kind code, the time and up to six numbers.
 */
export interface EventSink {
  record(kind: number, time: number, a: number, b: number, c: number, d: number, e: number, f: number): void;
}

/** Event kinds in the log. */
export const EV_ADD = 1; // venue, order id, side, price, qty, owner
export const EV_CANCEL = 2; // venue, order id, removed qty
export const EV_TRADE = 3; // venue, maker id, taker id, price, qty, taker side
export const EV_REJECT = 4; // venue, order id, reason
export const EV_DARK_ADD = 5; // venue, order id, side, qty, min qty, owner
export const EV_DARK_TRADE = 6; // venue, buy id, sell id, price, qty
export const EV_DARK_CANCEL = 7; // venue, order id, removed qty
export const EV_REPLACE = 8; // venue, order id, price, qty

import { Hash64 } from './hash.js';

/** An EventSink that keeps only a running hash and a count. */
export class HashingSink implements EventSink {
  private readonly hash = new Hash64();
  count = 0;
  record(kind: number, time: number, a: number, b: number, c: number, d: number, e: number, f: number): void {
    const h = this.hash;
    h.word(kind);
    h.num(time);
    h.num(a);
    h.num(b);
    h.num(c);
    h.num(d);
    h.num(e);
    h.num(f);
    this.count++;
  }
  hex(): string {
    return this.hash.hex();
  }
}
