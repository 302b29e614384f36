import type { Command } from 'commander';
import { compareOnStream, deepQueueStream, loadPeer, loadProfile, realisticStream } from '../bench/book-bench.js';
import { profileFromLobster } from '../data/lobster-profile.js';
import { packageFile } from './paths.js';

const TARGETS = { realistic_ops_per_sec: 3_000_000, ratio: 10 };

export async function benchBook(opts: { profile?: string; ops: number; deepOps: number; perLevel: number; seed: number }) {
  const profile = opts.profile ? profileFromLobster(opts.profile) : loadProfile(packageFile('profiles', 'goog-2012-06-21.json'));
  const Peer = await loadPeer();
  const realistic = realisticStream(profile, opts.ops, opts.seed);
  const r = compareOnStream(Peer, realistic, 5, 3, true);
  const deep = deepQueueStream(opts.deepOps, opts.perLevel, opts.seed);
  const d = compareOnStream(Peer, deep, 5, 1, false);
  return {
    benchmark: 'book',
    peer: 'hft-limit-order-book@7 (npm), same process, same stream',
    profile: profile.source,
    node: process.version,
    realistic: { ...r, shape: realistic.shape },
    deep_queue: { ...d, orders_per_level_at_start: opts.perLevel, levels_per_side: 10 },
    targets: TARGETS,
    pass:
      r.ours_ops_per_sec >= TARGETS.realistic_ops_per_sec &&
      r.ratio >= TARGETS.ratio &&
      d.ratio >= TARGETS.ratio &&
      r.same_final_book &&
      d.same_final_book,
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
}

export function print(out: unknown, json: boolean): void {
  if (json) console.log(JSON.stringify(out, null, 2));
  else console.dir(out, { depth: 5 });
}
