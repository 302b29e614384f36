import { workerData } from 'piscina';
import { runOrder } from './run-order.js';
import { loadPlugins } from './plugins.js';
import type { BacktestOrder, BacktestSpec } from './spec.js';

/** A backtest worker thread (piscina): the batch's spec arrives once, then one parent order per task. */
const { spec } = workerData as { spec: BacktestSpec };
await loadPlugins(spec.plugins);

export default function run(order: BacktestOrder) {
  return runOrder(spec, order);
}
