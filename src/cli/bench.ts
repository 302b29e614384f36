import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { benchBacktest } from '../bench/backtest-bench.js';
import { benchDecision } from '../bench/decision-bench.js';
import { ModelRegistry } from '../models/registry.js';
import { MlModels } from '../router/ml-models.js';
import { marketFacts } from '../tca/backtest.js';
import { findRouterModels, QUICK_TRAINING, routerModels } from '../tca/train-models.js';
import { benchReplay } from '../bench/replay-bench.js';
import { compareOnStream, deepQueueStream, loadPeer, loadProfile, realisticStream, runOurs } from '../bench/book-bench.js';
import { timeIt } from '../bench/timing.js';
import { median } from '../core/stats.js';
import { profileFromLobster } from '../data/lobster-profile.js';
import { buildSession, simulate, type SessionSummary } from '../sim/session.js';
import { loadScenarioFile } from '../sim/scenario.js';
import { packageFile } from './paths.js';
import { benchReplayCommand } from './replay.js';

const TARGETS = { realistic_ops_per_sec: 3_000_000, ratio: 10 };
/** The backtest and decision benchmarks' settings, alone or in `bench all`. */
const BACKTEST_BENCH = { orders: 40, policies: ['twap', 'rule', 'prorata', 'ck'], workers: 2, seed: 1 };
const DECISIONS = 200_000;

export async function benchBook(opts: { profile?: string; ops: number; deepOps: number; perLevel: number; seed: number }) {
  const profile = opts.profile ? profileFromLobster(opts.profile) : loadProfile(packageFile('profiles', 'goog-2012-06-21.json'));
  const Peer = await loadPeer();
  const realistic = realisticStream(profile, opts.ops, opts.seed);
  const r = compareOnStream(Peer, realistic, 5, 3, true);
  const deep = deepQueueStream(opts.deepOps, opts.perLevel, opts.seed);
  const d = compareOnStream(Peer, deep, 11, 1, false); // ours takes ~15 ms a run: many runs, so a GC pause cannot sway the median
  // ours alone as the queues deepen tenfold and a hundredfold: the rate must not collapse
  const byDepth = [opts.perLevel / 10, opts.perLevel, opts.perLevel * 10].map((perLevel) => {
    const st = deepQueueStream(opts.deepOps, Math.max(1, Math.round(perLevel)), opts.seed);
    runOurs(st);
    const runs = Array.from({ length: 7 }, () => timeIt(() => runOurs(st)));
    return { orders_per_level: Math.max(1, Math.round(perLevel)), ops: st.n, ours_ops_per_sec: Math.round(st.n / median(runs)) };
  });
  return {
    benchmark: 'book',
    peer: 'hft-limit-order-book@7 (npm), same process, same stream',
    profile: profile.source,
    node: process.version,
    realistic: { ...r, shape: realistic.shape },
    deep_queue: { ...d, orders_per_level_at_start: opts.perLevel, levels_per_side: 10, ours_by_depth: byDepth },
    targets: TARGETS,
    pass:
      r.ours_ops_per_sec >= TARGETS.realistic_ops_per_sec &&
      r.ratio >= TARGETS.ratio &&
      d.ratio >= TARGETS.ratio &&
      r.same_final_book &&
      d.same_final_book,
  };
}

/** A simulated 6.5-hour day of the default scenario, timed end to end (building the market included). */
export function benchSim(opts: { seed: number; minutes: number }) {
  const scenario = loadScenarioFile(packageFile('scenarios', 'default.json'));
  let summary: SessionSummary | undefined;
  const seconds = timeIt(() => {
    summary = simulate(buildSession(scenario, opts.seed), opts.minutes);
  });
  const s = summary!;
  return {
    benchmark: 'sim',
    scenario: s.scenario,
    seed: s.seed,
    simulated_minutes: opts.minutes,
    wall_seconds: Number(seconds.toFixed(3)),
    kernel_events: s.kernel_events,
    kernel_events_per_sec: Math.round(s.kernel_events / seconds),
    logged_events: s.events,
    lit_trades: s.venues.filter((v) => v.kind === 'lit').reduce((a, v) => a + v.trades, 0),
    event_log_hash: s.event_log_hash,
    target_wall_seconds: 10,
    pass: seconds <= 10,
  };
}

export function benchCommand(program: Command): void {
  const bench = program.command('bench').description('benchmarks (JSON with --json); each runs a peer side by side where one exists');
  bench
    .command('book')
    .description('order book vs hft-limit-order-book on a GOOG-shaped stream and a deep-queue stream')
    .option('--json', 'print JSON', false)
    .option('--profile <lobster-folder>', 'shape the stream on this LOBSTER day instead of the shipped GOOG profile')
    .option('--ops <n>', 'operations in the realistic stream', (v) => parseInt(v, 10), 1_000_000)
    .option('--deep-ops <n>', 'operations after the deep queues are built', (v) => parseInt(v, 10), 100_000)
    .option('--per-level <n>', 'orders per price level in the deep-queue stream', (v) => parseInt(v, 10), 2_000)
    .option('--seed <n>', 'seed of the streams', (v) => parseInt(v, 10), 1)
    .action(async (o) => {
      const out = await benchBook(o);
      print(out, o.json);
    });
  addSim(bench);
}

function addSim(bench: Command): void {
  bench
    .command('sim')
    .description('a simulated 6.5-hour day of the default scenario (target ≤ 10 s)')
    .option('--json', 'print JSON', false)
    .option('--seed <n>', 'seed', (v) => parseInt(v, 10), 1)
    .option('--minutes <n>', 'simulated minutes', (v) => parseInt(v, 10), 390)
    .action((o) => print(benchSim(o), o.json));
  benchReplayCommand(bench);
  bench
    .command('backtest')
    .description('parent orders backtested per second: 4 policies on 2 worker threads, and on one thread for the speedup')
    .option('--json', 'print JSON', false)
    .option('--orders <n>', 'parent orders', (v) => parseInt(v, 10), BACKTEST_BENCH.orders)
    .option('--policies <list>', 'policies', BACKTEST_BENCH.policies.join(','))
    .option('--workers <n>', 'worker threads', (v) => parseInt(v, 10), BACKTEST_BENCH.workers)
    .option('--seed <n>', 'seed', (v) => parseInt(v, 10), BACKTEST_BENCH.seed)
    .action(async (o) => {
      const file = packageFile('scenarios', 'default.json');
      print(await benchBacktest(loadScenarioFile(file), file, { ...o, policies: o.policies.split(',') }), o.json);
    });
  bench
    .command('decision')
    .description('an ml-router decision: feature update, every model, the lit and dark allocations (targets p50 ≤ 10 µs, p99 ≤ 50 µs)')
    .option('--json', 'print JSON', false)
    .option('--decisions <n>', 'decisions timed', (v) => parseInt(v, 10), DECISIONS)
    .option('--registry <dir>', 'use the ml router\'s models here (else small ones are trained first, untimed)', 'sor-models')
    .action(async (o) => print(await decisionBench(o.registry, o.decisions), o.json));
  bench
    .command('all')
    .description('every benchmark, one JSON document')
    .option('--json', 'print JSON', false)
    .action(async (o) => {
      const sim = benchSim({ seed: 1, minutes: 390 });
      const book = await benchBook({ ops: 1_000_000, deepOps: 100_000, perLevel: 2_000, seed: 1 });
      const goog = packageFile('..', 'shared', 'data', 'lobster', 'GOOG_2012-06-21_L1');
      const replay = existsSync(goog) ? benchReplay(goog) : { skipped: `no LOBSTER data at ${goog}` };
      const file = packageFile('scenarios', 'default.json');
      const backtest = await benchBacktest(loadScenarioFile(file), file, BACKTEST_BENCH);
      const decision = await decisionBench('sor-models', DECISIONS);
      print({ book, sim, replay, backtest, decision, pass: book.pass && sim.pass && decision.pass && (!('pass' in replay) || replay.pass) }, o.json);
    });
}

export function print(out: unknown, json: boolean): void {
  if (json) console.log(JSON.stringify(out, null, 2));
  else console.dir(out, { depth: 5 });
}

async function decisionBench(registry: string, decisions: number) {
  const file = packageFile('scenarios', 'default.json');
  const scenario = loadScenarioFile(file);
  const facts = marketFacts(scenario, file);
  // the registry's models where it has all the ml router needs; else small ones trained first (untimed), in a
  // temporary registry: the benchmark leaves a user's registry as it was
  const reg = new ModelRegistry(registry);
  const quick = findRouterModels(reg, 10).missing.length > 0;
  const tmp = quick ? mkdtempSync(join(tmpdir(), 'sor-bench-')) : null;
  try {
    const m = await routerModels(tmp ? new ModelRegistry(tmp) : reg, scenario, file, 10, () => {}, QUICK_TRAINING);
    const r = benchDecision(scenario, new MlModels(m.artifacts), { decisions, seed: 1, adv: facts.adv, volBps: facts.volBps, profile: facts.profile });
    return { ...r, model_source: quick ? `small models trained for the benchmark (${registry} lacks some)` : Object.values(m.entries).map((e) => e.id).join('; ') };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
