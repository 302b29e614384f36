import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePair } from '../../src/data/lobster.js';
import { Store } from '../../src/data/store.js';
import { AAPL_SAMPLE, needs, present } from '../helpers/reference-data.js';

const AAPL = AAPL_SAMPLE;

function sor(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!present(AAPL))(needs(AAPL, 'the DuckDB store'), () => {
  it('ingests a LOBSTER day (events and book levels) and ingesting it again duplicates nothing', async () => {
    const dir = mkdtempSync('/tmp/sor-store-');
    const db = join(dir, 'sub', 'market.duckdb'); // the file and its folder are created
    const a = sor('ingest', AAPL, '--db', db, '--json');
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({
      day_id: 'AAPL_2012-06-21_L10',
      events: 999,
      book_levels: 9990,
      stored: { events: 999, book_levels: 9990, days: 1 },
    });
    const b = sor('ingest', AAPL, '--db', db, '--parquet', join(dir, 'pq'), '--json');
    expect(JSON.parse(b.out).stored).toEqual({ events: 999, book_levels: 9990, days: 1 });

    const store = await Store.open(db);
    try {
      // the stored rows are the file's rows: first message and the first book row's best level
      const first = readFileSync(resolvePair(AAPL).message, 'utf8').split('\n')[0]!.split(',');
      const r = (
        await store.con.runAndReadAll("SELECT time_ns, type, order_id, size, price, direction FROM events WHERE day_id = 'AAPL_2012-06-21_L10' AND seq = 1")
      ).getRows()[0]!;
      expect(r.map(Number)).toEqual([34_200_004_241_176, 1, Number(first[2]), Number(first[3]), Number(first[4]), Number(first[5])]);
      const lv = (
        await store.con.runAndReadAll(
          "SELECT ask_price, ask_size, bid_price, bid_size FROM book_levels WHERE day_id = 'AAPL_2012-06-21_L10' AND seq = 1 AND level = 1",
        )
      ).getRows()[0]!;
      const book = readFileSync(resolvePair(AAPL).orderbook, 'utf8').split('\n')[0]!.split(',').slice(0, 4).map(Number);
      expect(lv.map(Number)).toEqual(book);
      // the Parquet export reads back whole
      const pq = join(dir, 'pq', 'events_AAPL_2012-06-21_L10.parquet').replaceAll("'", "''");
      expect(await store.count(`SELECT count(*) FROM read_parquet('${pq}')`)).toBe(999);
    } finally {
      store.close();
    }
  });

  it('a malformed file exits 2, names the line, and leaves what was stored intact', async () => {
    const dir = mkdtempSync('/tmp/sor-store-');
    const db = join(dir, 'm.duckdb');
    expect(sor('ingest', AAPL, '--db', db).code).toBe(0);
    // the same day again, broken at line 600: the stored copy must survive
    const bad = join(dir, 'bad');
    spawnSync('mkdir', [bad]);
    for (const f of readdirSync(AAPL)) {
      if (!f.endsWith('.csv')) continue;
      if (f.includes('_message_')) {
        const lines = readFileSync(join(AAPL, f), 'utf8').split('\n');
        lines[599] = 'not,a,row';
        writeFileSync(join(bad, f), lines.join('\n'));
      } else copyFileSync(join(AAPL, f), join(bad, f));
    }
    const r = sor('ingest', bad, '--db', db);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/_message_10\.csv:600: /);
    const store = await Store.open(db);
    try {
      expect(await store.count("SELECT count(*) FROM events WHERE day_id = 'AAPL_2012-06-21_L10'")).toBe(999);
    } finally {
      store.close();
    }
  });
});
