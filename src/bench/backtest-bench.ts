import { isDeepStrictEqual } from 'node:util';
import { runBacktest } from '../backtest/pool.js';
import { standardSpec } from '../backtest/spec.js';
import type { Scenario } from '../sim/scenario.js';
import type { OrderResult } from '../tca/results.js';

/**
 * The backtester's throughput: a batch of parent orders (1–5 % of daily volume over 30 minutes) under several
 * policies, on 2 worker threads and, side by side, on the main thread alone; the ratio is the workers' speedup,
 * and both must give the same results.
 */
export async function benchBacktest(scenario: Scenario, file: string, opts: { orders: number; policies: string[]; workers: number; seed: number }) {
  const spec = standardSpec(scenario, file, opts.policies, opts.orders, opts.seed);
  const time = async (workers: number): Promise<{ seconds: number; results: OrderResult[] }> => {
    const t = performance.now();
    const results = await runBacktest(spec, { workers });
    return { seconds: (performance.now() - t) / 1e3, results };
  };
  const parallel = await time(opts.workers);
  const single = await time(1);
  // each order runs once per policy and once without the order (the baseline)
  const same = isDeepStrictEqual(parallel.results, single.results);
  const runs = opts.orders * (opts.policies.length + 1);
  const simMinutes = runs * (spec.warmupMinutes + spec.horizonMinutes + 62 / 60);
  return {
    benchmark: 'backtest',
    scenario: scenario.name,
    orders: opts.orders,
    policies: opts.policies,
    workers: opts.workers,
    node: process.version,
    parallel: {
      wall_seconds: round(parallel.seconds),
      parent_orders_per_sec: round(opts.orders / parallel.seconds),
      policy_runs_per_sec: round(runs / parallel.seconds),
      simulated_market_minutes_per_sec: Math.round(simMinutes / parallel.seconds),
    },
    single_thread: { wall_seconds: round(single.seconds), parent_orders_per_sec: round(opts.orders / single.seconds) },
    speedup: round(single.seconds / parallel.seconds),
    same_results: same,
    target_speedup: TARGET_SPEEDUP,
    pass: same && single.seconds / parallel.seconds >= TARGET_SPEEDUP,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
/** DESIGN.md's budget: 2 workers do at least 1.8 times the work of one. */
const TARGET_SPEEDUP = 1.8;
