import type { Command } from 'commander';
import { resolvePair } from '../data/lobster.js';
import { Store } from '../data/store.js';
import { writableFolder } from '../core/files.js';
import { print } from './print.js';

export function ingestCommand(program: Command): void {
  program
    .command('ingest')
    .description('store a LOBSTER day (events and book snapshots) in the embedded DuckDB store; again replaces, never duplicates')
    .argument('<folder-or-message-file>', 'a folder holding a LOBSTER message/orderbook pair, or the message file')
    .argument('[orderbook-file]', 'the orderbook file, when the message file is given')
    .option('--db <file>', 'the DuckDB file (created where none exists)', 'sor.duckdb')
    .option('--parquet <dir>', 'also export the day as Parquet files into this folder')
    .option('--json', 'print JSON', false)
    .action(async (path: string, orderbook: string | undefined, o: { db: string; parquet?: string; json: boolean }) => {
      const pair = resolvePair(path, orderbook);
      // the export's folder is checked before the day is stored, not after
      if (o.parquet) writableFolder(o.parquet, '--parquet');
      const store = await Store.open(o.db);
      try {
        const r = await store.ingestLobster(pair);
        const stored = {
          events: await store.count('SELECT count(*) FROM events WHERE day_id = $1', r.day_id),
          book_levels: await store.count('SELECT count(*) FROM book_levels WHERE day_id = $1', r.day_id),
          days: await store.count('SELECT count(*) FROM days'),
        };
        const parquet = o.parquet ? await store.exportParquet(r.day_id, o.parquet) : undefined;
        print({ db: o.db, ...r, stored, ...(parquet ? { parquet } : {}) }, o.json);
      } finally {
        store.close();
      }
    });
}
