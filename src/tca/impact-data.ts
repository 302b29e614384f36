import { Hash64 } from '../core/hash.js';
import { NS_PER_MINUTE } from '../core/types.js';
import { clockToNs } from '../sim/scenario.js';
import type { ImpactExample } from '../models/impact.js';
import { VwapSchedule } from '../router/schedulers.js';
import { runBacktest, type BacktestSpec } from './backtest.js';

/**
 * Examples of metaorder impact from backtests: each parent order of the batch, traded by one policy, against the
 * same market without it; the target is the impact at the end of its horizon (bps, + = against the order).
 */
export async function impactExamples(
  spec: BacktestSpec,
  workers: number,
): Promise<{ examples: ImpactExample[]; hash: string; orders: { seed: number; start: number; qty: number }[] }> {
  const results = await runBacktest(spec, { workers });
  const open = clockToNs(spec.scenario.start);
  const examples: ImpactExample[] = [];
  const orders: { seed: number; start: number; qty: number }[] = [];
  for (const r of results) {
    const run = r.runs[0]!;
    if (!Number.isFinite(run.end_impact_bps)) continue;
    const f = r.order.qty / spec.adv;
    // participation as it can be known at the start: the order over the volume the profile expects in its horizon
    const expected = spec.adv * profileShare(spec, r.order.start, r.order.end);
    examples.push({
      x: [Math.sqrt(f), f, r.order.qty / (expected + r.order.qty), run.arrival_spread_bps, (r.order.start - open) / NS_PER_MINUTE / 390, r.order.side === 0 ? 1 : -1],
      y: run.end_impact_bps,
    });
    orders.push({ seed: r.order.seed, start: r.order.start, qty: r.order.qty });
  }
  const h = new Hash64();
  for (const e of examples) {
    for (const v of e.x) h.num(v);
    h.num(e.y);
  }
  return { examples, hash: h.hex(), orders };
}

/** The share of a day's volume the intraday profile expects between two times. */
function profileShare(spec: BacktestSpec, start: number, end: number): number {
  const { buckets, openNs, bucketNs } = spec.profile;
  const v = new VwapSchedule(1, start, end, buckets, openNs, bucketNs);
  const day = v.volumeTo(Infinity);
  return day > 0 ? (v.volumeTo(end) - v.volumeTo(start)) / day : 0;
}
