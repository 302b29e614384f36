import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Rng } from '../core/rng.js';
import { mean, quantile, roundTo } from '../core/stats.js';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL, type Side } from '../core/types.js';
import { calibrateLobster } from '../data/calibrate.js';
import { resolvePair } from '../data/lobster.js';
import '../data/replay-market.js'; // registers the lobster-replay flow
import type { DecisionRecord } from '../router/engine.js';
import type { PingObservation } from '../models/dark-allocation.js';
import type { Channels } from '../models/impact.js';
import { MlModels, type MlModelArtifacts } from '../router/ml-models.js';
import { makePolicy, type VolumeProfile } from '../router/policies.js';
import { SimRouter } from '../router/sim-adapter.js';
import { clockToNs, type Scenario } from '../sim/scenario.js';
import { buildSession, startSession } from '../sim/session.js';
import { MARKOUT_HORIZONS_S, MidPath, TradeTape, markoutsByVenue, slippageBps } from './benchmarks.js';
import { bootstrapMean, pairedComparison, type PairedComparison } from './paired.js';
import { implementationShortfall, type Fill, type Shortfall } from './shortfall.js';

/** Everything a backtest needs; plain data, so it can be handed to worker threads. */
export interface BacktestSpec {
  scenario: Scenario;
  /** The scenario's file (paths in it are relative to it). */
  file: string;
  policies: string[];
  orders: number;
  seed: number;
  /** Average daily volume the order sizes are a percentage of, and the sizes' range (fractions, e.g. 0.01–0.05). */
  adv: number;
  minFraction: number;
  maxFraction: number;
  horizonMinutes: number;
  /** The VWAP schedule's intraday volume profile. */
  profile: VolumeProfile;
  /** Minutes of market simulated before each order starts (the books fill and settle). */
  warmupMinutes: number;
  decisionSeconds: number;
  povRate: number;
  urgency: number;
  darkMinQty: number;
  /** ml: upcoming slices offered passively at once (default 4). */
  passiveSlices?: number;
  /** ml: its trained models (plain artifacts: they travel to the workers), and the long-run volatility its features need. */
  models?: MlModelArtifacts;
  /** Keep every dark ping of every run (the dark-pool model's training data). */
  recordPings?: boolean;
  /** The registry ids of those models (reported). */
  modelIds?: Record<string, string>;
  volBps?: number;
}

/**
 * The standard batch of the issue's table (orders of 1–5 % of daily volume over 30 minutes, 10-second decisions,
 * the policies' default settings) for a scenario; what the benchmark and the impact model's data use.
 */
export function standardSpec(scenario: Scenario, file: string, policies: string[], orders: number, seed: number): BacktestSpec {
  const facts = marketFacts(scenario, file);
  return {
    scenario,
    file,
    policies,
    orders,
    seed,
    adv: facts.adv,
    minFraction: 0.01,
    maxFraction: 0.05,
    horizonMinutes: 30,
    profile: facts.profile,
    warmupMinutes: 5,
    decisionSeconds: 10,
    povRate: 0.25,
    urgency: 2,
    darkMinQty: 100,
    volBps: facts.volBps,
  };
}

export interface BacktestOrder {
  index: number;
  /** The market path's seed: every policy (and the baseline without the order) trades on the same path. */
  seed: number;
  side: Side;
  qty: number;
  fraction_adv: number;
  start: number;
  end: number;
}

export interface VenueResult {
  venue: string;
  children: number;
  sent: number;
  filled: number;
  fills: number;
  /** Share-weighted markouts at 1, 10 and 60 s, bps (NaN when no fill). */
  markout_bps: number[];
}

export interface PolicyRun {
  policy: string;
  state: string;
  filled: number;
  fill_rate: number;
  complete: boolean;
  avg_price: number;
  shortfall: Shortfall;
  /** Slippage of the average fill price against the interval's market VWAP and time-weighted mid, bps, + = cost. */
  vwap_bps: number;
  twap_bps: number;
  /** The order's lit fills as a share of all lit volume printed over its horizon. */
  participation: number;
  /**
   * The price impact at the end of the horizon: the mid with the order less the mid without it (same path), each
   * averaged over the horizon's last minute, in bps of the arrival mid, + = against the order.
   */
  end_impact_bps: number;
  /** The quoted spread at arrival, bps of the arrival mid. */
  arrival_spread_bps: number;
  /**
   * Shortfall with the unfilled part charged what completing it would cost by the square-root law, Y·σ·√(R/V) bps
   * on the R shares left (V the daily volume), instead of nothing beyond the end mid: it does not reward an order for
   * leaving work undone. Equal to the shortfall for a complete order; NaN where the scenario gives no Y·σ.
   */
  completion_adjusted_bps: number;
  venues: VenueResult[];
  /** Shares filled by each channel. */
  channels: Channels;
  /** The dark pings, where the spec asks for them. */
  pings?: PingObservation[];
  /** Filled and scheduled fractions of the order at TRAJECTORY_POINTS evenly spaced times over the horizon. */
  trajectory: { filled: number[]; target: number[] };
}

export interface OrderResult {
  order: BacktestOrder;
  arrival_mid: number;
  runs: PolicyRun[];
}

export const TRAJECTORY_POINTS = 31;

/** The batch of parent orders: side, size, start, and the seed of each one's market path, all from the seed. */
export function generateOrders(spec: BacktestSpec): BacktestOrder[] {
  const rng = Rng.stream(spec.seed, 'backtest:orders');
  const open = clockToNs(spec.scenario.start);
  // starts on whole minutes, from 15 minutes after the open to 5 minutes before a 6.5-hour session's close
  const first = 15;
  const last = 390 - 5 - spec.horizonMinutes;
  if (last < first) throw new Error(`a ${spec.horizonMinutes}-minute horizon does not fit in the trading day`);
  const out: BacktestOrder[] = [];
  for (let i = 0; i < spec.orders; i++) {
    const side: Side = rng.float() < 0.5 ? BUY : SELL;
    const fraction = spec.minFraction + (spec.maxFraction - spec.minFraction) * rng.float();
    const start = open + (first + rng.int(last - first + 1)) * NS_PER_MINUTE;
    out.push({
      index: i,
      seed: rng.int(2 ** 31),
      side,
      qty: Math.max(1, Math.round(fraction * spec.adv)),
      fraction_adv: roundTo(fraction, 6),
      start,
      end: start + spec.horizonMinutes * NS_PER_MINUTE,
    });
  }
  return out;
}

interface Recorded {
  path: MidPath;
  tape: TradeTape;
  arrival: number;
  fills: Fill[];
  decisions: DecisionRecord[];
  sent: Map<string, { children: number; shares: number }>;
  litVenues: Set<string>;
  state: string;
  arrivalSpread: number;
  /** Shares filled by taking on a lit book, resting on one, and in a dark pool. */
  channels: Channels;
  /** Each dark ping, in the order sent: the pool, shares offered and filled (what the pool estimates learn from). */
  pings: Map<number, PingObservation>;
}

/** How long after the horizon a run goes on: the expiry's settling second and the longest markout. */
const AFTER_NS = (2 + Math.max(...MARKOUT_HORIZONS_S)) * NS_PER_SECOND;

/** The models' forward passes, built once per thread for the artifacts it was given. */
let built: { from: MlModelArtifacts; models: MlModels } | null = null;
function mlModels(a: MlModelArtifacts): MlModels {
  if (built?.from !== a) built = { from: a, models: new MlModels(a) };
  return built.models;
}

function runOne(spec: BacktestSpec, o: BacktestOrder, policy: string | null): Recorded {
  const s = buildSession(spec.scenario, o.seed, spec.file, undefined, { startNs: o.start - spec.warmupMinutes * NS_PER_MINUTE });
  const path = new MidPath();
  s.nbbo.onChange(() => path.record(s.kernel.now(), s.nbbo.lastMid));
  const tape = new TradeTape();
  for (const v of s.lit) v.subscribe({ onQuote() {}, onTrade: (t) => tape.record(t.venueTime, t.price, t.qty) });
  const rec: Recorded = {
    path,
    tape,
    arrival: NaN,
    fills: [],
    decisions: [],
    sent: new Map(),
    litVenues: new Set(s.lit.map((v) => v.name)),
    state: 'none',
    arrivalSpread: NaN,
    channels: { take: 0, post: 0, dark: 0 },
    pings: new Map(),
  };
  // the baseline has a router too, idle: its feed subscriptions draw latencies like the policies' runs do; where a
  // policy routes by the models, the router keeps the streaming features too (no random draw, the path is the same)
  const models = policy === 'ml' && spec.models ? mlModels(spec.models) : undefined;
  const features = models ? { adv: spec.adv, longRunVolBps: spec.volBps ?? NaN } : undefined;
  const router = new SimRouter(s, {
    onChild: (c) => {
      const x = rec.sent.get(c.venue) ?? { children: 0, shares: 0 };
      x.children++;
      x.shares += c.qty;
      rec.sent.set(c.venue, x);
      if (spec.recordPings && !rec.litVenues.has(c.venue)) rec.pings.set(c.clOrdId, { venue: c.venue, sent: c.qty, filled: 0 });
    },
    onFill: (f) => {
      rec.fills.push({ time: f.time, price: f.price, qty: f.qty, fee: f.fee, venue: f.venue });
      rec.channels[!rec.litVenues.has(f.venue) ? 'dark' : f.liquidity === 'take' ? 'take' : 'post'] += f.qty;
      const ping = rec.pings.get(f.clOrdId);
      if (ping) ping.filled += f.qty;
    },
    onDecision: (d) => rec.decisions.push(d),
  }, features);
  startSession(s);
  s.kernel.run(o.start);
  rec.arrival = s.nbbo.lastMid;
  rec.arrivalSpread = s.nbbo.ask - s.nbbo.bid;
  if (policy !== null) {
    const p = makePolicy(policy, {
      decisionNs: spec.decisionSeconds * NS_PER_SECOND,
      profile: spec.profile,
      povRate: spec.povRate,
      urgency: spec.urgency,
      darkMinQty: spec.darkMinQty,
      ...(spec.passiveSlices !== undefined ? { passiveSlices: spec.passiveSlices } : {}),
      ...(models ? { models } : {}),
      adv: spec.adv,
      rng: Rng.stream(o.seed, `policy:${policy}`),
    });
    router.engine.onParent({ id: `P${o.index}`, side: o.side, qty: o.qty, start: o.start, end: o.end }, p);
  }
  s.kernel.run(o.end + AFTER_NS);
  if (policy !== null) rec.state = router.engine.om.parent(`P${o.index}`).state;
  return rec;
}

/** Runs one parent order under every policy, and once without it, on the same market path. */
export function runOrder(spec: BacktestSpec, o: BacktestOrder): OrderResult {
  // a failure names the order and policy, so that it can be run again alone (runOrder with that order)
  const one = (name: string | null) => {
    try {
      return runOne(spec, o, name);
    } catch (e) {
      throw new Error(`backtest order ${o.index} (seed ${o.seed}, ${name ?? 'baseline'}): ${(e as Error).message}`, { cause: e });
    }
  };
  const base = one(null);
  const runs = spec.policies.map((name) => {
    const r = one(name);
    if (r.arrival !== base.arrival) throw new Error(`order ${o.index}: the ${name} run's market differs from the baseline's before the order starts`);
    return evaluate(spec, o, name, r, base);
  });
  return { order: o, arrival_mid: base.arrival, runs };
}

/** What completing R remaining shares would add to the order's shortfall, bps of the whole order (square-root law). */
function completionCost(spec: BacktestSpec, remaining: number, qty: number): number {
  if (remaining <= 0) return 0;
  const k = sqrtLawCoefficient(spec.scenario);
  return ((k * Math.sqrt(remaining / spec.adv)) * remaining) / qty;
}

/** Y·σ_daily (bps) of the scenario's square-root impact model, NaN without one. */
export function sqrtLawCoefficient(scenario: Scenario): number {
  const imp = scenario.impact as { Y?: number; dailyVolatilityBps?: number } | undefined;
  return imp?.Y !== undefined && imp.dailyVolatilityBps !== undefined ? imp.Y * imp.dailyVolatilityBps : NaN;
}

function evaluate(spec: BacktestSpec, o: BacktestOrder, policy: string, r: Recorded, base: Recorded): PolicyRun {
  const sh = implementationShortfall({
    side: o.side,
    qty: o.qty,
    arrivalMid: r.arrival,
    fills: r.fills,
    midAt: (t) => r.path.at(t),
    baselineMidAt: (t) => base.path.at(t),
    endMid: r.path.at(o.end),
  });
  const filled = sh.filled;
  const notional = r.fills.reduce((a, f) => a + f.price * f.qty, 0);
  const avg = filled > 0 ? notional / filled : NaN;
  const iv = r.tape.interval(o.start, o.end);
  const litFilled = r.fills.filter((f) => f.time >= o.start && f.time <= o.end && r.litVenues.has(f.venue)).reduce((a, f) => a + f.qty, 0);
  const marks = markoutsByVenue(o.side, r.fills, r.path);
  const venues: VenueResult[] = [...r.sent.entries()].map(([venue, x]) => {
    const m = marks.find((v) => v.venue === venue);
    return { venue, children: x.children, sent: x.shares, filled: m?.shares ?? 0, fills: m?.fills ?? 0, markout_bps: (m?.markout_bps ?? MARKOUT_HORIZONS_S.map(() => NaN)).map((v) => roundTo(v, 4)) };
  });
  return {
    policy,
    state: r.state,
    filled,
    fill_rate: roundTo(sh.fill_rate, 6),
    complete: filled >= o.qty,
    avg_price: roundTo(avg, 4),
    shortfall: Object.fromEntries(Object.entries(sh).map(([k, v]) => [k, roundTo(v, 4)])) as unknown as Shortfall,
    vwap_bps: roundTo(filled > 0 ? slippageBps(o.side, avg, iv.vwap) : NaN, 4),
    twap_bps: roundTo(filled > 0 ? slippageBps(o.side, avg, r.path.twap(o.start, o.end)) : NaN, 4),
    participation: roundTo(iv.volume > 0 ? litFilled / iv.volume : 0, 6),
    end_impact_bps: roundTo(endImpact(o, r, base), 4),
    completion_adjusted_bps: roundTo(sh.total_bps + completionCost(spec, o.qty - filled, o.qty), 4),
    arrival_spread_bps: roundTo((r.arrivalSpread / r.arrival) * 1e4, 4),
    venues,
    channels: r.channels,
    ...(spec.recordPings ? { pings: [...r.pings.values()] } : {}),
    trajectory: trajectory(o, r),
  };
}

/** Mid with the order less mid without it, sampled each second over the horizon's last minute, bps of arrival. */
function endImpact(o: BacktestOrder, r: Recorded, base: Recorded): number {
  let d = 0;
  let n = 0;
  for (let k = 0; k < 60; k++) {
    const t = o.end - k * NS_PER_SECOND;
    const a = r.path.at(t);
    const b = base.path.at(t);
    if (a === a && b === b) {
      d += a - b;
      n++;
    }
  }
  return n > 0 ? ((o.side === BUY ? 1 : -1) * (d / n) * 1e4) / r.arrival : NaN;
}

function trajectory(o: BacktestOrder, r: Recorded): { filled: number[]; target: number[] } {
  const fills = [...r.fills].sort((a, b) => a.time - b.time);
  const dec = r.decisions.filter((d) => d.round === 0);
  const filled: number[] = [];
  const target: number[] = [];
  let fi = 0;
  let cum = 0;
  let di = 0;
  for (let k = 0; k < TRAJECTORY_POINTS; k++) {
    const t = o.start + ((o.end - o.start) * k) / (TRAJECTORY_POINTS - 1);
    while (fi < fills.length && fills[fi]!.time <= t) cum += fills[fi++]!.qty;
    while (di + 1 < dec.length && dec[di + 1]!.time <= t) di++;
    filled.push(roundTo(cum / o.qty, 4));
    target.push(roundTo(dec.length > 0 && dec[di]!.time <= t ? dec[di]!.target / o.qty : 0, 4));
  }
  return { filled, target };
}

/** The worker script, compiled: from src/ (tests, tsx) it is the build's copy in dist/. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.endsWith('.ts') ? here.replace(/([\\/])src([\\/])tca([\\/])backtest\.ts$/, '$1dist$2tca$3backtest-worker.js') : here.replace(/backtest\.js$/, 'backtest-worker.js');
  if (!existsSync(js)) throw new Error(`worker script ${js} not found (run npm run build)`);
  return js;
}

/**
 * Runs the batch: each parent order under every policy on its own market path. With workers > 1 the orders are
 * dealt round-robin to worker threads; results come back in order-index order, so the output does not depend on
 * the number of workers.
 */
export async function runBacktest(
  spec: BacktestSpec,
  opts: { workers?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<OrderResult[]> {
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
  const file = workerFile();
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const mine = orders.filter((o) => o.index % workers === w);
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(file, { workerData: { spec, orders: mine } });
        worker.on('message', (r: OrderResult) => {
          results[r.order.index] = r;
          opts.onProgress?.(++done, orders.length);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`backtest worker ${w} exited with code ${code}`))));
      });
    }),
  );
  return results;
}

export interface PolicySummary {
  policy: string;
  orders: number;
  /** Implementation shortfall, bps of the arrival mid, + = cost: mean with its bootstrap 95 % interval, spread of it. */
  is_bps: { mean: number; ci95: [number, number]; sd: number; p5: number; median: number; p95: number };
  /** Mean components of the shortfall (they sum to the mean shortfall). */
  components_bps: { spread: number; impact: number; timing: number; fees: number; opportunity: number };
  /** The shortfall with unfinished work charged by the square-root law (see PolicyRun.completion_adjusted_bps). */
  completion_adjusted_bps: { mean: number; ci95: [number, number] };
  vwap_slippage_bps: { mean: number; ci95: [number, number] };
  twap_slippage_bps: { mean: number; ci95: [number, number] };
  fill_rate: number;
  completion: number;
  participation: number;
  venues: { venue: string; share_of_fills: number; fill_rate: number; markout_bps: Record<string, number> }[];
}

export interface BacktestReport {
  scenario: string;
  symbol: string;
  seed: number;
  orders: number;
  horizon_minutes: number;
  size_pct_adv: [number, number];
  adv: number;
  policies: PolicySummary[];
  /** Every pair of policies on the same orders: A − B in shortfall bps (negative = A cheaper). */
  comparisons: (PairedComparison & { a: string; b: string })[];
  /** Per policy: each order's shortfall (the cost distribution), and the mean trajectory against the mean schedule. */
  distributions: Record<string, number[]>;
  trajectories: Record<string, { filled: number[]; target: number[] }>;
  /** Per venue, all policies' fills pooled: shares filled and share-weighted markouts at 1, 10 and 60 s. */
  markouts: { venue: string; shares: number; markout_bps: Record<string, number> }[];
  /** The ml router's models (registry ids), where it ran. */
  models?: Record<string, string>;
}

const r4 = (x: number) => roundTo(x, 4);

export function summarizeBacktest(spec: BacktestSpec, results: readonly OrderResult[]): BacktestReport {
  const byPolicy = (name: string) => results.map((r) => r.runs.find((x) => x.policy === name)!);
  const ci = (xs: number[], tag: string) => {
    const b = bootstrapMean(xs, Rng.stream(spec.seed, `backtest:bootstrap:${tag}`));
    return { mean: r4(b.mean), ci95: [r4(b.ci95[0]), r4(b.ci95[1])] as [number, number] };
  };
  const policies = spec.policies.map((name): PolicySummary => {
    const runs = byPolicy(name);
    const is = runs.map((r) => r.shortfall.total_bps);
    const m = mean(is);
    const venueNames = [...new Set(runs.flatMap((r) => r.venues.map((v) => v.venue)))].sort();
    const totalFilled = runs.reduce((a, r) => a + r.filled, 0);
    const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
    return {
      policy: name,
      orders: runs.length,
      is_bps: {
        ...ci(is, `${name}:is`),
        sd: r4(Math.sqrt(is.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, is.length - 1))),
        p5: r4(quantile(is, 0.05)),
        median: r4(quantile(is, 0.5)),
        p95: r4(quantile(is, 0.95)),
      },
      components_bps: {
        spread: r4(mean(runs.map((r) => r.shortfall.spread_bps))),
        impact: r4(mean(runs.map((r) => r.shortfall.impact_bps))),
        timing: r4(mean(runs.map((r) => r.shortfall.timing_bps))),
        fees: r4(mean(runs.map((r) => r.shortfall.fees_bps))),
        opportunity: r4(mean(runs.map((r) => r.shortfall.opportunity_bps))),
      },
      completion_adjusted_bps: ci(finite(runs.map((r) => r.completion_adjusted_bps)), `${name}:completion`),
      vwap_slippage_bps: ci(finite(runs.map((r) => r.vwap_bps)), `${name}:vwap`),
      twap_slippage_bps: ci(finite(runs.map((r) => r.twap_bps)), `${name}:twap`),
      fill_rate: r4(mean(runs.map((r) => r.fill_rate))),
      completion: r4(runs.filter((r) => r.complete).length / runs.length),
      participation: r4(mean(runs.map((r) => r.participation))),
      venues: venueNames.map((venue) => {
        const vs = runs.flatMap((r) => r.venues.filter((v) => v.venue === venue));
        const filled = vs.reduce((a, v) => a + v.filled, 0);
        const sent = vs.reduce((a, v) => a + v.sent, 0);
        const markout_bps: Record<string, number> = {};
        MARKOUT_HORIZONS_S.forEach((h, k) => {
          let w = 0;
          let s = 0;
          for (const v of vs) {
            const x = v.markout_bps[k]!;
            if (Number.isFinite(x)) {
              s += x * v.filled;
              w += v.filled;
            }
          }
          markout_bps[`${h}s`] = w > 0 ? r4(s / w) : NaN;
        });
        return { venue, share_of_fills: r4(totalFilled > 0 ? filled / totalFilled : 0), fill_rate: r4(sent > 0 ? filled / sent : 0), markout_bps };
      }),
    };
  });
  const comparisons: BacktestReport['comparisons'] = [];
  for (let i = 0; i < spec.policies.length; i++) {
    for (let j = i + 1; j < spec.policies.length; j++) {
      const a = spec.policies[i]!;
      const b = spec.policies[j]!;
      const c = pairedComparison(
        byPolicy(a).map((r) => r.shortfall.total_bps),
        byPolicy(b).map((r) => r.shortfall.total_bps),
        Rng.stream(spec.seed, `backtest:paired:${a}:${b}`),
      );
      comparisons.push({ a, b, n: c.n, mean_diff: r4(c.mean_diff), ci95: [r4(c.ci95[0]), r4(c.ci95[1])], p_outperform: r4(c.p_outperform), gain_loss: Number.isFinite(c.gain_loss) ? r4(c.gain_loss) : c.gain_loss });
    }
  }
  const distributions: Record<string, number[]> = {};
  const trajectories: Record<string, { filled: number[]; target: number[] }> = {};
  for (const name of spec.policies) {
    const runs = byPolicy(name);
    distributions[name] = runs.map((r) => r.shortfall.total_bps);
    const avg = (k: 'filled' | 'target') => Array.from({ length: TRAJECTORY_POINTS }, (_, i) => r4(mean(runs.map((r) => r.trajectory[k][i]!))));
    trajectories[name] = { filled: avg('filled'), target: avg('target') };
  }
  const pooled = new Map<string, { shares: number; s: number[]; w: number[] }>();
  for (const r of results) {
    for (const run of r.runs) {
      for (const v of run.venues) {
        const x = pooled.get(v.venue) ?? { shares: 0, s: MARKOUT_HORIZONS_S.map(() => 0), w: MARKOUT_HORIZONS_S.map(() => 0) };
        x.shares += v.filled;
        v.markout_bps.forEach((b, k) => {
          if (Number.isFinite(b)) {
            x.s[k]! += b * v.filled;
            x.w[k]! += v.filled;
          }
        });
        pooled.set(v.venue, x);
      }
    }
  }
  const markouts = [...pooled.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([venue, x]) => ({
      venue,
      shares: x.shares,
      markout_bps: Object.fromEntries(MARKOUT_HORIZONS_S.map((h, k) => [`${h}s`, x.w[k]! > 0 ? r4(x.s[k]! / x.w[k]!) : NaN])),
    }));
  return {
    scenario: spec.scenario.name,
    symbol: spec.scenario.symbol,
    seed: spec.seed,
    orders: results.length,
    horizon_minutes: spec.horizonMinutes,
    size_pct_adv: [spec.minFraction * 100, spec.maxFraction * 100],
    adv: spec.adv,
    policies,
    comparisons,
    distributions,
    trajectories,
    ...(spec.modelIds ? { models: spec.modelIds } : {}),
    markouts,
  };
}

/**
 * What a backtest needs to know of a scenario's market: the average daily volume order sizes refer to, and the
 * intraday volume profile VWAP follows. A synthetic flow carries both (its calibration); a replay computes them
 * from its LOBSTER day (the day's own profile: in-sample, as a VWAP trader with a perfect forecast would have).
 */
export function marketFacts(scenario: Scenario, file: string): { adv: number; profile: VolumeProfile; volBps: number } {
  const open = clockToNs(scenario.start);
  const flow = scenario.flow as { kind: string; intradayProfile?: number[]; bucketMinutes?: number; data?: string; fairValueBpsPerSqrtMinute?: number };
  const cal = scenario.calibration as { observed?: { executed_volume?: number; hidden_volume?: number } } | undefined;
  const impact = scenario.impact as { dailyVolume?: number } | undefined;
  if (flow.kind === 'lobster-replay' && flow.data) {
    const c = calibrateLobster(resolvePair(resolve(dirname(file), flow.data)), scenario.tick);
    return {
      adv: c.observed.executed_volume + c.observed.hidden_volume,
      profile: { buckets: c.intradayProfile, openNs: open, bucketNs: c.bucketMinutes * NS_PER_MINUTE },
      volBps: c.fairValueBpsPerSqrtMinute,
    };
  }
  const adv = impact?.dailyVolume ?? (cal?.observed ? (cal.observed.executed_volume ?? 0) + (cal.observed.hidden_volume ?? 0) : NaN);
  const prof = flow.intradayProfile && flow.intradayProfile.length > 0 ? flow.intradayProfile : [1];
  const bucketMinutes = flow.intradayProfile && flow.intradayProfile.length > 0 ? (flow.bucketMinutes ?? 30) : 390;
  // one-minute volatility, bps: the flow's fair value's where it has one, else a daily figure scaled down
  const daily = (scenario.impact as { dailyVolatilityBps?: number } | undefined)?.dailyVolatilityBps;
  const volBps = flow.fairValueBpsPerSqrtMinute ?? (daily !== undefined ? daily / Math.sqrt(390) : NaN);
  return { adv, profile: { buckets: prof, openNs: open, bucketNs: bucketMinutes * NS_PER_MINUTE }, volBps };
}
