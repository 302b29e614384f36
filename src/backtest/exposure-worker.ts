import { workerData } from 'piscina';
import { exposureTrial, type ExposureWork } from './exposure.js';
import './market.js'; // the flow kinds a market may name (the LOBSTER replay's among them)

/** An exposure-experiment worker thread (piscina): the market and design arrive once, then one trial index per task. */
const { market, design, t0 } = workerData as ExposureWork;

export default function run(i: number): number[][] {
  return exposureTrial(market, design, t0, i);
}
