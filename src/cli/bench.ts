import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { runFixBench } from '../bench/fix-bench.js';
import { runHaltBench } from '../bench/halt-bench.js';
import { benchReplay } from '../bench/replay-bench.js';
import { resolveScenario } from '../backtest/market.js';
import { UsageError } from '../core/errors.js';
import { BACKTEST_BENCH, benchAll, benchBook, benchDecisionWithModels, benchDefaultBacktest, benchSim, DECISIONS, GOOG_DATA } from '../bench/suite.js';
import { IoError } from './errors.js';
import { MAX_WORKERS, nonNegativeInt, numberIn, positiveInt } from './options.js';
import { print } from './print.js';

export function benchCommand(program: Command): void {
  const bench = program.command('bench').description('benchmarks (JSON with --json); each runs a peer side by side where one exists');
  bench
    .command('book')
    .description('order book vs hft-limit-order-book on a GOOG-shaped stream and a deep-queue stream')
    .option('--json', 'print JSON', false)
    .option('--profile <lobster-folder>', 'shape the stream on this LOBSTER day instead of the shipped GOOG profile')
    .option('--ops <n>', 'operations in the realistic stream', positiveInt('--ops'), 1_000_000)
    .option('--deep-ops <n>', 'operations after the deep queues are built', positiveInt('--deep-ops'), 100_000)
    .option('--per-level <n>', 'orders per price level in the deep-queue stream', positiveInt('--per-level'), 2_000)
    .option('--seed <n>', 'seed of the streams', nonNegativeInt('--seed'), 1)
    .action(async (o) => print(await benchBook(o), o.json));
  bench
    .command('sim')
    .description('a simulated 6.5-hour day of the default scenario (target ≤ 10 s)')
    .option('--json', 'print JSON', false)
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), 1)
    .option('--minutes <n>', 'simulated minutes', positiveInt('--minutes'), 390)
    .action((o) => print(benchSim(o), o.json));
  bench
    .command('replay')
    .description('replay the GOOG LOBSTER day (target ≥ 2,000,000 events/s)')
    .option('--json', 'print JSON', false)
    .option('--data <lobster-folder>', 'the day to replay', GOOG_DATA)
    .action((o: { json: boolean; data: string }) => {
      if (!existsSync(o.data)) throw new IoError(`${o.data}: no LOBSTER data there; give a folder with --data`);
      print(benchReplay(o.data), o.json);
    });
  bench
    .command('backtest')
    .description('parent orders backtested per second: 4 policies on 2 worker threads, and on one thread for the speedup (target ≥ 1.8)')
    .option('--json', 'print JSON', false)
    .option('--orders <n>', 'parent orders', positiveInt('--orders'), BACKTEST_BENCH.orders)
    .option('--policies <list>', 'policies', BACKTEST_BENCH.policies.join(','))
    .option('--workers <n>', 'worker threads', positiveInt('--workers', MAX_WORKERS), BACKTEST_BENCH.workers)
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), BACKTEST_BENCH.seed)
    .option('--rounds <n>', 'alternating rounds of both; each is timed by its fastest', positiveInt('--rounds'), BACKTEST_BENCH.rounds)
    .action(async (o) => print(await benchDefaultBacktest({ ...o, policies: o.policies.split(',') }), o.json));
  bench
    .command('decision')
    .description('an ml-router decision: feature update, every model, the lit and dark allocations (targets p50 ≤ 10 µs, p99 ≤ 50 µs)')
    .option('--json', 'print JSON', false)
    .option('--decisions <n>', 'decisions timed', positiveInt('--decisions'), DECISIONS)
    .option('--registry <dir>', "use the ml router's models here (else small ones are trained first, untimed)", 'sor-models')
    .action(async (o) => print(await benchDecisionWithModels(o.registry, o.decisions), o.json));
  bench
    .command('fix')
    .description(
      'a parent NewOrderSingle in at the OMS session → its first child NewOrderSingle at a venue, on loopback, per journal sync mode (targets p99 ≤ 500 µs and ≤ 1.5× the peer’s); the peer: a bare jspurefix round trip',
    )
    .option('--json', 'print JSON', false)
    .option('--parents <n>', 'parents timed one at a time (a burst of up to 2,000 for the rate)', positiveInt('--parents', 1_000_000), 10_000)
    .option('--sync <modes>', 'journal sync modes: every, group, os (comma-separated)', 'every,group,os')
    .option('--rate <n>', 'parents a second at most while timing one at a time (the offered load)', numberIn('--rate', 1, 100_000), 200)
    .action(async (o: { json: boolean; parents: number; sync: string; rate: number }) => {
      const modes = o.sync.split(',');
      for (const m of modes) if (!['every', 'group', 'os'].includes(m)) throw new UsageError(`--sync: every, group or os, not ${JSON.stringify(m)}`);
      print(
        await runFixBench({ market: resolveScenario('default'), parents: o.parents, rate: o.rate, syncModes: modes as ('every' | 'group' | 'os')[] }),
        o.json,
      );
      // jspurefix's sessions keep handles open after they stop
      process.exit(0);
    });
  bench
    .command('halt')
    .description(
      'the halt drill over the live stack: `halt` through the control API until every working child is confirmed cancelled, per trial (p50, p99, max); nothing sent while halted',
    )
    .option('--json', 'print JSON', false)
    .option('--trials <n>', 'halts (each followed by a resume)', positiveInt('--trials', 100_000), 100)
    .option('--speed <x>', 'market time per wall time', numberIn('--speed', 0.1, 1000), 10)
    .action(async (o: { json: boolean; trials: number; speed: number }) => {
      const r = await runHaltBench({ market: resolveScenario('default'), trials: o.trials, speed: o.speed });
      print(r, o.json);
      if (r.trials_not_all_cancelled > 0 || r.children_sent_while_halted > 0 || r.replay_mismatches > 0) process.exitCode = 3;
    });
  bench
    .command('all')
    .description('every benchmark, one JSON document')
    .option('--json', 'print JSON', false)
    .action(async (o) => print(await benchAll(), o.json));
}
