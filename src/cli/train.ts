import type { Command } from 'commander';
import { NS_PER_SECOND } from '../core/types.js';
import { ModelRegistry } from '../models/registry.js';
import { HeldOutError, trainAdverse, trainFill, trainVolatility } from '../models/train.js';
import { evaluateImpact, trainImpactModel } from '../models/impact.js';
import { impactExamples } from '../tca/impact-data.js';
import { ScenarioError } from '../sim/registry.js';
import { marketFacts, standardSpec } from '../tca/backtest.js';
import { resolveMarket } from './backtest.js';
import { print } from './bench.js';
import { parseSeeds } from './dataset.js';
import { UsageError } from './errors.js';
import { nonNegativeInt, positiveNumber } from './simulate.js';

const KINDS = ['fill', 'adverse', 'volatility', 'impact'] as const;


export function trainCommand(program: Command): void {
  program
    .command('train')
    .description('train a model on simulated data, score it on held-out seeds against its baseline, and register it')
    .argument('<model>', `what to train: ${KINDS.join(', ')}`)
    .option('--scenario <name|file|lobster folder>', 'scenario', 'default')
    .option('--train-seeds <list>', 'seeds of the training markets', '1-6')
    .option('--valid-seeds <list>', 'seeds of the calibration markets', '7-8')
    .option('--test-seeds <list>', 'held-out seeds the metrics are measured on', '101-102')
    .option('--start-minute <n>', 'minutes after the open to start probing', nonNegativeInt('--start-minute'), 30)
    .option('--minutes <n>', 'minutes of probing per seed', nonNegativeInt('--minutes'), 120)
    .option('--gap-seconds <s>', 'mean time between probes', positiveNumber('--gap-seconds'), 2)
    .option('--horizon-seconds <s>', 'fill: filled within this long (default 10); volatility: the forecast horizon (default 300)', positiveNumber('--horizon-seconds'))
    .option('--qty <n>', 'probe size, shares', nonNegativeInt('--qty'), 100)
    .option('--epochs <n>', 'training epochs', nonNegativeInt('--epochs'), 8)
    .option('--hidden <n>', 'hidden units', nonNegativeInt('--hidden'), 16)
    .option('--seed <n>', 'seed of the weights and batch order', nonNegativeInt('--seed'), 1)
    .option('--orders <n>', 'impact: training parent orders (1–5 % of daily volume over 30 minutes, traded by rule)', nonNegativeInt('--orders'), 300)
    .option('--test-orders <n>', 'impact: held-out parent orders (another batch seed)', nonNegativeInt('--test-orders'), 100)
    .option('--test-scenario <name|file|lobster folder>', 'fill: score on this market instead (e.g. a real day replayed)')
    .option('--registry <dir>', 'model registry folder', 'sor-models')
    .option('--json', 'print JSON', false)
    .action(async (model: string, o) => {
      if (!(KINDS as readonly string[]).includes(model)) throw new UsageError(`unknown model "${model}" (known: ${KINDS.join(', ')})`);
      if (o.testScenario !== undefined && model !== 'fill') throw new UsageError('--test-scenario applies to the fill model');
      if (!(o.qty > 0) || !(o.epochs > 0) || !(o.hidden > 0)) throw new UsageError('--qty, --epochs and --hidden must be positive');
      const { scenario, file } = resolveMarket(o.scenario);
      const facts = marketFacts(scenario, file);
      // what every model's training run shares: the three sets of seeds, the window, the network
      const run = {
        trainSeeds: parseSeeds(o.trainSeeds),
        validSeeds: parseSeeds(o.validSeeds),
        testSeeds: parseSeeds(o.testSeeds),
        startMinute: o.startMinute,
        minutes: o.minutes,
        adv: facts.adv,
        longRunVolBps: facts.volBps,
        epochs: o.epochs,
        hidden: o.hidden,
        seed: o.seed,
        file,
      };
      const probes = { meanGapNs: o.gapSeconds * NS_PER_SECOND, horizonNs: (o.horizonSeconds ?? 10) * NS_PER_SECOND, qty: o.qty };
      let r: { artifact: { kind: string; schema: { version: number; hash: string }; training: { data_hash: string } }; metrics: unknown; meta: object };
      try {
        if (model === 'impact') {
          const spec = (seed: number, orders: number) => standardSpec(scenario, file, ['rule'], orders, seed);
          const train = await impactExamples(spec(o.seed, o.orders), 2);
          const test = await impactExamples(spec(o.seed + 1000, o.testOrders), 2);
          const artifact = await trainImpactModel(train.examples, { dataHash: train.hash, schema: { version: 1, hash: 'impact-features-v1' }, seed: o.seed });
          r = {
            artifact,
            metrics: evaluateImpact(artifact, test.examples),
            meta: { scenario: scenario.name, policy: 'rule', batches: { train: o.seed, test: o.seed + 1000 }, rows: { train: train.examples.length, test: test.examples.length } },
          };
        } else if (model === 'volatility') {
          r = await trainVolatility(scenario, { ...run, everyNs: 30 * NS_PER_SECOND, horizonNs: (o.horizonSeconds ?? 300) * NS_PER_SECOND });
        } else if (model === 'adverse') {
          r = await trainAdverse(scenario, { ...run, ...probes });
        } else {
          let testMarket;
          if (o.testScenario !== undefined) {
            const t = resolveMarket(o.testScenario);
            const tf = marketFacts(t.scenario, t.file);
            testMarket = { scenario: t.scenario, file: t.file, adv: tf.adv, longRunVolBps: tf.volBps };
          }
          r = await trainFill(scenario, { ...run, ...probes, ...(testMarket ? { testMarket } : {}) });
        }
      } catch (e) {
        if (e instanceof ScenarioError || e instanceof HeldOutError) throw new UsageError(e.message);
        throw e;
      }
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
