import type { Command } from 'commander';
import { resolveMarket } from '../backtest/market.js';
import { DEFAULT_TRAINING as D, MODELS, trainModel, type ModelName } from '../backtest/training.js';
import { ModelRegistry } from '../models/registry.js';
import { UsageError } from './errors.js';
import { nonNegativeInt, parseSeeds, positiveNumber } from './options.js';
import { print } from './print.js';

const KINDS = Object.keys(MODELS) as ModelName[];
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
    .option('--start-minute <n>', 'minutes after the open to start probing', nonNegativeInt('--start-minute'), D.startMinute)
    .option('--minutes <n>', 'minutes of probing per seed', nonNegativeInt('--minutes'), D.minutes)
    .option('--gap-seconds <s>', 'mean time between probes', positiveNumber('--gap-seconds'), D.gapSeconds)
    .option(
      '--horizon-seconds <s>',
      'fill: filled within this long (default 10); volatility: the forecast horizon (default 300)',
      positiveNumber('--horizon-seconds'),
    )
    .option('--qty <n>', 'probe size, shares', nonNegativeInt('--qty'), D.qty)
    .option('--epochs <n>', "training epochs (default: the model's own: fill, adverse, toxicity 8; volatility 30; impact 200)", nonNegativeInt('--epochs'))
    .option('--hidden <n>', "hidden units (default: the model's own: fill, adverse, toxicity 16; volatility and impact 8)", nonNegativeInt('--hidden'))
    .option('--seed <n>', 'seed of the weights and batch order', nonNegativeInt('--seed'), D.seed)
    .option('--orders <n>', 'impact: training parent orders (1–5 % of daily volume over 30 minutes, traded by rule)', nonNegativeInt('--orders'), D.orders)
    .option('--test-orders <n>', 'impact, dark: held-out parent orders (another batch seed)', nonNegativeInt('--test-orders'), D.testOrders)
    .option('--dark-orders <n>', 'dark: training parent orders (their dark pings, by rule and ml-even)', nonNegativeInt('--dark-orders'), D.darkOrders)
    .option('--test-scenario <name|file|lobster folder>', 'fill: score on this market instead (e.g. a real day replayed)')
    .option('--registry <dir>', 'model registry folder', 'sor-models')
    .option('--json', 'print JSON', false)
    .action(async (model: string, o) => {
      if (!(KINDS as string[]).includes(model)) throw new UsageError(`unknown model "${model}" (known: ${KINDS.join(', ')})`);
      if (o.testScenario !== undefined && model !== 'fill') throw new UsageError('--test-scenario applies to the fill model');
      if (!(o.qty > 0) || o.epochs === 0 || o.hidden === 0) throw new UsageError('--qty, --epochs and --hidden must be positive');
      const { scenario, file } = resolveMarket(o.scenario);
      const r = await trainModel(model as ModelName, scenario, file, {
        trainSeeds: parseSeeds(o.trainSeeds),
        validSeeds: parseSeeds(o.validSeeds),
        testSeeds: parseSeeds(o.testSeeds),
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
      const entry = new ModelRegistry(o.registry).save(r.artifact.kind, r.artifact, r.metrics, r.meta);
      print({ model: entry.id, file: entry.file, feature_schema: entry.schema, data_hash: entry.data_hash, ...r.meta, metrics: r.metrics }, o.json);
    });
  program
    .command('models')
    .description('list the models in a registry: kind, version, feature schema, training-data hash, metrics')
    .option('--registry <dir>', 'model registry folder', 'sor-models')
    .option('--json', 'print JSON', false)
    .action((o: { registry: string; json: boolean }) => {
      let list;
      try {
        list = new ModelRegistry(o.registry).list();
      } catch (e) {
        throw new UsageError((e as Error).message, 1);
      }
      print(list, o.json);
    });
}
