import { isDeepStrictEqual } from 'node:util';
import { runBacktest } from '../backtest/pool.js';
import { standardSpec } from '../backtest/spec.js';
import type { Scenario } from '../sim/scenario.js';
import type { OrderResult } from '../tca/results.js';

/**
 * The backtester's throughput: a batch of parent orders (1–5 % of daily volume over 30 minutes) under several
 * policies, on worker threads and, side by side, on the main thread alone; the ratio is the workers' speedup, and
 * both must give the same results. The two alternate for `rounds` rounds and each is timed by its fastest round:
 * on a shared machine noise only ever slows a run down.
 */
export async function benchBacktest(
  scenario: Scenario,
  file: string,
  opts: { orders: number; policies: string[]; workers: number; seed: number; rounds?: number },
) {
  const spec = standardSpec(scenario, file, opts.policies, opts.orders, opts.seed);
  const time = async (workers: number): Promise<{ seconds: number; results: OrderResult[] }> => {
    const t = performance.now();
    const results = await runBacktest(spec, { workers });
    return { seconds: (performance.now() - t) / 1e3, results };
  };
  const rounds = Math.max(1, opts.rounds ?? 2);
  const par: number[] = [];
  const one: number[] = [];
  let same = true;
  for (let r = 0; r < rounds; r++) {
    const p = await time(opts.workers);
    const s = await time(1);
    par.push(p.seconds);
    one.push(s.seconds);
    same &&= isDeepStrictEqual(p.results, s.results);
  }
  const parallel = Math.min(...par);
  const single = Math.min(...one);
  // each order runs once per policy and once without the order (the baseline)
  const runs = opts.orders * (opts.policies.length + 1);
  const simMinutes = runs * (spec.warmupMinutes + spec.horizonMinutes + 62 / 60);
  return {
    benchmark: 'backtest',
    scenario: scenario.name,
    orders: opts.orders,
    policies: opts.policies,
    workers: opts.workers,
    node: process.version,
    rounds,
    parallel: {
      wall_seconds: round(parallel),
      parent_orders_per_sec: round(opts.orders / parallel),
      policy_runs_per_sec: round(runs / parallel),
      simulated_market_minutes_per_sec: Math.round(simMinutes / parallel),
      rounds_wall_seconds: par.map(round),
    },
    single_thread: { wall_seconds: round(single), parent_orders_per_sec: round(opts.orders / single), rounds_wall_seconds: one.map(round) },
    speedup: round(single / parallel),
    same_results: same,
    target_speedup: TARGET_SPEEDUP,
    pass: same && single / parallel >= TARGET_SPEEDUP,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
/** DESIGN.md's budget: 2 workers do at least 1.8 times the work of one. */
const TARGET_SPEEDUP = 1.8;
