import { loadLobster, resolvePair, type LobsterDay } from '../data/lobster.js';
import { ReplayBook, rowBefore, verifyDay } from '../data/replay.js';
import { median } from '../core/stats.js';
import { timeIt } from './timing.js';

/** Rebuilds the book from the messages alone, without comparing with the file (the replay a simulation runs). */
export function replayOnly(day: LobsterDay): number {
  const N = day.pair.levels;
  const rb = new ReplayBook(N);
  if (day.n === 0) return 0;
  rb.seed(rowBefore(day.book.subarray(0, 4 * N), N, day.type[0]!, day.size[0]!, day.price[0]!, day.direction[0]!));
  for (let i = 0; i < day.n; i++) rb.apply(day.type[i]!, day.id[i]!, day.size[i]!, day.price[i]!, day.direction[i]!);
  return rb.book.orderCount;
}

/**
 * Replaying a LOBSTER day: parsing both files (streamed), rebuilding the book with a check against the file after
 * every event (the figure held to the target), and rebuilding it from the messages alone. Rates are medians of
 * `runs` warm runs.
 */
export function benchReplay(folder: string, runs = 7) {
  const pair = resolvePair(folder);
  let day = loadLobster(pair);
  const parse = [0, 0, 0].map(() => timeIt(() => (day = loadLobster(pair))));
  let counts = verifyDay(day);
  verifyDay(day);
  const verify = Array.from({ length: runs }, () => timeIt(() => (counts = verifyDay(day))));
  replayOnly(day);
  const replay = Array.from({ length: runs }, () => timeIt(() => replayOnly(day)));
  const rate = (s: number[]) => Math.round(day.n / median(s));
  return {
    benchmark: 'replay',
    data: pair.message.split('/').slice(-2, -1)[0],
    levels: pair.levels,
    events: day.n,
    matched: counts.matched,
    mismatched: counts.mismatched,
    replay_events_per_sec: rate(replay),
    verified_replay_events_per_sec: rate(verify),
    parse_events_per_sec: rate(parse),
    target_events_per_sec: 2_000_000,
    pass: rate(verify) >= 2_000_000 && counts.mismatched === 0,
  };
}
