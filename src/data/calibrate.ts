import { mean, roundTo } from '../core/stats.js';
import { EMPTY_ASK, EMPTY_BID, loadLobster, type LobsterDay, type LobsterPair } from './lobster.js';
import { ScenarioError } from '../sim/kind-registry.js';
import { parseScenario } from '../sim/scenario.js';
import { DataError } from '../core/errors.js';
import type { QueueReactiveFit } from './calibrate-qr.js';

/**
 * Fits the Cont–Stoikov–Talreja flow generator to a real LOBSTER day (their estimation procedure, section 2 of
 * the paper, on the book as the file shows it):
 * - λ(i): limit orders arriving i ticks from the opposite best, per second per side. A level-N file only shows an
 *   add where it lands within the top N levels, so arrivals at distance i are counted over the time distance i was
 *   in view (exposure), not the whole day: λ(i) = adds(i) / exposure(i). Distances seen for less than 5 % of the
 *   time are not fitted; beyond the last fitted distance, out to twice it, λ and θ keep the mean of the last five
 *   fitted values (a model of the depth the file cannot show);
 * - μ: market orders per second per side, an order being the executions at one timestamp on one side;
 * - θ(i): cancels at distance i per second, divided by the mean number of orders resting at distance i (the
 *   time-integral of the visible queue there, in orders of the mean add size). Where a level-N file never shows
 *   distance i, θ(i) takes the nearest estimated value;
 * - log-normal sizes of limit and market orders, the intraday volume profile (30-minute buckets, mean 1), the
 *   volatility of 1-minute mid returns, and the hidden executions (rate and sizes), used for dark contra flow.
 * Distances and queues are measured on the row before each event.
 */
export interface Calibration {
  source: string;
  /** The part of the file calibrated on (`sor calibrate --window`), if not all of it. */
  window?: string;
  /** From LOBSTER's file naming (TICKER_DATE_…), if it follows it. */
  ticker?: string;
  levels: number;
  tick: number;
  seconds: number;
  initialPrice: number;
  limitRates: number[];
  cancelRates: number[];
  marketRate: number;
  limitSize: { median: number; sigma: number; lot: number };
  marketSize: { median: number; sigma: number; lot: number };
  bucketMinutes: number;
  intradayProfile: number[];
  fairValueBpsPerSqrtMinute: number;
  hidden: { ratePerMinute: number; medianSize: number; sizeSigma: number };
  observed: {
    adds: number;
    cancels: number;
    market_orders: number;
    executed_volume: number;
    hidden_volume: number;
    mean_spread_ticks: number;
    return_1min_bps: number;
    return_step_seconds: number;
    return_kurtosis: number;
  };
}

const BUCKET_MIN = 30;

export function calibrateLobster(pair: LobsterPair, tick = 100): Calibration {
  return calibrateDay(loadLobster(pair), tick);
}

export function calibrateDay(day: LobsterDay, tick = 100): Calibration {
  const N = day.pair.levels;
  const W = 4 * N;
  const n = day.n;
  if (n < 2) throw new CalibrationError(`${day.pair.message}: too few events to calibrate (${n})`);
  const t0 = day.timeNs[0]!;
  const T = (day.timeNs[n - 1]! - t0) / 1e9;
  const K = 200; // distances tracked; the fit keeps those that hold the mass
  const adds = new Float64Array(K + 1);
  const cancels = new Float64Array(K + 1);
  const queue = new Float64Array(K + 1); // ∑ shares × seconds resting at distance i, both sides
  const exposureDiff = new Float64Array(K + 2); // seconds distance i was in view, summed over both sides (difference array)
  const addSizes: number[] = [];
  const mktSizes: number[] = [];
  const hiddenSizes: number[] = [];
  let hiddenEvents = 0;
  let spreadTime = 0;
  let twoSided = 0;
  const buckets = new Float64Array(Math.ceil(((day.timeNs[n - 1]! - t0) / 1e9 / 60 + 1e-9) / BUCKET_MIN) || 1);
  let mktOpen = -1; // index of the execution that opened the current market order
  let mktSize = 0;
  let lastHiddenT = -1;

  const best = (row: number, side: 0 | 1): number => {
    const p = day.book[row * W + (side === 0 ? 2 : 0)]!;
    const q = day.book[row * W + (side === 0 ? 3 : 1)]!;
    return q > 0 && p !== EMPTY_ASK && p !== EMPTY_BID ? p : NaN;
  };

  for (let k = 0; k < n; k++) {
    const type = day.type[k]!;
    const dir = day.direction[k]!;
    const price = day.price[k]!;
    const size = day.size[k]!;
    const t = day.timeNs[k]!;
    const prevRow = k > 0 ? k - 1 : 0;
    const bid = best(prevRow, 0);
    const ask = best(prevRow, 1);
    const dist = dir === 1 ? (ask - price) / tick : (price - bid) / tick; // from the opposite best
    if (type === 1) {
      addSizes.push(size);
      if (dist >= 1 && dist <= K && Number.isInteger(dist)) adds[dist]!++;
    } else if (type === 2 || type === 3) {
      if (dist >= 1 && dist <= K && Number.isInteger(dist)) cancels[dist]!++;
    }
    if (type === 4) {
      const same = mktOpen >= 0 && day.timeNs[mktOpen] === t && day.direction[mktOpen] === dir;
      if (!same) {
        if (mktOpen >= 0) mktSizes.push(mktSize);
        mktOpen = k;
        mktSize = 0;
      }
      mktSize += size;
    }
    if (type === 4 || type === 5) buckets[Math.min(buckets.length - 1, Math.floor((t - t0) / 1e9 / 60 / BUCKET_MIN))]! += size;
    if (type === 5) {
      hiddenSizes.push(size);
      if (t !== lastHiddenT) hiddenEvents++;
      lastHiddenT = t;
    }
    // the book after event k rests until event k+1
    if (k + 1 < n) {
      const dt = (day.timeNs[k + 1]! - t) / 1e9;
      const b1 = best(k, 0);
      const a1 = best(k, 1);
      if (b1 === b1 && a1 === a1 && dt > 0) {
        spreadTime += ((a1 - b1) / tick) * dt;
        twoSided += dt;
        for (let l = 0; l < N; l++) {
          const ap = day.book[k * W + 4 * l]!;
          const as = day.book[k * W + 4 * l + 1]!;
          const bp = day.book[k * W + 4 * l + 2]!;
          const bs = day.book[k * W + 4 * l + 3]!;
          const da = (ap - b1) / tick;
          const db = (a1 - bp) / tick;
          if (as > 0 && da >= 1 && da <= K && Number.isInteger(da)) queue[da]! += as * dt;
          if (bs > 0 && db >= 1 && db <= K && Number.isInteger(db)) queue[db]! += bs * dt;
        }
        // a side showing all N levels shows distances up to its N-th level's; one showing fewer shows them all
        for (const side of [0, 1] as const) {
          const off = side === 0 ? 2 : 0;
          const pN = day.book[k * W + 4 * (N - 1) + off]!;
          const qN = day.book[k * W + 4 * (N - 1) + off + 1]!;
          const full = qN > 0 && pN !== EMPTY_ASK && pN !== EMPTY_BID;
          const reach = full ? Math.round(side === 0 ? (a1 - pN) / tick : (pN - b1) / tick) : K;
          exposureDiff[1]! += dt;
          exposureDiff[Math.min(K, Math.max(0, reach)) + 1]! -= dt;
        }
      }
    }
  }
  if (mktOpen >= 0) mktSizes.push(mktSize);

  const limitSize = logNormalFit(addSizes);
  const meanAdd = mean(addSizes);
  const exposure = new Float64Array(K + 1);
  for (let i = 1, run = 0; i <= K; i++) exposure[i] = run += exposureDiff[i]!;
  // fit the distances in view at least 5 % of the time (per side), and at least five of them
  let Kfit = 0;
  while (Kfit < K && exposure[Kfit + 1]! >= 0.05 * 2 * T) Kfit++;
  Kfit = Math.max(5, Kfit);
  const limitRates: number[] = [];
  const thetaRaw: number[] = [];
  for (let i = 1; i <= Kfit; i++) {
    limitRates.push(roundTo(exposure[i]! > 0 ? adds[i]! / exposure[i]! : 0, 4));
    const resting = queue[i]! / T / 2 / meanAdd; // mean orders resting at distance i, per side
    thetaRaw.push(resting > 0.01 && cancels[i]! >= 5 ? cancels[i]! / (2 * T) / resting : NaN);
  }
  const fittedTheta = fillNearest(thetaRaw);
  // Depth beyond the view: a level-N file cannot show arrivals far behind the touch, and λ(i) is typically still
  // rising where the view ends. Model: beyond the last well-observed distance the book keeps arriving and
  // cancelling as it did at the last five fitted distances, out to twice that distance.
  const tail = (xs: number[]) => xs.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, xs.length);
  const lamTail = tail(limitRates);
  const thetaTail = tail(fittedTheta);
  for (let i = Kfit + 1; i <= 2 * Kfit; i++) {
    limitRates.push(roundTo(lamTail, 4));
    fittedTheta.push(thetaTail);
  }
  const cancelRates = fittedTheta.map((x) => roundTo(x, 4));

  const profile = Array.from(buckets);
  const meanBucket = mean(profile);
  // 1-minute returns; a file shorter than 20 minutes uses a shorter step, scaled to √minute
  const stepS = T >= 1200 ? 60 : Math.max(1, T / 30);
  const ret = midReturnsBps(day, best, stepS);
  const mr = mean(ret);
  const var1 = mean(ret.map((r) => (r - mr) ** 2));
  const retSd = Math.sqrt(var1 * (60 / stepS));
  const m4 = mean(ret.map((r) => (r - mr) ** 4));
  const firstMid = (best(0, 0) + best(0, 1)) / 2;
  const ticker = /(?:^|\/)([A-Z][A-Z0-9.]*)_\d{4}-\d{2}-\d{2}_[^/]*$/.exec(day.pair.message)?.[1];
  return {
    source: day.pair.message,
    ...(day.window ? { window: day.window } : {}),
    ...(ticker ? { ticker } : {}),
    levels: N,
    tick,
    seconds: roundTo(T, 4),
    initialPrice: Math.round(firstMid / tick) * tick,
    limitRates,
    cancelRates,
    marketRate: roundTo(mktSizes.length / (2 * T), 4),
    limitSize: { ...limitSize, lot: 1 },
    marketSize: { ...logNormalFit(mktSizes), lot: 1 },
    bucketMinutes: BUCKET_MIN,
    intradayProfile: profile.map((v) => roundTo(meanBucket > 0 ? v / meanBucket : 1, 4)),
    fairValueBpsPerSqrtMinute: roundTo(retSd, 4),
    hidden: { ratePerMinute: roundTo(hiddenEvents / (T / 60), 4), ...renameFit(logNormalFit(hiddenSizes)) },
    observed: {
      adds: addSizes.length,
      cancels: cancels.reduce((a, b) => a + b, 0),
      market_orders: mktSizes.length,
      executed_volume: mktSizes.reduce((a, b) => a + b, 0),
      hidden_volume: hiddenSizes.reduce((a, b) => a + b, 0),
      mean_spread_ticks: roundTo(spreadTime / twoSided, 4),
      return_1min_bps: roundTo(retSd, 4),
      return_step_seconds: roundTo(stepS, 4),
      return_kurtosis: roundTo(var1 > 0 ? m4 / var1 ** 2 : NaN, 4),
    },
  };
}

/** Log returns of the mid sampled every `stepS` seconds from the first event, in basis points. */
function midReturnsBps(day: LobsterDay, best: (row: number, side: 0 | 1) => number, stepS: number): number[] {
  const out: number[] = [];
  const t0 = day.timeNs[0]!;
  let next = t0 + stepS * 1e9;
  let lastMid = NaN;
  let mid = (best(0, 0) + best(0, 1)) / 2;
  for (let k = 0; k < day.n; k++) {
    while (day.timeNs[k]! >= next) {
      if (lastMid === lastMid && mid === mid) out.push(Math.log(mid / lastMid) * 1e4);
      lastMid = mid;
      next += stepS * 1e9;
    }
    const m = (best(k, 0) + best(k, 1)) / 2;
    if (m === m) mid = m;
  }
  return out;
}

function logNormalFit(xs: number[]): { median: number; sigma: number } {
  const logs = xs.filter((x) => x > 0).map(Math.log);
  if (logs.length === 0) return { median: 100, sigma: 0 };
  const mu = mean(logs);
  const sd = Math.sqrt(mean(logs.map((l) => (l - mu) ** 2)));
  return { median: roundTo(Math.exp(mu), 4), sigma: roundTo(sd, 4) };
}

function renameFit(f: { median: number; sigma: number }): { medianSize: number; sizeSigma: number } {
  return { medianSize: f.median, sizeSigma: f.sigma };
}

function fillNearest(xs: number[]): number[] {
  const known = xs.map((x, i) => (x === x ? i : -1)).filter((i) => i >= 0);
  if (known.length === 0) return xs.map(() => 0.5);
  return xs.map((x, i) => {
    if (x === x) return x;
    let bestJ = known[0]!;
    for (const j of known) if (Math.abs(j - i) < Math.abs(bestJ - i)) bestJ = j;
    return xs[bestJ]!;
  });
}

/**
 * A scenario whose background flow is the calibrated one, on the template's venues (fees, latencies, market
 * shares). Dark contra flow takes its rate and sizes from the day's hidden executions, split one part to the
 * first dark pool and four to the second; the informed fractions of dark contras cannot be read off a LOBSTER
 * file and stay the template's. Two choices are the caller's (ScenarioChoices), with measured defaults.
 */
export interface ScenarioChoices {
  /** Share of market orders that trade toward the fair value (and, in the queue-reactive flow, of limit orders that
   * improve the side it is on): not identifiable from a LOBSTER file. 0.6 keeps the synthetic mid close enough to the
   * fair value for the 1-minute volatility of the GOOG day (the realism table in docs/market.md). */
  informedMarketFraction: number;
  /** Decay exponent of the impact kernel. The book's own impact flattens the total; 0.35 makes the total follow the
   * square-root law on the GOOG calibration (`sor realism`; its exponent is in docs/market.md). */
  impactBeta: number;
  /**
   * The queue-reactive fit of the same day (`fitQueueReactive`): given, the flow is the queue-reactive one (kind
   * `qr`, with CST's book behind the best); absent, Cont–Stoikov–Talreja's alone (kind `cst`).
   */
  queueReactive?: QueueReactiveFit;
}

export function scenarioFromCalibration(
  cal: Calibration,
  template: Record<string, unknown>,
  name: string,
  choices: ScenarioChoices = { informedMarketFraction: 0.6, impactBeta: 0.35 },
): Record<string, unknown> {
  const t = structuredClone(template) as { venues: Record<string, unknown>[]; flow: Record<string, unknown> };
  const qr = choices.queueReactive;
  const dark = t.venues.filter((v) => v['type'] === 'dark');
  dark.forEach((v, i) => {
    const share = dark.length === 1 ? 1 : i === 0 ? 0.2 : 0.8 / (dark.length - 1);
    v['contraFlow'] = {
      ...(v['contraFlow'] as Record<string, unknown>),
      ratePerMinute: roundTo(cal.hidden.ratePerMinute * share, 4),
      medianSize: cal.hidden.medianSize,
      sizeSigma: cal.hidden.sizeSigma,
      lot: 1,
      minQty: 1,
    };
  });
  return {
    ...t,
    name,
    description: `Calibrated by \`sor calibrate\` to ${cal.source.split('/').slice(-2).join('/')}${cal.window ? ` from ${cal.window.replace('-', ' to ')}` : ''} (${cal.levels} level${cal.levels > 1 ? 's' : ''}, ${Math.round(cal.seconds)} s): ${qr ? 'queue-reactive flow at the best quotes (Huang-Lehalle-Rosenbaum: join, cancel and market-order rates by the queue sizes on both sides, limit orders inside the spread by spread, self-exciting market orders), Cont-Stoikov-Talreja arrival and cancel rates behind the best, empirical order and trade sizes (round-lot atoms and a log-normal)' : 'Cont-Stoikov-Talreja arrival and cancel rates by distance from the opposite best, log-normal order and trade sizes'}, the intraday volume profile and 1-minute volatility; dark contra flow from the day's hidden executions. Venues, fees and latencies are the template's.`,
    symbol: cal.ticker ?? (t as { symbol?: string }).symbol ?? 'XYZ',
    tick: cal.tick,
    initialPrice: cal.initialPrice,
    flow: {
      kind: qr ? 'qr' : 'cst',
      ...(qr ? {} : { limitRates: cal.limitRates, marketRate: cal.marketRate, cancelRates: cal.cancelRates }),
      intensity: 1,
      limitSize: qr ? qr.limitSize : cal.limitSize,
      marketSize: qr ? qr.marketSize : cal.marketSize,
      fairValueBpsPerSqrtMinute: cal.fairValueBpsPerSqrtMinute,
      informedMarketFraction: choices.informedMarketFraction,
      intradayProfile: cal.intradayProfile,
      bucketMinutes: cal.bucketMinutes,
      regime: { depthSigma: 0.3, volatilitySigma: 0.3 },
      ...(qr ? { best: { ...qr.best, informedImprove: choices.informedMarketFraction }, deep: qr.deep } : {}),
    },
    impact: {
      kind: 'sqrt-law-propagator',
      Y: 1,
      dailyVolatilityBps: roundTo(cal.fairValueBpsPerSqrtMinute * Math.sqrt(390), 4),
      dailyVolume: Math.round(((cal.observed.executed_volume + cal.observed.hidden_volume) * 23_400) / cal.seconds),
      participation: 0.1,
      referenceFraction: 0.01,
      beta: choices.impactBeta,
      tau0Seconds: 1,
    },
    calibration: {
      source: cal.source.split('/').slice(-1)[0],
      ...(cal.window ? { window: cal.window } : {}),
      observed: qr ? { ...cal.observed, queue_reactive: qr.observed } : cal.observed,
    },
  };
}

/** A calibrated scenario the simulator would refuse (the day or the template does not fit). */
/** A day the flow cannot be fitted to (too few events of a kind, no trades): the data's fault (exit 3). */
export class CalibrationError extends DataError {}

/** The calibrated scenario as the file to write, checked first: never a scenario the simulator would refuse. */
export function calibratedScenarioText(
  cal: Calibration,
  template: Record<string, unknown>,
  name: string,
  opts: Parameters<typeof scenarioFromCalibration>[3],
  file: string,
): string {
  const text = JSON.stringify(scenarioFromCalibration(cal, template, name, opts), null, 2) + '\n';
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new CalibrationError(`the calibrated scenario does not validate: ${e.message}`);
    throw e;
  }
  return text;
}
