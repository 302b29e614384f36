import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { backtestBatch, type BatchRequest } from '../backtest/batch.js';
import { loadPlugins } from '../backtest/plugins.js';
import { policies } from '../router/policies.js';
import { renderReport } from '../tca/report-html.js';
import type { BacktestReport } from '../tca/summary.js';
import { clearProgress, progress } from '../core/progress.js';
import { UsageError } from './errors.js';
import { collect, MAX_WORKERS, nonNegativeInt, numberIn, positiveInt, positiveNumber } from './options.js';
import { writableFile, writeFileWhole } from '../core/files.js';
import { print } from './print.js';
import { loadRiskLimits } from '../risk/limits.js';
import { SABOTAGE_KINDS, type SabotageKind } from '../router/ml/sabotage.js';

/** The demo's policies: the scheduled algorithms, the classic routers and the learning router. */
const DEFAULT_POLICIES = ['twap', 'vwap', 'pov', 'ac', 'rule', 'prorata', 'ck', 'ml'];

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
  option: string[];
  plugin: string[];
  models: string;
  trainScenario: string;
  warmup: number;
  json: boolean;
  out?: string;
  limits?: string;
  sabotage?: string;
}

export function backtestCommand(program: Command): void {
  program
    .command('backtest')
    .description('run a batch of parent orders under several policies on identical market paths; TCA per policy, paired comparisons, an HTML report')
    .option('--scenario <name|file|lobster folder>', 'shipped scenario name, scenario JSON, or a LOBSTER folder to replay', 'default')
    .option('--policies <list>', `comma-separated registered policies ("list" lists them: ${policies.names().join(', ')})`, DEFAULT_POLICIES.join(','))
    .option('--option <policy.key=value>', "a policy's option, e.g. pov.rate=0.1 (repeatable; the value is JSON or a word)", collect, [])
    .option('--plugin <module>', 'a JavaScript module that registers policies of your own (repeatable)', collect, [])
    .option('--orders <n>', 'parent orders', positiveInt('--orders', 1_000_000), 200)
    .option('--seed <n>', 'seed of the batch (orders and their market paths)', nonNegativeInt('--seed'), 1)
    .option('--minutes <n>', 'horizon of each parent order', positiveInt('--minutes'), 30)
    .option('--min-pct <p>', 'smallest order, % of average daily volume', fraction('--min-pct'), 0.01)
    .option('--max-pct <p>', 'largest order, % of average daily volume', fraction('--max-pct'), 0.05)
    .option('--adv <shares>', 'average daily volume (default: the scenario’s)', positiveNumber('--adv', 1e10))
    .option(
      '--workers <n>',
      `worker threads (at most ${MAX_WORKERS}: twice this machine's cores)`,
      positiveInt('--workers', MAX_WORKERS),
      Math.min(2, availableParallelism()),
    )
    .option('--decision-seconds <s>', 'time between decisions', numberIn('--decision-seconds', 1, 3600), 10)
    .option('--pov-rate <r>', 'POV participation rate', positiveNumber('--pov-rate'), 0.25)
    .option('--urgency <k>', 'Almgren–Chriss urgency κT', positiveNumber('--urgency'), 2)
    .option('--dark-min-qty <n>', 'minimum execution size of dark pings', nonNegativeInt('--dark-min-qty'), 100)
    .option('--passive-slices <n>', 'ml: upcoming slices offered passively at once (lit touches and dark pools)', nonNegativeInt('--passive-slices'), 4)
    .option('--models <dir>', 'ml: the model registry its models come from (those missing are trained and registered)', 'sor-models')
    .option('--train-scenario <name|file|lobster folder>', 'ml: the market missing models are trained on', 'default')
    .option('--warmup <minutes>', 'market minutes simulated before each order', nonNegativeInt('--warmup', 15), 5)
    .option('--limits <file>', "the guardrails' limits (JSON; see the README's Guardrails): default the built-in ones")
    .option('--sabotage <kind>', `run ml on sabotaged models (${SABOTAGE_KINDS.join('|')}), the rule router beside it: a test of the model checks`)
    .option('--json', 'print the summary as JSON', false)
    .option('--out <file>', 'write the HTML report here')
    .action(async (o: Options) => {
      if (o.policies === 'list') {
        await loadPlugins(o.plugin);
        return printPolicies(o.json);
      }
      if (o.out !== undefined) writableFile(o.out, '--out');
      const report = await backtest(o);
      if (o.out) writeFileWhole(o.out, renderReport(report));
      const { distributions: _d, trajectories: _t, ...summary } = report;
      if (o.json) console.log(JSON.stringify(summary, null, 2));
      else printTable(report);
      if (o.out && !o.json) console.log(`report: ${o.out}`);
    });
}

/** A line on stderr, below any progress line. */
function note(line: string): void {
  clearProgress();
  process.stderr.write(line);
}

/** The request a command line states. */
function request(o: Options): BatchRequest {
  const names = o.policies
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const perPolicy: Record<string, Record<string, unknown>> = {};
  for (const kv of o.option) {
    const m = /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(kv);
    if (!m) throw new UsageError(`--option "${kv}": expected policy.option=value (e.g. pov.rate=0.1)`);
    const [, policy, key, raw] = m as unknown as [string, string, string, string];
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare word stays a string
    }
    (perPolicy[policy] ??= {})[key] = value;
  }
  if (o.sabotage !== undefined && !(SABOTAGE_KINDS as readonly string[]).includes(o.sabotage))
    throw new UsageError(`--sabotage "${o.sabotage}": one of ${SABOTAGE_KINDS.join(', ')}`);
  // a sabotaged model's shortfall is read beside the rule router's, the fallback it should come close to
  if (o.sabotage !== undefined && !names.includes('rule')) names.push('rule');
  return {
    ...(o.limits !== undefined ? { limits: loadRiskLimits(o.limits) } : {}),
    ...(o.sabotage !== undefined ? { sabotage: o.sabotage as SabotageKind } : {}),
    market: o.scenario,
    policies: names,
    sharedOptions: { rate: o.povRate, urgency: o.urgency, darkMinQty: o.darkMinQty, passiveSlices: o.passiveSlices },
    policyOptions: perPolicy,
    plugins: o.plugin,
    orders: o.orders,
    seed: o.seed,
    horizonMinutes: o.minutes,
    minFraction: o.minPct,
    maxFraction: o.maxPct,
    ...(o.adv !== undefined ? { adv: o.adv } : {}),
    decisionSeconds: o.decisionSeconds,
    warmupMinutes: o.warmup,
    models: o.models,
    trainMarket: o.trainScenario,
  };
}

export async function backtest(o: Options): Promise<BacktestReport> {
  // the progress line is main's reporter (a terminal only; not with --json or --no-progress)
  return backtestBatch(request(o), o.workers, {
    onTrain: (model, market) => note(`ml: no ${model} model in ${o.models} for ${o.decisionSeconds}-s decisions; training one on ${market}\n`),
    onRegistryProblem: (file, problem) => note(`ml: left out ${file}: ${problem}\n`),
    onInSample: (id) => note(`ml: ${id} was trained on the orders of batch ${o.seed}: this backtest is in sample for it\n`),
    onProgress: (d, n) => progress('backtest orders', d, n),
  });
}

/** What `--policies list` prints: every registered policy, whether it needs models, its options and their defaults. */
function printPolicies(json: boolean): void {
  const list = policies.describe();
  if (json) return print(list, true);
  for (const p of list) {
    const opts = Object.entries(p.options)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    console.log(`${p.name.padEnd(9)} ${p.description}${p.models ? ' (needs the trained models)' : ''}\n${' '.repeat(10)}options: ${opts}`);
  }
}

function printTable(r: BacktestReport): void {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  console.log(
    `${r.scenario} · ${r.symbol} · ${r.orders} orders of ${r.size_pct_adv[0]}–${r.size_pct_adv[1]} % ADV over ${r.horizon_minutes} min · seed ${r.seed}`,
  );
  console.log('costs in bps of the arrival mid (+ = cost); [95 % bootstrap interval]; "IS if completed" charges unfilled shares the square-root law');
  console.log('policy    IS mean  [95 % interval]      spread  impact  timing    fees   opport.  vs VWAP  fill %  complete %  IS if completed');
  for (const p of r.policies) {
    const c = p.components_bps;
    console.log(
      `${p.policy.padEnd(8)} ${f(p.is_bps.mean).padStart(8)}  [${f(p.is_bps.ci95[0])}, ${f(p.is_bps.ci95[1])}]`.padEnd(38) +
        `${f(c.spread).padStart(7)} ${f(c.impact).padStart(7)} ${f(c.timing).padStart(7)} ${f(c.fees).padStart(7)} ${f(c.opportunity).padStart(9)} ${f(p.vwap_slippage_bps.mean).padStart(8)} ${f(p.fill_rate * 100, 1).padStart(7)} ${f(p.completion * 100, 1).padStart(11)} ${f(p.completion_adjusted_bps.mean).padStart(16)}`,
    );
  }
  // what the guardrails did, where they did anything
  const counts = (x: Record<string, number>) =>
    Object.entries(x)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  for (const p of r.policies) {
    const g = p.guardrails;
    const parts = [
      g.parents_refused > 0 ? `${g.parents_refused} parents refused` : '',
      Object.keys(g.children_refused).length > 0 ? `children refused: ${counts(g.children_refused)}` : '',
      Object.keys(g.model_anomalies).length > 0 ? `model anomalies: ${counts(g.model_anomalies)}; ${g.fallback_decisions} decisions by the rule router` : '',
    ].filter(Boolean);
    if (parts.length > 0) console.log(`guardrails, ${p.policy}: ${parts.join('; ')}`);
  }
}
