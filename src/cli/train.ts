import type { Command } from 'commander';
import { SESSION_MINUTES } from '../core/types.js';
import { resolveMarket } from '../backtest/market.js';
import { DEFAULT_TRAINING as D, MODEL_NAMES as KINDS, MODELS, trainModel, type ModelName } from '../backtest/training.js';
import { ModelRegistry, type RegistryEntry, type RegistryProblem } from '../models/registry.js';
import { UsageError } from './errors.js';
import { nonNegativeInt, numberIn, parseSeeds, positiveInt, sessionFits } from './options.js';
import { print, table } from './print.js';

/** The models --test-scenario applies to. */
const TEST_MARKET_KINDS = KINDS.filter((k) => MODELS[k].testMarket);
const range = (xs: number[]) => `${xs[0]}-${xs[xs.length - 1]}`;

export function trainCommand(program: Command): void {
  program
    .command('train')
    .description('train a model on simulated data, score it on held-out seeds against its baseline, and register it')
    .argument('<model>', `what to train: ${KINDS.join(', ')}`)
    .option('--scenario <name|file|lobster folder>', 'scenario', 'default')
    .option('--train-seeds <list>', 'seeds of the training markets', range(D.trainSeeds))
    .option('--valid-seeds <list>', 'seeds of the calibration markets', range(D.validSeeds))
    .option('--test-seeds <list>', 'held-out seeds the metrics are measured on', range(D.testSeeds))
    .option('--start-minute <n>', 'minutes after the open to start probing', nonNegativeInt('--start-minute', SESSION_MINUTES - 1), D.startMinute)
    .option('--minutes <n>', 'minutes of probing per seed', positiveInt('--minutes', SESSION_MINUTES), D.minutes)
    .option('--gap-seconds <s>', 'mean time between probes', numberIn('--gap-seconds', 0.1, 3600), D.gapSeconds)
    .option(
      '--horizon-seconds <s>',
      'fill: filled within this long (default 10); volatility: the forecast horizon (default 300)',
      numberIn('--horizon-seconds', 1, 23_400),
    )
    .option('--qty <n>', 'probe size, shares', positiveInt('--qty'), D.qty)
    .option(
      '--epochs <n>',
      "training epochs (default: the model's own: fill, adverse, toxicity 8; volatility 30; impact 200)",
      positiveInt('--epochs', 100_000),
    )
    .option('--hidden <n>', "hidden units (default: the model's own: fill, adverse, toxicity 16; volatility and impact 8)", positiveInt('--hidden', 4096))
    .option('--seed <n>', 'seed of the weights and batch order', nonNegativeInt('--seed'), D.seed)
    .option(
      '--orders <n>',
      'impact: training parent orders (1–5 % of daily volume over 30 minutes, traded by rule)',
      positiveInt('--orders', 100_000),
      D.orders,
    )
    .option('--test-orders <n>', 'impact, dark: held-out parent orders (another batch seed)', positiveInt('--test-orders', 100_000), D.testOrders)
    .option('--dark-orders <n>', 'dark: training parent orders (their dark pings, by rule and ml-even)', positiveInt('--dark-orders', 100_000), D.darkOrders)
    .option('--test-scenario <name|file|lobster folder>', 'fill: score on this market instead (e.g. a real day replayed)')
    .option('--registry <dir>', 'model registry folder', 'sor-models')
    .option('--json', 'print JSON', false)
    .action(async (model: string, o) => {
      if (!(KINDS as string[]).includes(model)) throw new UsageError(`unknown model "${model}" (known: ${KINDS.join(', ')})`);
      if (o.testScenario !== undefined && !(TEST_MARKET_KINDS as string[]).includes(model))
        throw new UsageError(`--test-scenario applies to the ${TEST_MARKET_KINDS.join(', ')} model${TEST_MARKET_KINDS.length > 1 ? 's' : ''}`);
      const seeds = {
        trainSeeds: parseSeeds(o.trainSeeds, '--train-seeds'),
        validSeeds: parseSeeds(o.validSeeds, '--valid-seeds'),
        testSeeds: parseSeeds(o.testSeeds, '--test-seeds'),
      };
      sessionFits(o);
      const { scenario, file } = resolveMarket(o.scenario);
      const registry = new ModelRegistry(o.registry);
      // what is trained is kept: a registry that cannot take it is refused now, not after minutes of training
      registry.assertWritable();
      const r = await trainModel(model as ModelName, scenario, file, {
        ...seeds,
        startMinute: o.startMinute,
        minutes: o.minutes,
        gapSeconds: o.gapSeconds,
        ...(o.horizonSeconds !== undefined ? { horizonSeconds: o.horizonSeconds } : {}),
        qty: o.qty,
        ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
        ...(o.hidden !== undefined ? { hidden: o.hidden } : {}),
        seed: o.seed,
        orders: o.orders,
        testOrders: o.testOrders,
        darkOrders: o.darkOrders,
        ...(o.testScenario !== undefined ? { testMarket: resolveMarket(o.testScenario) } : {}),
      });
      const entry = registry.save(r.artifact.kind, r.artifact, r.metrics, r.meta);
      print({ model: entry.id, file: entry.file, feature_schema: entry.schema, data_hash: entry.data_hash, ...r.meta, metrics: r.metrics }, o.json);
    });
  program
    .command('models')
    .description('list the models in a registry: kind, version, feature schema, training-data hash, metrics')
    .option('--registry <dir>', 'model registry folder', 'sor-models')
    .option('--json', 'print JSON', false)
    .action((o: { registry: string; json: boolean }) => {
      const registry = new ModelRegistry(o.registry);
      const list = registry.list();
      const problems = registry.problems();
      if (o.json) return print(problems.length > 0 ? { models: list, problems } : list, true);
      printModels(o.registry, list, problems);
    });
}

/** `sor models` for a person: one row per model, then the files left out and why. */
function printModels(dir: string, list: RegistryEntry[], problems: RegistryProblem[]): void {
  if (list.length === 0 && problems.length === 0) {
    console.log(`${dir}: no models`);
    return;
  }
  const rows = list.map((e) => {
    const m = e.meta as { scenario?: string; horizon_seconds?: number; rows?: { train?: number } } | null;
    return [
      e.id,
      e.kind,
      String(e.version),
      m?.scenario ?? '',
      m?.horizon_seconds !== undefined ? `${m.horizon_seconds} s` : '',
      String(m?.rows?.train ?? ''),
      headline(e.metrics),
    ];
  });
  table(['model', 'kind', 'version', 'trained on', 'horizon', 'train rows', 'held-out metric'], rows);
  for (const p of problems) console.log(`left out ${p.file}: ${p.problem}`);
}

/** The one number a person looks at first, per kind of metrics. */
function headline(metrics: unknown): string {
  // fill and adverse: { model: { auc } }; the others: { <metric>: { model } }
  const m = (metrics ?? {}) as Record<string, { auc?: unknown; model?: unknown } | undefined>;
  const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (num(m.model?.auc)) return `AUC ${m.model.auc.toFixed(3)}`;
  for (const [k, label, d] of [
    ['qlike', 'QLIKE', 4],
    ['mse', 'MSE', 2],
    ['r2', 'R²', 3],
  ] as const) {
    const v = m[k]?.model;
    if (num(v)) return `${label} ${v.toFixed(d)}`;
  }
  return '';
}
