import { existsSync } from 'node:fs';
import { Piscina } from 'piscina';
import { packageFile } from '../core/paths.js';
import type { OrderResult } from '../tca/results.js';
import { loadPlugins } from './plugins.js';
import { runOrder } from './run-order.js';
import { generateOrders, type BacktestSpec } from './spec.js';

/**
 * A compiled module of the package's build (dist/), which a worker thread or a child process runs: from src/ (tests,
 * tsx) as from dist/, the build's copy; named if missing.
 */
export function compiledFile(...parts: string[]): string {
  const js = packageFile('dist', ...parts);
  if (!existsSync(js)) throw new Error(`compiled script ${js} not found (run npm run build)`);
  return js;
}

/**
 * Runs the batch: each parent order under every policy on its own market path. With workers > 1, a piscina pool of
 * worker threads takes the orders one at a time as each worker becomes free, so a slow order does not hold the
 * others back; results are assembled in order-index order, so the output does not depend on the number of workers.
 */
export async function runBacktest(
  spec: BacktestSpec,
  opts: { workers?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<OrderResult[]> {
  await loadPlugins(spec.plugins);
  const orders = generateOrders(spec);
  const workers = Math.max(1, Math.min(opts.workers ?? 1, orders.length));
  const results = new Array<OrderResult>(orders.length);
  let done = 0;
  if (workers === 1) {
    for (const o of orders) {
      results[o.index] = runOrder(spec, o);
      opts.onProgress?.(++done, orders.length);
    }
    return results;
  }
  await runPooled<OrderResult>(compiledFile('backtest', 'worker.js'), { spec }, workers, orders, (k, r) => {
    results[orders[k]!.index] = r;
    opts.onProgress?.(++done, orders.length);
  });
  return results;
}

/**
 * Runs each task on a piscina pool of `workers` threads of a compiled module (which receives `workerData` once),
 * one task a thread at a time, as each thread becomes free; `onResult(k, result)` for task k as it ends. The pool is
 * closed when all are done or one fails.
 */
export async function runPooled<R>(
  filename: string,
  workerData: unknown,
  workers: number,
  tasks: readonly unknown[],
  onResult: (k: number, result: R) => void,
): Promise<void> {
  const pool = new Piscina({ filename, minThreads: workers, maxThreads: workers, concurrentTasksPerWorker: 1, idleTimeout: 60_000, workerData });
  try {
    await Promise.all(tasks.map(async (t, k) => onResult(k, (await pool.run(t)) as R)));
  } finally {
    await pool.destroy();
  }
}
