import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { IoError } from '../core/errors.js';
import { packageFile } from '../core/paths.js';
import { NS_PER_MINUTE } from '../core/types.js';
import { calibrateLobster } from '../data/calibrate.js';
import { resolvePair } from '../data/lobster.js';
import '../data/replay-market.js'; // registers the lobster-replay flow kind: every world can replay a LOBSTER day
import type { VolumeProfile } from '../router/schedulers.js';
import { ScenarioError } from '../sim/kind-registry.js';
import { clockToNs, loadScenarioFile, type Scenario } from '../sim/scenario.js';

/** A market to build worlds of: a scenario, and the file it came from (paths in it are relative to it). */
export interface Market {
  scenario: Scenario;
  file: string;
}

/** A scenario as a market; without its file, error messages name the scenario (and nothing in it can be relative). */
export function marketOf(scenario: Scenario, file?: string): Market {
  return { scenario, file: file ?? `scenario ${scenario.name}` };
}

/** A shipped scenario's name ("default", "cst", "replay-goog") or a path to a scenario JSON file. */
export function resolveScenario(arg: string): Market {
  if (/^[A-Za-z0-9_-]+$/.test(arg)) {
    // a shipped name; else a file of that name here; else neither, and both are said
    const shipped = packageFile('scenarios', `${arg}.json`);
    if (existsSync(shipped)) return { scenario: loadScenarioFile(shipped), file: shipped };
    if (!existsSync(arg)) {
      const names = readdirSync(packageFile('scenarios'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5));
      throw new IoError(`${arg}: no shipped scenario of that name (${names.join(', ')}) and no such file`);
    }
  }
  return { scenario: loadScenarioFile(arg), file: arg };
}

/**
 * A LOBSTER folder as a scenario: the shipped replay scenario's venues, fees, latencies, dark pools and impact
 * model, with the folder's day driving the lit venues, and the day's price and volume in place of GOOG's.
 */
export function scenarioFromLobsterFolder(folder: string): Market {
  const file = packageFile('scenarios', 'replay-goog.json');
  const template = loadScenarioFile(file);
  let cal;
  try {
    cal = calibrateLobster(resolvePair(folder), template.tick);
  } catch (e) {
    throw new ScenarioError(folder, '', (e as Error).message);
  }
  const adv = cal.observed.executed_volume + cal.observed.hidden_volume;
  const impact = template.impact ? { ...template.impact, dailyVolume: adv, dailyVolatilityBps: cal.fairValueBpsPerSqrtMinute * Math.sqrt(390) } : undefined;
  const scenario: Scenario = {
    ...template,
    name: `replay-${basename(resolve(folder))}`,
    description: `The LOBSTER day in ${folder} driving the lit venues of the replay-goog template.`,
    symbol: cal.ticker ?? template.symbol,
    initialPrice: cal.initialPrice,
    flow: { kind: 'lobster-replay', data: resolve(folder) },
    ...(impact ? { impact } : {}),
  };
  return { scenario, file };
}

/** A market argument: a shipped scenario's name, a scenario file, or a LOBSTER folder to replay. */
export function resolveMarket(arg: string): Market {
  const isDir = statSync(arg, { throwIfNoEntry: false })?.isDirectory() ?? false;
  return isDir ? scenarioFromLobsterFolder(arg) : resolveScenario(arg);
}

/** What an execution needs to know of a market: the daily volume sizes refer to, VWAP's profile, one-minute volatility. */
export interface MarketFacts {
  adv: number;
  profile: VolumeProfile;
  volBps: number;
}

/**
 * What a backtest needs to know of a scenario's market: the average daily volume order sizes refer to, and the
 * intraday volume profile VWAP follows. A synthetic flow carries both (its calibration); a replay computes them
 * from its LOBSTER day (the day's own profile: in-sample, as a VWAP trader with a perfect forecast would have).
 */
export function marketFacts(scenario: Scenario, file: string): MarketFacts {
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

/** Y·σ_daily (bps) of the scenario's square-root impact model, NaN without one. */
export function sqrtLawCoefficient(scenario: Scenario): number {
  const imp = scenario.impact as { Y?: number; dailyVolatilityBps?: number } | undefined;
  return imp?.Y !== undefined && imp.dailyVolatilityBps !== undefined ? imp.Y * imp.dailyVolatilityBps : NaN;
}
