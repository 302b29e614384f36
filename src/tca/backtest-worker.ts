import { parentPort, workerData } from 'node:worker_threads';
import { runOrder, type BacktestOrder, type BacktestSpec } from './backtest.js';

/** A backtest worker thread: runs its share of the orders and posts each result as it completes. */
const { spec, orders } = workerData as { spec: BacktestSpec; orders: BacktestOrder[] };
for (const o of orders) parentPort!.postMessage(runOrder(spec, o));
