import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marketFacts, resolveScenario } from '../backtest/market.js';
import { findRouterModels, QUICK_TRAINING, routerModels } from '../backtest/training.js';
import { buildWorld } from '../backtest/world.js';
import { packageFile } from '../core/paths.js';
import { median } from '../core/stats.js';
import { profileFromLobster } from '../data/lobster-profile.js';
import { ModelRegistry } from '../models/registry.js';
import { MlModels } from '../router/ml/models.js';
import { simulate, type SessionSummary } from '../sim/session.js';
import { benchBacktest } from './backtest-bench.js';
import { compareOnStream, deepQueueStream, loadPeer, loadProfile, realisticStream, runOurs } from './book-bench.js';
import { benchDecision } from './decision-bench.js';
import { benchReplay } from './replay-bench.js';
import { timeIt } from './timing.js';

/** The book benchmark's targets (ARCHITECTURE.md's performance budgets). */
export const BOOK_TARGETS = { realistic_ops_per_sec: 3_000_000, ratio: 10 };
/** The backtest and decision benchmarks' settings, alone or in `bench all`. */
export const BACKTEST_BENCH = { orders: 40, policies: ['twap', 'rule', 'prorata', 'ck'], workers: 2, seed: 1, rounds: 2 };
export const DECISIONS = 200_000;
/** Where the GOOG LOBSTER sample is in a development checkout. */
export const GOOG_DATA = packageFile('..', 'shared', 'data', 'lobster', 'GOOG_2012-06-21_L1');

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
    targets: BOOK_TARGETS,
    pass:
      r.ours_ops_per_sec >= BOOK_TARGETS.realistic_ops_per_sec &&
      r.ratio >= BOOK_TARGETS.ratio &&
      d.ratio >= BOOK_TARGETS.ratio &&
      r.same_final_book &&
      d.same_final_book,
  };
}

/** A simulated 6.5-hour day of the default scenario, timed end to end (building the market included). */
export function benchSim(opts: { seed: number; minutes: number }) {
  const market = resolveScenario('default');
  let summary: SessionSummary | undefined;
  const seconds = timeIt(() => {
    summary = simulate(buildWorld({ market, seed: opts.seed }).session, opts.minutes);
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

/** The backtester's throughput on the default market (2 workers against one thread). */
export async function benchDefaultBacktest(opts: { orders: number; policies: string[]; workers: number; seed: number; rounds?: number } = BACKTEST_BENCH) {
  const { scenario, file } = resolveScenario('default');
  return benchBacktest(scenario, file, opts);
}

/**
 * The ml router's decision, with the registry's models where it has all the router needs; else small ones trained
 * first (untimed), in a temporary registry: the benchmark leaves a user's registry as it was.
 */
export async function benchDecisionWithModels(registry: string, decisions: number) {
  const market = resolveScenario('default');
  const facts = marketFacts(market.scenario, market.file);
  const reg = new ModelRegistry(registry);
  const quick = findRouterModels(reg, 10).missing.length > 0;
  const tmp = quick ? mkdtempSync(join(tmpdir(), 'sor-bench-')) : null;
  try {
    const m = await routerModels(tmp ? new ModelRegistry(tmp) : reg, market.scenario, market.file, 10, () => {}, QUICK_TRAINING);
    const r = benchDecision(market, new MlModels(m.artifacts), { decisions, seed: 1, adv: facts.adv, volBps: facts.volBps, profile: facts.profile });
    return {
      ...r,
      model_source: quick
        ? `small models trained for the benchmark (${registry} lacks some)`
        : Object.values(m.entries)
            .map((e) => e.id)
            .join('; '),
    };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Every benchmark, one document; `pass` only where each has a target. */
export async function benchAll() {
  const sim = benchSim({ seed: 1, minutes: 390 });
  const book = await benchBook({ ops: 1_000_000, deepOps: 100_000, perLevel: 2_000, seed: 1 });
  const replay = existsSync(GOOG_DATA) ? benchReplay(GOOG_DATA) : { skipped: `no LOBSTER data at ${GOOG_DATA}` };
  const backtest = await benchDefaultBacktest();
  const decision = await benchDecisionWithModels('sor-models', DECISIONS);
  return { book, sim, replay, backtest, decision, pass: book.pass && sim.pass && decision.pass && backtest.pass && (!('pass' in replay) || replay.pass) };
}
