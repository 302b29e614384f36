import { readFileSync } from 'node:fs';
import { runOrder } from '../backtest/run-order.js';
import { generateOrders, type BacktestSpec } from '../backtest/spec.js';

/**
 * One part of a batch in a process of its own (the backtest benchmark's peer): `node batch-part.js <spec.json> <k>
 * <n>` runs the orders whose index is k mod n and prints how many it ran. Two such processes side by side share
 * nothing but the machine: the plain alternative to a pool of threads, set beside it.
 */
const [file, k, n] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(file!, 'utf8')) as BacktestSpec;
let done = 0;
for (const o of generateOrders(spec)) {
  if (o.index % Number(n) !== Number(k)) continue;
  runOrder(spec, o);
  done++;
}
console.log(done);
