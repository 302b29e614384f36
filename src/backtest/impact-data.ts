import { Hash64 } from '../core/hash.js';
import { clockToNs } from '../sim/scenario.js';
import { impactInputs, type ChannelExample, type ImpactExample } from '../models/impact.js';
import { expectedVolume, ProfileCurve } from '../router/schedulers.js';
import type { OrderResult } from '../tca/results.js';
import { progress } from '../core/progress.js';
import { runBacktest } from './pool.js';
import type { BacktestOrder, BacktestSpec } from './spec.js';

/**
 * Examples of metaorder impact from backtests: each parent order of the batch, traded by the first policy, against
 * the same market without it; the target is the impact at the end of its horizon (bps, + = against the order). And
 * from every run of every policy, the impact part of its shortfall by how its shares were filled (`channels`).
 */
export async function impactExamples(
  spec: BacktestSpec,
  workers: number,
): Promise<{ examples: ImpactExample[]; hash: string; orders: { seed: number; start: number; qty: number }[]; channels: ChannelExample[] }> {
  const results = await runBacktest(spec, { workers, onProgress: (d, n) => progress(`backtest orders (${spec.policies.join(', ')})`, d, n) });
  const channels = channelExamples(results, spec.adv);
  const examples: ImpactExample[] = [];
  const curve = new ProfileCurve(spec.profile);
  const orders: { seed: number; start: number; qty: number }[] = [];
  for (const r of results) {
    const run = r.runs[0]!;
    if (!Number.isFinite(run.end_impact_bps)) continue;
    const o = r.order;
    examples.push({ x: impactExampleInputs(spec, o, run.arrival_spread_bps, curve), y: run.end_impact_bps });
    orders.push({ seed: o.seed, start: o.start, qty: o.qty });
  }
  const h = new Hash64();
  for (const e of examples) {
    for (const v of e.x) h.num(v);
    h.num(e.y);
  }
  return { examples, hash: h.hex(), orders, channels };
}

/**
 * The impact model's inputs for a parent order at its start, as training has them: participation as it can be known
 * then, the order over the volume the profile expects in its horizon; the spread at arrival as the run recorded it
 * (rounded to 1e-4 bp).
 */
export function impactExampleInputs(
  spec: Pick<BacktestSpec, 'adv' | 'profile' | 'scenario'>,
  o: Pick<BacktestOrder, 'qty' | 'start' | 'end' | 'side'>,
  arrivalSpreadBps: number,
  curve = new ProfileCurve(spec.profile),
): number[] {
  return impactInputs({
    qty: o.qty,
    adv: spec.adv,
    expectedVolume: expectedVolume(curve, spec.adv, o.start, o.end),
    spreadBps: arrivalSpreadBps,
    t: o.start,
    openNs: clockToNs(spec.scenario.start),
    side: o.side,
  });
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
