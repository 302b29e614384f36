import type { Command } from 'commander';
import { Store } from '../data/store.js';
import { fillExamples } from '../models/datasets.js';
import { volExamples } from '../models/volatility.js';
import { FEATURE_NAMES, FEATURE_SCHEMA } from '../features/engine.js';
import { NS_PER_SECOND } from '../core/types.js';
import { ScenarioError } from '../sim/registry.js';
import { marketFacts, standardSpec } from '../tca/backtest.js';
import { impactExamples } from '../tca/impact-data.js';
import { IMPACT_FEATURES } from '../models/impact.js';
import { resolveMarket } from './backtest.js';
import { print } from './bench.js';
import { UsageError } from './errors.js';
import { nonNegativeInt, positiveNumber } from './simulate.js';

/** "1-8" or "1,3,5" (or a mix): the seeds, in order, without repeats. */
export function parseSeeds(v: string): number[] {
  const out = new Set<number>();
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--seeds: "${part}" is not a seed or a range a-b`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 100_000) throw new UsageError(`--seeds: bad range "${part}"`);
    for (let x = a; x <= b; x++) out.add(x);
  }
  return [...out];
}

/**
 * A dataset subcommand with the options they all share: the market, the store, the dataset id (`idDefault` says
 * what it is without one), Parquet export, JSON output.
 */
function datasetCmd(ds: Command, name: string, description: string, idDefault: string): Command {
  return ds
    .command(name)
    .description(description)
    .option('--scenario <name|file|lobster folder>', 'scenario', 'default')
    .option('--db <file>', 'the DuckDB store', 'sor.duckdb')
    .option('--id <dataset-id>', `dataset id (default: ${idDefault})`)
    .option('--parquet <dir>', 'also export the dataset as Parquet into this folder')
    .option('--json', 'print JSON', false);
}

/** Runs a dataset's simulations; a scenario that cannot run is the user's input, exit 2. */
function simulating<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

export function datasetCommand(program: Command): void {
  const ds = program.command('dataset').description('labelled datasets for the models, written to the store and to Parquet');
  datasetCmd(ds, 'fill', 'fill-probability examples: small post-only probes at random times, venues, sides and distances from the touch; label = filled within the horizon', 'fill_<scenario>_<seeds>')
    .option('--seeds <list>', 'market seeds, e.g. 1-8 or 1,3,5', '1-4')
    .option('--start-minute <n>', 'minutes after the open to start probing', nonNegativeInt('--start-minute'), 30)
    .option('--minutes <n>', 'minutes of probing per seed', nonNegativeInt('--minutes'), 60)
    .option('--gap-seconds <s>', 'mean time between probes', positiveNumber('--gap-seconds'), 3)
    .option('--horizon-seconds <s>', 'how long a probe rests (the label horizon)', positiveNumber('--horizon-seconds'), 10)
    .option('--qty <n>', 'probe size, shares', nonNegativeInt('--qty'), 100)
    .action(async (o) => {
      const seeds = parseSeeds(o.seeds);
      if (!(o.qty > 0)) throw new UsageError('--qty must be positive');
      const { scenario, file } = resolveMarket(o.scenario);
      const facts = marketFacts(scenario, file);
      const d = simulating(() =>
        fillExamples(scenario, {
          seeds,
          startMinute: o.startMinute,
          minutes: o.minutes,
          meanGapNs: o.gapSeconds * NS_PER_SECOND,
          horizonNs: o.horizonSeconds * NS_PER_SECOND,
          qty: o.qty,
          adv: facts.adv,
          longRunVolBps: facts.volBps,
          file,
        }),
      );
      const id: string = o.id ?? `fill_${scenario.name}_s${o.seeds.replace(/[^0-9,-]/g, '')}`;
      const positives = d.rows.reduce((a, r) => a + r.values[d.columns.indexOf('label')]!, 0);
      await store(o, 'fill_examples', { datasetId: id, kind: 'fill-probability', scenario: scenario.name, schemaVersion: d.schema.version, schemaHash: d.schema.hash }, d.columns, d.rows, {
        seeds,
        fill_rate: d.rows.length > 0 ? Math.round((positives / d.rows.length) * 1e4) / 1e4 : 0,
        feature_schema: d.schema,
      });
    });
  impactDatasetCommand(ds);
  datasetCmd(ds, 'volatility', 'volatility examples: features every 30 s, the realised variance of the next horizon, and the EWMA and GARCH forecasts beside it', 'volatility_<scenario>_<seeds>')
    .option('--seeds <list>', 'market seeds, e.g. 1-8 or 1,3,5', '1-4')
    .option('--start-minute <n>', 'minutes after the open to start', nonNegativeInt('--start-minute'), 30)
    .option('--minutes <n>', 'minutes per seed', nonNegativeInt('--minutes'), 330)
    .option('--every-seconds <s>', 'time between examples', positiveNumber('--every-seconds'), 30)
    .option('--horizon-seconds <s>', 'forecast horizon', positiveNumber('--horizon-seconds'), 300)
    .action(async (o) => {
      const seeds = parseSeeds(o.seeds);
      const { scenario, file } = resolveMarket(o.scenario);
      const facts = marketFacts(scenario, file);
      const rows: { seed: number; values: number[] }[] = [];
      simulating(() => {
        for (const seed of seeds) {
          const ex = volExamples(scenario, {
            seeds: [seed],
            startMinute: o.startMinute,
            minutes: o.minutes,
            everyNs: o.everySeconds * NS_PER_SECOND,
            horizonNs: o.horizonSeconds * NS_PER_SECOND,
            adv: facts.adv,
            longRunVolBps: facts.volBps,
            file,
          });
          for (const e of ex) rows.push({ seed, values: [...Array.from(e.x), e.t, o.horizonSeconds * NS_PER_SECOND, e.rv, e.ewma, e.garch] });
        }
      });
      const id: string = o.id ?? `volatility_${scenario.name}_s${o.seeds.replace(/[^0-9,-]/g, '')}`;
      await store(o, 'volatility_examples', { datasetId: id, kind: 'volatility', scenario: scenario.name, schemaVersion: FEATURE_SCHEMA.version, schemaHash: FEATURE_SCHEMA.hash }, [...FEATURE_NAMES, 't_ns', 'horizon_ns', 'rv', 'ewma', 'garch'], rows, {
        seeds,
        feature_schema: { version: FEATURE_SCHEMA.version, hash: FEATURE_SCHEMA.hash },
      });
    });
}

function impactDatasetCommand(ds: Command): void {
  datasetCmd(ds, 'impact', 'metaorder impact examples: parent orders of 1–5 % of daily volume over 30 minutes traded by rule, each against its market without it', 'impact_<scenario>_b<seed>')
    .option('--orders <n>', 'parent orders', nonNegativeInt('--orders'), 200)
    .option('--seed <n>', 'seed of the batch', nonNegativeInt('--seed'), 1)
    .action(async (o) => {
      if (!(o.orders > 0)) throw new UsageError('--orders must be positive');
      const { scenario, file } = resolveMarket(o.scenario);
      const d = await impactExamples(standardSpec(scenario, file, ['rule'], o.orders, o.seed), 2);
      const rows = d.examples.map((e, i) => ({ seed: d.orders[i]!.seed, values: [...e.x, d.orders[i]!.start, d.orders[i]!.qty, e.y] }));
      const id: string = o.id ?? `impact_${scenario.name}_b${o.seed}`;
      await store(o, 'impact_examples', { datasetId: id, kind: 'impact', scenario: scenario.name, schemaVersion: 1, schemaHash: 'impact-features-v1' }, [...IMPACT_FEATURES, 't_ns', 'qty', 'end_impact_bps'], rows, {
        batch_seed: o.seed,
        data_hash: d.hash,
      });
    });
}

/** Writes a dataset to the store (and to Parquet if asked), then prints what was stored. */
async function store(
  o: { db: string; parquet?: string; json: boolean },
  table: string,
  meta: Parameters<Store['writeDataset']>[1],
  columns: readonly string[],
  rows: readonly { seed: number; values: ArrayLike<number> }[],
  extra: Record<string, unknown>,
): Promise<void> {
  const s = await Store.open(o.db);
  try {
    const n = await s.writeDataset(table, meta, columns, rows);
    const parquet = o.parquet ? await s.exportDatasetParquet(table, meta.datasetId, o.parquet, 'seed, t_ns') : undefined;
    print({ db: o.db, dataset_id: meta.datasetId, scenario: meta.scenario, rows: n, ...extra, ...(parquet ? { parquet } : {}) }, o.json);
  } catch (e) {
    throw new UsageError((e as Error).message, 1);
  } finally {
    s.close();
  }
}
