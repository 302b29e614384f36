import { Hash64 } from '../core/hash.js';
import { NS_PER_MINUTE } from '../core/types.js';
import { clockToNs } from '../sim/scenario.js';
import type { ChannelExample, ImpactExample } from '../models/impact.js';
import { VwapSchedule } from '../router/schedulers.js';
import { runBacktest, type BacktestSpec, type OrderResult } from './backtest.js';

/**
 * Examples of metaorder impact from backtests: each parent order of the batch, traded by the first policy, against
 * the same market without it; the target is the impact at the end of its horizon (bps, + = against the order). And
 * from every run of every policy, the impact part of its shortfall by how its shares were filled (`channels`).
 */
export async function impactExamples(
  spec: BacktestSpec,
  workers: number,
): Promise<{ examples: ImpactExample[]; hash: string; orders: { seed: number; start: number; qty: number }[]; channels: ChannelExample[] }> {
  const results = await runBacktest(spec, { workers });
  const channels = channelExamples(results, spec.adv);
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
  return { examples, hash: h.hex(), orders, channels };
}

/** The share of a day's volume the intraday profile expects between two times. */
function profileShare(spec: BacktestSpec, start: number, end: number): number {
  const { buckets, openNs, bucketNs } = spec.profile;
  const v = new VwapSchedule(1, start, end, buckets, openNs, bucketNs);
  const day = v.volumeTo(Infinity);
  return day > 0 ? (v.volumeTo(end) - v.volumeTo(start)) / day : 0;
}

/**
 * Examples of what each way of filling costs in impact: every run of every policy of a batch (policies that mix
 * taking, resting and dark fills differently), each against the same market without the order.
 */
function channelExamples(results: readonly OrderResult[], adv: number): ChannelExample[] {
  const out: ChannelExample[] = [];
  for (const r of results) {
    for (const run of r.runs) {
      const y = run.shortfall.impact_bps;
      if (!Number.isFinite(y)) continue;
      const c = run.channels;
      const q = c.take + c.post + c.dark;
      if (!(q > 0)) continue;
      const d = Math.sqrt(q * adv);
      out.push({ x: [c.take / d, c.post / d, c.dark / d], y });
    }
  }
  return out;
}
