import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveScenario } from '../backtest/market.js';
import { EXPOSURE_DESIGN } from '../backtest/exposure.js';
import { realismReport } from '../backtest/realism.js';
import { GOOG_DATA } from '../bench/suite.js';
import { IoError, UsageError } from './errors.js';
import { availableParallelism } from 'node:os';
import { MAX_WORKERS, nonNegativeInt, positiveInt, windowOption, type DayWindow } from './options.js';
import { print } from './print.js';

export function realismCommand(program: Command): void {
  program
    .command('realism')
    .description('a synthetic day against the real day it was calibrated on, and a metaorder experiment (impact exponent)')
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--data <lobster-folder>', 'the real day to compare with', GOOG_DATA)
    .option('--seed <n>', 'seed of the first synthetic day', nonNegativeInt('--seed'), 1)
    .option('--seeds <n>', 'synthetic days (seeds seed … seed + n − 1); the checks use their mean', nonNegativeInt('--seeds'), 4)
    .option(
      '--exposure-trials <n>',
      'paired trials a size in the exposure experiment (0: skip it)',
      nonNegativeInt('--exposure-trials'),
      EXPOSURE_DESIGN.trials,
    )
    .option('--metaorder-seeds <n>', 'seeds per programme size in the metaorder experiment', nonNegativeInt('--metaorder-seeds'), 12)
    .option('--replay-scenario <name|file>', 'the replay-driven scenario for the same experiment (needs its LOBSTER data)', 'replay-goog')
    .option(
      '--workers <n>',
      `worker threads for the exposure experiment's trials (at most ${MAX_WORKERS}: twice this machine's cores)`,
      positiveInt('--workers', MAX_WORKERS),
      Math.min(2, availableParallelism()),
    )
    .option('--window <HH:MM-HH:MM>', 'compare with this part of the real day only (e.g. the part a scenario was not calibrated on)', windowOption('--window'))
    .option('--json', 'print JSON', false)
    .action(
      async (
        o: {
          scenario: string;
          data: string;
          seed: number;
          seeds: number;
          exposureTrials: number;
          metaorderSeeds: number;
          replayScenario: string;
          workers: number;
          window?: DayWindow;
          json: boolean;
        },
        cmd: Command,
      ) => {
        if (o.metaorderSeeds < 2) throw new UsageError('--metaorder-seeds must be at least 2');
        if (o.seeds < 1) throw new UsageError('--seeds must be at least 1');
        // without the shipped day the report is the synthetic one alone; a day asked for by name must be there
        if (cmd.getOptionValueSource('data') !== 'default' && !existsSync(o.data)) throw new IoError(`--data ${o.data}: no such folder`);
        const market = resolveScenario(o.scenario);
        const replay = () => resolveScenario(o.replayScenario);
        const report = await realismReport({
          market,
          data: o.data,
          seed: o.seed,
          seeds: o.seeds,
          exposureTrials: o.exposureTrials,
          metaorderSeeds: o.metaorderSeeds,
          replay,
          workers: o.workers,
          ...(o.window ? { window: o.window } : {}),
        });
        print(report, o.json);
      },
    );
}
