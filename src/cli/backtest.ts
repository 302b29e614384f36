import { statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { calibrateLobster } from '../data/calibrate.js';
import { resolvePair } from '../data/lobster.js';
import { ML_ABLATIONS, needsModels, POLICY_NAMES } from '../router/policies.js';
import { ModelRegistry } from '../models/registry.js';
import { ScenarioError } from '../sim/registry.js';
import { loadScenarioFile, type Scenario } from '../sim/scenario.js';
import { marketFacts, runBacktest, summarizeBacktest, type BacktestReport, type BacktestSpec } from '../tca/backtest.js';
import { renderReport } from '../tca/report-html.js';
import { routerModels } from '../tca/train-models.js';
import { UsageError } from './errors.js';
import { packageFile } from './paths.js';
import { nonNegativeInt, positiveNumber, resolveScenario } from './simulate.js';

/**
 * A LOBSTER folder as a scenario: the shipped replay scenario's venues, fees, latencies, dark pools and impact
 * model, with the folder's day driving the lit venues, and the day's price and volume in place of GOOG's.
 */
export function scenarioFromLobsterFolder(folder: string): { scenario: Scenario; file: string } {
  const file = packageFile('scenarios', 'replay-goog.json');
  const template = loadScenarioFile(file);
  let cal;
  try {
    cal = calibrateLobster(resolvePair(folder), template.tick);
  } catch (e) {
    throw new UsageError(`${folder}: ${(e as Error).message}`);
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

/** A --scenario argument: a shipped scenario's name, a scenario file, or a LOBSTER folder to replay. */
export function resolveMarket(arg: string): { scenario: Scenario; file: string } {
  const isDir = statSync(arg, { throwIfNoEntry: false })?.isDirectory() ?? false;
  return isDir ? scenarioFromLobsterFolder(arg) : resolveScenario(arg);
}

function fraction(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0 && n < 100)) throw new UsageError(`${name} must be a percentage in (0, 100), got "${v}"`);
    return n / 100;
  };
}

interface Options {
  scenario: string;
  policies: string;
  orders: number;
  seed: number;
  minutes: number;
  minPct: number;
  maxPct: number;
  adv?: number;
  workers: number;
  decisionSeconds: number;
  povRate: number;
  urgency: number;
  darkMinQty: number;
  passiveSlices: number;
  models: string;
  trainScenario: string;
  warmup: number;
  json: boolean;
  out?: string;
  progress: boolean;
}

export function backtestCommand(program: Command): void {
  program
    .command('backtest')
    .description('run a batch of parent orders under several policies on identical market paths; TCA per policy, paired comparisons, an HTML report')
    .option('--scenario <name|file|lobster folder>', 'shipped scenario name, scenario JSON, or a LOBSTER folder to replay', 'default')
    .option('--policies <list>', `comma-separated, from ${POLICY_NAMES.join(',')}`, POLICY_NAMES.join(','))
    .option('--orders <n>', 'parent orders', nonNegativeInt('--orders'), 200)
    .option('--seed <n>', 'seed of the batch (orders and their market paths)', nonNegativeInt('--seed'), 1)
    .option('--minutes <n>', 'horizon of each parent order', nonNegativeInt('--minutes'), 30)
    .option('--min-pct <p>', 'smallest order, % of average daily volume', fraction('--min-pct'), 0.01)
    .option('--max-pct <p>', 'largest order, % of average daily volume', fraction('--max-pct'), 0.05)
    .option('--adv <shares>', 'average daily volume (default: the scenario’s)', positiveNumber('--adv'))
    .option('--workers <n>', 'worker threads', nonNegativeInt('--workers'), Math.min(2, availableParallelism()))
    .option('--decision-seconds <s>', 'time between decisions', positiveNumber('--decision-seconds'), 10)
    .option('--pov-rate <r>', 'POV participation rate', positiveNumber('--pov-rate'), 0.25)
    .option('--urgency <k>', 'Almgren–Chriss urgency κT', positiveNumber('--urgency'), 2)
    .option('--dark-min-qty <n>', 'minimum execution size of dark pings', nonNegativeInt('--dark-min-qty'), 100)
    .option('--passive-slices <n>', 'ml: upcoming slices offered passively at once (lit touches and dark pools)', nonNegativeInt('--passive-slices'), 4)
    .option('--models <dir>', 'ml: the model registry its models come from (those missing are trained and registered)', 'sor-models')
    .option('--train-scenario <name|file|lobster folder>', 'ml: the market missing models are trained on', 'default')
    .option('--warmup <minutes>', 'market minutes simulated before each order', nonNegativeInt('--warmup'), 5)
    .option('--json', 'print the summary as JSON', false)
    .option('--out <file>', 'write the HTML report here')
    .option('--no-progress', 'no progress bar')
    .action(async (o: Options) => {
      const report = await backtest(o);
      if (o.out) writeFileSync(o.out, renderReport(report));
      const { distributions: _d, trajectories: _t, ...summary } = report;
      if (o.json) console.log(JSON.stringify(summary, null, 2));
      else printTable(report);
      if (o.out && !o.json) console.log(`report: ${o.out}`);
    });
}

export async function backtest(o: Options): Promise<BacktestReport> {
  const policies = o.policies.split(',').map((s) => s.trim()).filter(Boolean);
  const known: readonly string[] = [...POLICY_NAMES, ...ML_ABLATIONS];
  for (const p of policies) if (!known.includes(p)) throw new UsageError(`--policies: unknown policy "${p}" (known: ${known.join(', ')})`);
  if (policies.length === 0) throw new UsageError('--policies: name at least one policy');
  if (new Set(policies).size !== policies.length) throw new UsageError('--policies: a policy is named twice');
  if (o.orders < 1) throw new UsageError('--orders must be at least 1');
  if (o.minutes < 1) throw new UsageError('--minutes must be at least 1');
  if (o.minPct > o.maxPct) throw new UsageError('--min-pct exceeds --max-pct');
  const { scenario, file } = resolveMarket(o.scenario);
  let facts;
  try {
    facts = marketFacts(scenario, file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  const adv = o.adv ?? facts.adv;
  if (!(adv > 0)) throw new UsageError(`${file}: the scenario states no daily volume (impact.dailyVolume or calibration); give --adv`);
  const spec: BacktestSpec = {
    scenario,
    file,
    policies,
    orders: o.orders,
    seed: o.seed,
    adv,
    minFraction: o.minPct,
    maxFraction: o.maxPct,
    horizonMinutes: o.minutes,
    profile: facts.profile,
    warmupMinutes: o.warmup,
    decisionSeconds: o.decisionSeconds,
    povRate: o.povRate,
    urgency: o.urgency,
    darkMinQty: Math.max(1, o.darkMinQty),
    passiveSlices: Math.max(1, o.passiveSlices),
    volBps: facts.volBps,
  };
  if (needsModels(policies)) {
    const train = resolveMarket(o.trainScenario);
    let m;
    try {
      m = await routerModels(new ModelRegistry(o.models), train.scenario, train.file, o.decisionSeconds, (model) =>
        process.stderr.write(`ml: no ${model} model in ${o.models} for ${o.decisionSeconds}-s decisions; training one on ${train.scenario.name}\n`),
      );
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(e.message);
      throw new UsageError(`--models ${o.models}: ${(e as Error).message}`, 1);
    }
    for (const e of Object.values(m.entries)) {
      const b = (e.meta as { batches?: { train?: number } } | null)?.batches;
      if (b?.train === o.seed) process.stderr.write(`ml: ${e.id} was trained on the orders of batch ${o.seed}: this backtest is in sample for it\n`);
    }
    spec.models = m.artifacts;
    spec.modelIds = Object.fromEntries(Object.entries(m.entries).map(([k, e]) => [k, e.id]));
  }
  const bar =
    o.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar({ stream: process.stderr, format: 'backtest [{bar}] {value}/{total} orders · {eta_formatted} left', hideCursor: true }, cliProgress.Presets.shades_classic)
      : null;
  bar?.start(o.orders, 0);
  try {
    // a bad scenario fails on the first order's market: check it here, in this thread, for a clear message
    const results = await runBacktest(spec, { workers: o.workers, onProgress: (d) => bar?.update(d) });
    return summarizeBacktest(spec, results);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  } finally {
    bar?.stop();
  }
}

function printTable(r: BacktestReport): void {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  console.log(`${r.scenario} · ${r.symbol} · ${r.orders} orders of ${r.size_pct_adv[0]}–${r.size_pct_adv[1]} % ADV over ${r.horizon_minutes} min · seed ${r.seed}`);
  console.log('costs in bps of the arrival mid (+ = cost); [95 % bootstrap interval]; "IS if completed" charges unfilled shares the square-root law');
  console.log('policy    IS mean  [95 % interval]      spread  impact  timing    fees   opport.  vs VWAP  fill %  complete %  IS if completed');
  for (const p of r.policies) {
    const c = p.components_bps;
    console.log(
      `${p.policy.padEnd(8)} ${f(p.is_bps.mean).padStart(8)}  [${f(p.is_bps.ci95[0])}, ${f(p.is_bps.ci95[1])}]`.padEnd(38) +
        `${f(c.spread).padStart(7)} ${f(c.impact).padStart(7)} ${f(c.timing).padStart(7)} ${f(c.fees).padStart(7)} ${f(c.opportunity).padStart(9)} ${f(p.vwap_slippage_bps.mean).padStart(8)} ${f(p.fill_rate * 100, 1).padStart(7)} ${f(p.completion * 100, 1).padStart(11)} ${f(p.completion_adjusted_bps.mean).padStart(16)}`,
    );
  }
}
