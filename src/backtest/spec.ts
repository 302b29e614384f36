import type { RiskLimits } from '../risk/limits.js';
import type { SabotageKind } from '../router/ml/sabotage.js';
import { Rng } from '../core/rng.js';
import { roundTo } from '../core/stats.js';
import { BUY, NS_PER_MINUTE, SELL, type Side, SESSION_MINUTES } from '../core/types.js';
import type { MlModelArtifacts } from '../router/ml/models.js';
import type { VolumeProfile } from '../router/schedulers.js';
import { clockToNs, type Scenario } from '../sim/scenario.js';
import type { BacktestOrder } from '../tca/results.js';
import { marketFacts } from './market.js';

export type { BacktestOrder } from '../tca/results.js';

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
  /** Each policy's options by policy name (validated by its registered schema; defaults where not given). */
  policyOptions?: Record<string, Record<string, unknown>>;
  /** Modules that register policies of a user's own: every worker imports them before it runs an order. */
  plugins?: string[];
  /** ml: its trained models (plain artifacts: they travel to the workers), and the long-run volatility its features need. */
  models?: MlModelArtifacts;
  /** Keep every dark ping of every run (the dark-pool model's training data). */
  recordPings?: boolean;
  /** The registry ids of those models (reported). */
  modelIds?: Record<string, string>;
  volBps?: number;
  /** The guardrails' limits (absent: the defaults). */
  limits?: RiskLimits;
  /** The model-driven policies run on sabotaged models (a test of the model checks and the fallback). */
  sabotage?: SabotageKind;
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
    volBps: facts.volBps,
  };
}

/** Orders start on whole minutes, from 15 minutes after the open, and end 5 minutes before a 6.5-hour session's close. */
export const FIRST_START_MINUTE = 15;
export const CLOSE_MARGIN_MINUTES = 5;
/** The longest horizon a parent order of a batch can have: 370 minutes. */
export const MAX_HORIZON_MINUTES = SESSION_MINUTES - CLOSE_MARGIN_MINUTES - FIRST_START_MINUTE;

/** The batch of parent orders: side, size, start, and the seed of each one's market path, all from the seed. */
export function generateOrders(spec: BacktestSpec): BacktestOrder[] {
  const rng = Rng.stream(spec.seed, 'backtest:orders');
  const open = clockToNs(spec.scenario.start);
  const first = FIRST_START_MINUTE;
  const last = SESSION_MINUTES - CLOSE_MARGIN_MINUTES - spec.horizonMinutes;
  if (last < first) throw new RangeError(`a ${spec.horizonMinutes}-minute horizon does not fit in the trading day (at most ${MAX_HORIZON_MINUTES})`);
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
