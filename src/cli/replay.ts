import type { Command } from 'commander';
import { resolvePair } from '../data/lobster.js';
import { replaySummary } from '../data/replay.js';
import { EXIT_CODES } from '../core/errors.js';
import { print } from './print.js';

export function replayCommand(program: Command): void {
  program
    .command('replay')
    .description('replay a LOBSTER day into the order book; with --verify, check the book against the orderbook file after every event')
    .argument('<folder-or-message-file>', 'a folder holding a LOBSTER message/orderbook pair, or the message file')
    .argument('[orderbook-file]', 'the orderbook file, when the message file is given')
    .option('--verify', 'compare the top N levels with the orderbook file after every event', false)
    .option('--json', 'print JSON', false)
    .action((path: string, orderbook: string | undefined, o: { verify: boolean; json: boolean }) => {
      const out = replaySummary(resolvePair(path, orderbook), o.verify);
      print(out, o.json);
      // the files do not reconcile: the data's fault
      if (o.verify && out && 'mismatched' in out && out.mismatched > 0) process.exitCode = EXIT_CODES.data;
    });
}
