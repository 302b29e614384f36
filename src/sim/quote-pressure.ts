import { NS_PER_SECOND } from '../core/types.js';

/**
 * What a day's imbalance of the best queues, I = (bid size − ask size) / (bid size + ask size), says about its mid:
 * the mid's mean move over the next `horizonSeconds` from a state with imbalance near each centre, less the day's
 * mean move (price units). Fitted from a LOBSTER day (data/quote-pressure.ts); used to price a participant's
 * display where the day's own events cannot react to it.
 */
export interface QuotePressure {
  horizonSeconds: number;
  /** Ascending points on the imbalance axis (the centres of the buckets it was fitted on). */
  centres: number[];
  /** The mean move at each centre, price units. */
  move: number[];
}

/** g(I): the fitted move at imbalance I, linear between the centres and flat beyond the outer ones. */
export function pressureMove(fit: QuotePressure, imbalance: number): number {
  const c = fit.centres;
  const m = fit.move;
  if (imbalance <= c[0]!) return m[0]!;
  for (let b = 1; b < c.length; b++) {
    if (imbalance <= c[b]!) {
      const w = (imbalance - c[b - 1]!) / (c[b]! - c[b - 1]!);
      return m[b - 1]! + w * (m[b]! - m[b - 1]!);
    }
  }
  return m[m.length - 1]!;
}

/**
 * How fast a participant's display moves the price while it stays, price units per nanosecond: the fitted move at
 * the imbalance with its shares less the move at the imbalance without them, spread over the horizon so that a
 * display held for the horizon leaves that difference once the impact kernel has done its decaying
 * (`accumulatedSeconds` is ∫₀ʰ G(τ) dτ of the impact model it is pushed into).
 */
export function pressureRate(fit: QuotePressure, accumulatedSeconds: number, bidQty: number, askQty: number, ownBid: number, ownAsk: number): number {
  if (ownBid + ownAsk <= 0 || !(accumulatedSeconds > 0)) return 0;
  const without = bidQty + askQty > 0 ? (bidQty - askQty) / (bidQty + askQty) : 0;
  const withOwn = (bidQty + ownBid - askQty - ownAsk) / (bidQty + ownBid + askQty + ownAsk);
  return (pressureMove(fit, withOwn) - pressureMove(fit, without)) / (accumulatedSeconds * NS_PER_SECOND);
}
