import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DataError, IoError } from '../core/errors.js';
import { makeFolder, replaceFileAsync, writableFolder } from '../core/files.js';
import { readLobster, type LobsterPair } from './lobster.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS days (
  day_id VARCHAR PRIMARY KEY,
  ticker VARCHAR,
  date VARCHAR,
  levels INTEGER NOT NULL,
  events BIGINT NOT NULL,
  message_file VARCHAR NOT NULL,
  orderbook_file VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  day_id VARCHAR NOT NULL,
  seq INTEGER NOT NULL,          -- row number in the files, from 1
  time_ns BIGINT NOT NULL,       -- nanoseconds since midnight
  type TINYINT NOT NULL,         -- LOBSTER event type 1..7
  order_id BIGINT NOT NULL,
  size INTEGER NOT NULL,
  price BIGINT NOT NULL,         -- 1/10,000 of the currency
  direction TINYINT NOT NULL     -- 1 buy order, -1 sell order
);
CREATE TABLE IF NOT EXISTS book_levels (
  day_id VARCHAR NOT NULL,
  seq INTEGER NOT NULL,          -- the book after event seq
  level SMALLINT NOT NULL,       -- 1 = best
  ask_price BIGINT,              -- NULL where the file has no level
  ask_size INTEGER NOT NULL,
  bid_price BIGINT,
  bid_size INTEGER NOT NULL
);
`;

const DATASETS = `
CREATE TABLE IF NOT EXISTS datasets (
  dataset_id VARCHAR PRIMARY KEY,
  kind VARCHAR NOT NULL,          -- e.g. fill-probability
  table_name VARCHAR NOT NULL,
  scenario VARCHAR NOT NULL,
  seeds VARCHAR NOT NULL,         -- the seeds of the markets that made it, comma-separated
  schema_version INTEGER NOT NULL,
  schema_hash VARCHAR NOT NULL,
  rows BIGINT NOT NULL
);
`;

/**
 * The embedded store (DuckDB, one file; created where none exists). Market data lives in three tables:
 * `days` (one row per ingested LOBSTER day), `events` (its messages, one row each) and `book_levels` (the
 * orderbook file: the visible book after each event, one row per level). Written with the appender.
 */
export class Store {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly con: DuckDBConnection,
  ) {}

  /**
   * Opens (or creates) the store. A path that is a folder, a file that is not a DuckDB database, and a database locked
   * by another process are refused with the path named (I/O or data errors, not DuckDB's own text).
   */
  static async open(path: string): Promise<Store> {
    const dir = dirname(resolve(path));
    makeFolder(dir, 'the store’s folder');
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new IoError(`${path}: a folder, not a DuckDB store file`);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (e) {
      throw storeOpenError(path, e);
    }
    try {
      const con = await instance.connect();
      await con.run(SCHEMA);
      return new Store(path, instance, con);
    } catch (e) {
      instance.closeSync();
      throw storeOpenError(path, e);
    }
  }

  /** Opens and closes the store: a command checks it before work whose result goes there. */
  static async check(path: string): Promise<void> {
    (await Store.open(path)).close();
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }

  /** Row counts of a query's single integer column. */
  async count(sql: string, ...params: string[]): Promise<number> {
    const p = await this.con.prepare(sql);
    params.forEach((v, i) => p.bindVarchar(i + 1, v));
    const rows = (await p.runAndReadAll()).getRows();
    return Number(rows[0]![0]);
  }

  /**
   * Ingests a LOBSTER day. Rows are appended to staging tables first, then swapped in with one transaction that
   * deletes the day's old rows: ingesting a day again replaces it (no duplicates), and a malformed file or a
   * crash part-way leaves what was stored before untouched.
   */
  async ingestLobster(pair: LobsterPair): Promise<{ day_id: string; events: number; book_levels: number }> {
    const dayId = lobsterDayId(pair);
    const [ticker, date] = dayId.split('_');
    const con = this.con;
    await con.run('CREATE OR REPLACE TEMP TABLE stage_events AS SELECT * FROM events LIMIT 0');
    await con.run('CREATE OR REPLACE TEMP TABLE stage_levels AS SELECT * FROM book_levels LIMIT 0');
    const ev = await con.createAppender('stage_events');
    const lv = await con.createAppender('stage_levels');
    let events = 0;
    let levels = 0;
    try {
      readLobster(pair, (m, row) => {
        ev.appendVarchar(dayId);
        ev.appendInteger(m.line);
        ev.appendBigInt(BigInt(m.timeNs));
        ev.appendTinyInt(m.type);
        ev.appendBigInt(BigInt(m.id));
        ev.appendInteger(m.size);
        ev.appendBigInt(BigInt(m.price));
        ev.appendTinyInt(m.direction);
        ev.endRow();
        events++;
        for (let i = 0; i < pair.levels; i++) {
          const ap = row[4 * i]!;
          const as = row[4 * i + 1]!;
          const bp = row[4 * i + 2]!;
          const bs = row[4 * i + 3]!;
          lv.appendVarchar(dayId);
          lv.appendInteger(m.line);
          lv.appendSmallInt(i + 1);
          if (as > 0) lv.appendBigInt(BigInt(ap));
          else lv.appendNull();
          lv.appendInteger(as);
          if (bs > 0) lv.appendBigInt(BigInt(bp));
          else lv.appendNull();
          lv.appendInteger(bs);
          lv.endRow();
          levels++;
        }
      });
    } finally {
      ev.closeSync();
      lv.closeSync();
    }
    await con.run('BEGIN TRANSACTION');
    try {
      for (const t of ['events', 'book_levels', 'days']) await this.exec(`DELETE FROM ${t} WHERE day_id = $1`, dayId);
      await con.run('INSERT INTO events SELECT * FROM stage_events');
      await con.run('INSERT INTO book_levels SELECT * FROM stage_levels');
      await this.exec(
        'INSERT INTO days VALUES ($1, $2, $3, $4, $5, $6, $7)',
        dayId,
        ticker ?? '',
        date ?? '',
        pair.levels,
        events,
        basename(pair.message),
        basename(pair.orderbook),
      );
      await con.run('COMMIT');
    } catch (e) {
      await con.run('ROLLBACK');
      throw e;
    }
    await con.run('DROP TABLE stage_events');
    await con.run('DROP TABLE stage_levels');
    return { day_id: dayId, events, book_levels: levels };
  }

  /** Writes a day's events and book levels as Parquet files in `dir` (replacing earlier exports of that day). */
  async exportParquet(dayId: string, dir: string): Promise<string[]> {
    writableFolder(dir, '--parquet');
    const out: string[] = [];
    for (const t of ['events', 'book_levels']) {
      const file = join(dir, `${t}_${dayId}.parquet`);
      await this.copyWhole(`SELECT * FROM ${t} WHERE day_id = $1 ORDER BY seq`, file, dayId);
      out.push(file);
    }
    return out;
  }

  /**
   * Writes a labelled dataset: rows of numbers under `columns`, each with the seed of the market that made it, into
   * table `table` (created on first use: dataset_id, scenario, seed, then one DOUBLE per column), and records the
   * dataset in `datasets` (kind, scenario, seeds, feature-schema version and hash, rows). Writing a dataset id again
   * replaces it, in one transaction: a failure leaves what was stored before. A table whose columns differ (another
   * feature schema) is refused with the difference named.
   */
  async writeDataset(
    table: string,
    meta: { datasetId: string; kind: string; scenario: string; schemaVersion: number; schemaHash: string },
    columns: readonly string[],
    rows: readonly { seed: number; values: ArrayLike<number> }[],
  ): Promise<number> {
    if (!/^[a-z][a-z0-9_]*$/.test(table)) throw new Error(`bad table name ${table}`);
    for (const c of columns) if (!/^[a-z][a-z0-9_]*$/.test(c)) throw new Error(`bad column name ${c}`);
    const con = this.con;
    await con.run(DATASETS);
    await con.run(
      `CREATE TABLE IF NOT EXISTS ${table} (dataset_id VARCHAR NOT NULL, scenario VARCHAR NOT NULL, seed BIGINT NOT NULL, ${columns.map((c) => `${c} DOUBLE`).join(', ')})`,
    );
    const have = (
      await (await con.prepare(`SELECT column_name FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`)).runAndReadAll()
    )
      .getRows()
      .map((r) => String(r[0]))
      .slice(3);
    if (have.join(',') !== columns.join(',')) {
      const missing = columns.filter((c) => !have.includes(c));
      const extra = have.filter((c) => !columns.includes(c));
      throw new DataError(
        `${this.path}: table ${table} has other columns (missing ${missing.join(', ') || 'none'}; extra ${extra.join(', ') || 'none'}): another feature schema; use another store or table`,
      );
    }
    await con.run(`CREATE OR REPLACE TEMP TABLE stage_ds AS SELECT * FROM ${table} LIMIT 0`);
    const ap = await con.createAppender('stage_ds');
    try {
      for (const r of rows) {
        ap.appendVarchar(meta.datasetId);
        ap.appendVarchar(meta.scenario);
        ap.appendBigInt(BigInt(r.seed));
        for (let i = 0; i < columns.length; i++) {
          const x = r.values[i]!;
          if (Number.isFinite(x)) ap.appendDouble(x);
          else ap.appendNull();
        }
        ap.endRow();
      }
    } finally {
      ap.closeSync();
    }
    const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b).join(',');
    await con.run('BEGIN TRANSACTION');
    try {
      await this.exec(`DELETE FROM ${table} WHERE dataset_id = $1`, meta.datasetId);
      await this.exec('DELETE FROM datasets WHERE dataset_id = $1', meta.datasetId);
      await con.run(`INSERT INTO ${table} SELECT * FROM stage_ds`);
      await this.exec(
        'INSERT INTO datasets VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        meta.datasetId,
        meta.kind,
        table,
        meta.scenario,
        seeds,
        meta.schemaVersion,
        meta.schemaHash,
        rows.length,
      );
      await con.run('COMMIT');
    } catch (e) {
      await con.run('ROLLBACK');
      throw e;
    }
    await con.run('DROP TABLE stage_ds');
    return rows.length;
  }

  /** Writes one dataset of a table as a Parquet file in `dir`, rows ordered by `orderBy` (column names). */
  async exportDatasetParquet(table: string, datasetId: string, dir: string, orderBy = 'seed'): Promise<string> {
    if (!/^[a-z][a-z0-9_]*$/.test(table)) throw new Error(`bad table name ${table}`);
    if (!/^[a-z][a-z0-9_]*(, *[a-z][a-z0-9_]*)*$/.test(orderBy)) throw new Error(`bad order ${orderBy}`);
    writableFolder(dir, '--parquet');
    const file = join(dir, `${table}_${datasetId.replace(/[^A-Za-z0-9_.-]/g, '_')}.parquet`);
    await this.copyWhole(`SELECT * FROM ${table} WHERE dataset_id = $1 ORDER BY ${orderBy}`, file, datasetId);
    return file;
  }

  /** A query's rows as a Parquet file, written whole. */
  private async copyWhole(query: string, file: string, param: string): Promise<void> {
    await replaceFileAsync(file, (tmp) => this.exec(`COPY (${query}) TO '${tmp.replaceAll("'", "''")}' (FORMAT parquet)`, param));
  }

  private async exec(sql: string, ...params: (string | number)[]): Promise<void> {
    const p = await this.con.prepare(sql);
    params.forEach((v, i) => (typeof v === 'number' ? p.bindBigInt(i + 1, BigInt(v)) : p.bindVarchar(i + 1, v)));
    await p.run();
  }
}

/** DuckDB's failure to open a store, said in the project's terms. */
function storeOpenError(path: string, e: unknown): Error {
  const msg = (e as Error).message ?? String(e);
  const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(msg);
  if (lock) return new IoError(`${path}: the store is in use by another process (PID ${lock[2]}); close it first`, { cause: e });
  if (/Could not set lock/.test(msg)) return new IoError(`${path}: the store is locked by another process`, { cause: e });
  if (/not a valid DuckDB database|database file with version|Catalog Error|Corrupt/i.test(msg)) {
    return new DataError(`${path}: not a DuckDB store (${msg.split('\n')[0]})`, { cause: e });
  }
  if (/Permission denied|Read-only|read-only/i.test(msg)) return new IoError(`${path}: cannot open the store (permission denied)`, { cause: e });
  return new IoError(`${path}: cannot open the store (${msg.split('\n')[0]})`, { cause: e });
}

/** TICKER_DATE_L<N> from LOBSTER's file naming (TICKER_DATE_start_end_message_N.csv), else the file's stem. */
export function lobsterDayId(pair: LobsterPair): string {
  const m = /^([^_]+)_(\d{4}-\d{2}-\d{2})_\d+_\d+_message_(\d+)\.csv$/.exec(basename(pair.message));
  return m ? `${m[1]}_${m[2]}_L${m[3]}` : basename(pair.message).replace(/\.csv$/, '');
}
