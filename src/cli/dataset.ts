import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { Store } from '../data/store.js';
import { fillExamples } from '../models/datasets.js';
import { NS_PER_SECOND } from '../core/types.js';
import { ScenarioError } from '../sim/registry.js';
import { marketFacts } from '../tca/backtest.js';
import { scenarioFromLobsterFolder } from './backtest.js';
import { print } from './bench.js';
import { UsageError } from './errors.js';
import { nonNegativeInt, positiveNumber, resolveScenario } from './simulate.js';

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

export function datasetCommand(program: Command): void {
  const ds = program.command('dataset').description('labelled datasets for the models, written to the store and to Parquet');
  ds.command('fill')
    .description('fill-probability examples: small post-only probes at random times, venues, sides and distances from the touch; label = filled within the horizon')
    .option('--scenario <name|file|lobster folder>', 'scenario', 'default')
    .option('--seeds <list>', 'market seeds, e.g. 1-8 or 1,3,5', '1-4')
    .option('--start-minute <n>', 'minutes after the open to start probing', nonNegativeInt('--start-minute'), 30)
    .option('--minutes <n>', 'minutes of probing per seed', nonNegativeInt('--minutes'), 60)
    .option('--gap-seconds <s>', 'mean time between probes', positiveNumber('--gap-seconds'), 3)
    .option('--horizon-seconds <s>', 'how long a probe rests (the label horizon)', positiveNumber('--horizon-seconds'), 10)
    .option('--qty <n>', 'probe size, shares', nonNegativeInt('--qty'), 100)
    .option('--db <file>', 'the DuckDB store', 'sor.duckdb')
    .option('--id <dataset-id>', 'dataset id (default: fill_<scenario>_<seeds>)')
    .option('--parquet <dir>', 'also export the dataset as Parquet into this folder')
    .option('--json', 'print JSON', false)
    .action(async (o) => {
      const seeds = parseSeeds(o.seeds);
      if (!(o.qty > 0)) throw new UsageError('--qty must be positive');
      const isDir = statSync(o.scenario, { throwIfNoEntry: false })?.isDirectory() ?? false;
      const { scenario, file } = isDir ? scenarioFromLobsterFolder(o.scenario) : resolveScenario(o.scenario);
      const facts = marketFacts(scenario, file);
      let d;
      try {
        d = fillExamples(scenario, {
          seeds,
          startMinute: o.startMinute,
          minutes: o.minutes,
          meanGapNs: o.gapSeconds * NS_PER_SECOND,
          horizonNs: o.horizonSeconds * NS_PER_SECOND,
          qty: o.qty,
          adv: facts.adv,
          longRunVolBps: facts.volBps,
          file,
        });
      } catch (e) {
        if (e instanceof ScenarioError) throw new UsageError(e.message);
        throw e;
      }
      const id: string = o.id ?? `fill_${scenario.name}_s${o.seeds.replace(/[^0-9,-]/g, '')}`;
      const store = await Store.open(o.db);
      try {
        const n = await store.writeDataset('fill_examples', { datasetId: id, kind: 'fill-probability', scenario: scenario.name, schemaVersion: d.schema.version, schemaHash: d.schema.hash }, d.columns, d.rows);
        const parquet = o.parquet ? await store.exportDatasetParquet('fill_examples', id, o.parquet, 'seed, t_ns') : undefined;
        const positives = d.rows.reduce((a, r) => a + r.values[d.columns.indexOf('label')]!, 0);
        print(
          { db: o.db, dataset_id: id, scenario: scenario.name, seeds, rows: n, fill_rate: n > 0 ? Math.round((positives / n) * 1e4) / 1e4 : 0, feature_schema: d.schema, ...(parquet ? { parquet } : {}) },
          o.json,
        );
      } catch (e) {
        throw new UsageError((e as Error).message, 1);
      } finally {
        store.close();
      }
    });
}
