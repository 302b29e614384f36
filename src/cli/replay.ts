import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { BUY, SELL } from '../core/types.js';
import { HALT, LobsterFormatError, readLobster, resolvePair } from '../data/lobster.js';
import { ReplayVerifier } from '../data/replay.js';
import { benchReplay } from '../bench/replay-bench.js';
import { print } from './bench.js';
import { UsageError } from './errors.js';
import { packageFile } from './paths.js';

const TYPE_NAMES = ['', 'add', 'partial_cancel', 'delete', 'execute', 'execute_hidden', 'cross', 'halt'];

/** Bad or missing data is the user's input: exit 2 with the file and line. */
export function dataErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LobsterFormatError || (e instanceof Error && /not a folder|no \*_message_N/.test(e.message))) {
      throw new UsageError(e.message, 2);
    }
    throw e;
  }
}

export function replayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a LOBSTER day into the order book; with --verify, check the book against the orderbook file after every event')
    .argument('<folder-or-message-file>', 'a folder holding a LOBSTER message/orderbook pair, or the message file')
    .argument('[orderbook-file]', 'the orderbook file, when the message file is given')
    .option('--verify', 'compare the top N levels with the orderbook file after every event', false)
    .option('--json', 'print JSON', false)
    .action((path: string, orderbook: string | undefined, o: { verify: boolean; json: boolean }) => {
      const out = dataErrors(() => {
        const pair = resolvePair(path, orderbook);
        const v = new ReplayVerifier(pair.levels);
        let halts = 0;
        readLobster(pair, (m, row) => {
          if (m.type === HALT && m.price === -1) halts++;
          v.push(m.type, m.id, m.size, m.price, m.direction, row, m.line);
        });
        const byType = Object.fromEntries(TYPE_NAMES.slice(1).map((n, i) => [n, v.byType[i + 1]!]));
        const top = (side: 0 | 1) => v.rb.book.depth(side, pair.levels).map((l) => [l.price, l.qty]);
        const base = { message_file: pair.message, orderbook_file: pair.orderbook, levels: pair.levels, events: v.counts.events, by_type: byType, halts };
        return o.verify
          ? { ...base, ...v.counts }
          : { ...base, final_book: { bids: top(BUY), asks: top(SELL) } };
      });
      print(out, o.json);
      if (o.verify && out && 'mismatched' in out && out.mismatched > 0) process.exitCode = 1;
    });
}

export function benchReplayCommand(bench: Command): void {
  bench
    .command('replay')
    .description('replay the GOOG LOBSTER day (target ≥ 2,000,000 events/s)')
    .option('--json', 'print JSON', false)
    .option('--data <lobster-folder>', 'the day to replay', packageFile('..', 'shared', 'data', 'lobster', 'GOOG_2012-06-21_L1'))
    .action((o: { json: boolean; data: string }) => {
      if (!existsSync(o.data)) throw new UsageError(`no LOBSTER data at ${o.data}: give a folder with --data`, 2);
      print(dataErrors(() => benchReplay(o.data)), o.json);
    });
}
