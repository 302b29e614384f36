import { roundTo } from '../core/stats.js';
import { NS_PER_SECOND } from '../core/types.js';
import type { QuotePressure } from '../sim/quote-pressure.js';
import { twoSidedRow, type LobsterDay } from './lobster.js';
import { IMBALANCE_EDGES, imbalanceBucket } from './realism.js';

/**
 * What the day's own imbalance of the best queues says about the mid: on a one-second grid, the imbalance
 * I = (bid size − ask size) / (bid size + ask size) of the best queues, and the mid's move over the next
 * `horizonSeconds`, averaged by imbalance bucket (the realism report's five). The mean over all samples is taken
 * out (a day's trend is not the book's pressure).
 */
export interface QuotePressureFit extends QuotePressure {
  /** Its standard error (the samples' sd over √n; neighbouring seconds overlap, so it is a lower bound). */
  se: number[];
  /** Seconds of the day in each bucket. */
  n: number[];
}

export function fitQuotePressure(day: LobsterDay, horizonSeconds = 1): QuotePressureFit {
  const W = 4 * day.pair.levels;
  const B = IMBALANCE_EDGES.length - 1;
  const sum = new Float64Array(B);
  const sq = new Float64Array(B);
  const n = new Float64Array(B);
  const h = horizonSeconds * NS_PER_SECOND;
  /** A cursor over the rows: the last row at or before t, for t that only grow. */
  const cursor = () => {
    let k = 0;
    return (t: number): number => {
      while (k + 1 < day.n && day.timeNs[k + 1]! <= t) k++;
      return k;
    };
  };
  const midOf = (r: number): number => (twoSidedRow(day, r) ? (day.book[r * W]! + day.book[r * W + 2]!) / 2 : NaN);
  const zeros = () => new Array<number>(B).fill(0);
  if (day.n === 0) return { horizonSeconds, centres: centres(), move: zeros(), se: zeros(), n: zeros() };
  const first = day.timeNs[0]!;
  const last = day.timeNs[day.n - 1]!;
  // the state now and the mid h later, read by two cursors
  const rowNow = cursor();
  const rowLater = cursor();
  let all = 0;
  let count = 0;
  for (let t = first; t + h <= last; t += NS_PER_SECOND) {
    const r = rowNow(t);
    const m0 = midOf(r);
    const m1 = midOf(rowLater(t + h));
    if (m0 !== m0 || m1 !== m1) continue;
    const bq = day.book[r * W + 3]!;
    const aq = day.book[r * W + 1]!;
    const b = imbalanceBucket((bq - aq) / (bq + aq));
    sum[b] = sum[b]! + (m1 - m0);
    sq[b] = sq[b]! + (m1 - m0) ** 2;
    n[b]!++;
    all += m1 - m0;
    count++;
  }
  const mean = count > 0 ? all / count : 0;
  return {
    horizonSeconds,
    centres: centres(),
    move: Array.from(sum, (s, b) => (n[b]! > 0 ? roundTo(s / n[b]! - mean, 4) : 0)),
    se: Array.from(sum, (s, b) => (n[b]! > 1 ? roundTo(Math.sqrt(Math.max(0, sq[b]! / n[b]! - (s / n[b]!) ** 2) / n[b]!), 4) : 0)),
    n: Array.from(n),
  };
}

function centres(): number[] {
  return IMBALANCE_EDGES.slice(1).map((e, b) => (e + IMBALANCE_EDGES[b]!) / 2);
}
