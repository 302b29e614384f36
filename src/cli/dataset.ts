import type { Command } from 'commander';
import { fillDataset, impactDataset, storeDataset, volatilityDataset, type Dataset } from '../backtest/datasets.js';
import { resolveMarket } from '../backtest/market.js';
import { writableFolder } from '../core/files.js';
import { NS_PER_SECOND, SESSION_MINUTES } from '../core/types.js';
import { Store } from '../data/store.js';
import { nonNegativeInt, numberIn, parseSeeds, positiveInt, sessionFits } from './options.js';
import { print } from './print.js';

export { parseSeeds } from './options.js';

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

/**
 * Checks the store and the export folder, then makes the dataset (minutes of simulation), stores it and prints what
 * was stored: a store that cannot take it is refused before the work, not after.
 */
async function makeAndStore(o: { db: string; parquet?: string; json: boolean }, make: () => Dataset | Promise<Dataset>): Promise<void> {
  if (o.parquet) writableFolder(o.parquet, '--parquet');
  await Store.check(o.db);
  print(await storeDataset(o.db, o.parquet, await make()), o.json);
}

export function datasetCommand(program: Command): void {
  const ds = program.command('dataset').description('labelled datasets for the models, written to the store and to Parquet');
  datasetCmd(
    ds,
    'fill',
    'fill-probability examples: small post-only probes at random times, venues, sides and distances from the touch; label = filled within the horizon',
    'fill_<scenario>_<seeds>',
  )
    .option('--seeds <list>', 'market seeds, e.g. 1-8 or 1,3,5', '1-4')
    .option('--start-minute <n>', 'minutes after the open to start probing', nonNegativeInt('--start-minute', SESSION_MINUTES - 1), 30)
    .option('--minutes <n>', 'minutes of probing per seed', positiveInt('--minutes', SESSION_MINUTES), 60)
    .option('--gap-seconds <s>', 'mean time between probes', numberIn('--gap-seconds', 0.1, 3600), 3)
    .option('--horizon-seconds <s>', 'how long a probe rests (the label horizon)', numberIn('--horizon-seconds', 1, 3600), 10)
    .option('--qty <n>', 'probe size, shares', positiveInt('--qty'), 100)
    .action(async (o) => {
      const seeds = parseSeeds(o.seeds);
      sessionFits(o);
      const opts = {
        seeds,
        startMinute: o.startMinute,
        minutes: o.minutes,
        meanGapNs: o.gapSeconds * NS_PER_SECOND,
        horizonNs: o.horizonSeconds * NS_PER_SECOND,
        qty: o.qty,
      };
      await makeAndStore(o, () => fillDataset(resolveMarket(o.scenario), opts, o.seeds, o.id));
    });
  datasetCmd(
    ds,
    'impact',
    'metaorder impact examples: parent orders of 1–5 % of daily volume over 30 minutes traded by rule, each against its market without it',
    'impact_<scenario>_b<seed>',
  )
    .option('--orders <n>', 'parent orders', positiveInt('--orders', 100_000), 200)
    .option('--seed <n>', 'seed of the batch', nonNegativeInt('--seed'), 1)
    .action(async (o) => {
      await makeAndStore(o, () => impactDataset(resolveMarket(o.scenario), o.orders, o.seed, o.id));
    });
  datasetCmd(
    ds,
    'volatility',
    'volatility examples: features every 30 s, the realised variance of the next horizon, and the EWMA and GARCH forecasts beside it',
    'volatility_<scenario>_<seeds>',
  )
    .option('--seeds <list>', 'market seeds, e.g. 1-8 or 1,3,5', '1-4')
    .option('--start-minute <n>', 'minutes after the open to start', nonNegativeInt('--start-minute', SESSION_MINUTES - 1), 30)
    .option('--minutes <n>', 'minutes per seed', positiveInt('--minutes', SESSION_MINUTES), 330)
    .option('--every-seconds <s>', 'time between examples', numberIn('--every-seconds', 1, 3600), 30)
    .option('--horizon-seconds <s>', 'forecast horizon', numberIn('--horizon-seconds', 1, 23_400), 300)
    .action(async (o) => {
      const seeds = parseSeeds(o.seeds);
      sessionFits(o);
      const opts = {
        seeds,
        startMinute: o.startMinute,
        minutes: o.minutes,
        everyNs: o.everySeconds * NS_PER_SECOND,
        horizonNs: o.horizonSeconds * NS_PER_SECOND,
      };
      await makeAndStore(o, () => volatilityDataset(resolveMarket(o.scenario), opts, o.seeds, o.id));
    });
}
