import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadLobster, resolvePair } from '../data/lobster.js';
import { realStats, syntheticStats } from '../data/realism.js';
import { metaorderExperiment } from '../sim/metaorder.js';
import { ScenarioError } from '../sim/registry.js';
import { print } from './bench.js';
import { UsageError } from './errors.js';
import { packageFile } from './paths.js';
import { dataErrors } from './replay.js';
import { nonNegativeInt, resolveScenario } from './simulate.js';

export function realismCommand(program: Command): void {
  program
    .command('realism')
    .description('a synthetic day against the real day it was calibrated on, and a metaorder experiment (impact exponent)')
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--data <lobster-folder>', 'the real day to compare with', packageFile('..', 'shared', 'data', 'lobster', 'GOOG_2012-06-21_L1'))
    .option('--seed <n>', 'seed of the synthetic day', nonNegativeInt('--seed'), 1)
    .option('--metaorder-seeds <n>', 'seeds per programme size in the metaorder experiment', nonNegativeInt('--metaorder-seeds'), 12)
    .option('--replay-scenario <name|file>', 'the replay-driven scenario for the same experiment (needs its LOBSTER data)', 'replay-goog')
    .option('--json', 'print JSON', false)
    .action((o: { scenario: string; data: string; seed: number; metaorderSeeds: number; replayScenario: string; json: boolean }) => {
      const { scenario, file } = resolveScenario(o.scenario);
      const impact = scenario.impact as { dailyVolume?: number } | undefined;
      const synthetic = syntheticStats(scenario, o.seed);
      const real = existsSync(o.data) ? dataErrors(() => realStats(loadLobster(resolvePair(o.data)), scenario.tick)) : null;
      if (o.metaorderSeeds < 2) throw new UsageError('--metaorder-seeds must be at least 2');
      const dailyVolume = impact?.dailyVolume ?? synthetic.traded_volume;
      const design = { fractions: [0.001, 0.003, 0.01, 0.03, 0.1], dailyVolume, participation: 0.1, startMinute: 5, sliceSeconds: 10 };
      const meta = metaorderExperiment(scenario, { ...design, seeds: Array.from({ length: o.metaorderSeeds }, (_, i) => i + 1), file });
      // the replayed lit market is the same on every seed (seeds move only latencies and dark pools): two suffice
      const replay = dataErrors(() => {
        try {
          const r = resolveScenario(o.replayScenario);
          const res = metaorderExperiment(r.scenario, { ...design, seeds: [1, 2], file: r.file });
          return { scenario: r.scenario.name, ...res, exponent_in_sqrt_band: res.exponent >= 0.4 && res.exponent <= 0.7 };
        } catch (e) {
          if (e instanceof UsageError || e instanceof ScenarioError) return `not measured: ${e.message}`;
          throw e;
        }
      });
      print(
        {
          scenario: scenario.name,
          real_day: real ? o.data.split('/').filter(Boolean).pop() : `no data at ${o.data}`,
          synthetic,
          real,
          metaorder: {
            design: 'buy programmes of 0.1–10 % of daily volume at 10 % participation from 09:35, each against the same seed without it; impact at the end (mid averaged over the last minute)',
            daily_volume: dailyVolume,
            synthetic: { ...meta, exponent_in_sqrt_band: meta.exponent >= 0.4 && meta.exponent <= 0.7 },
            replay,
          },
        },
        o.json,
      );
    });
}
