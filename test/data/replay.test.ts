import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvNumberReader } from '../../src/data/csv-numbers.js';
import { loadLobster, readLobster, resolvePair } from '../../src/data/lobster.js';
import { verifyDay } from '../../src/data/replay.js';
import { AAPL_SAMPLE, GOOG_DAY, LOBSTER, needs, present } from '../helpers/reference-data.js';

const LOB = LOBSTER;
const SAMPLES = ['GOOG_2012-06-21_L1', 'AAPL_2012-06-21_L10_subset'];
const have = present([GOOG_DAY, AAPL_SAMPLE]);

function sor(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A copy of a sample in a temp folder, with `edit` applied to its message lines. */
function copySample(name: string, edit?: (lines: string[]) => void): string {
  const dir = mkdtempSync('/tmp/sor-lobster-');
  for (const f of readdirSync(join(LOB, name))) {
    if (!f.endsWith('.csv')) continue;
    if (edit && f.includes('_message_')) {
      const lines = readFileSync(join(LOB, name, f), 'utf8').split('\n');
      edit(lines);
      writeFileSync(join(dir, f), lines.join('\n'));
    } else copyFileSync(join(LOB, name, f), join(dir, f));
  }
  return dir;
}

describe.skipIf(!have)(needs([GOOG_DAY, AAPL_SAMPLE], 'exact replay of the bundled LOBSTER samples'), () => {
  for (const name of SAMPLES) {
    it(`${name}: every event matches the orderbook file`, () => {
      const c = verifyDay(loadLobster(resolvePair(join(LOB, name))));
      expect(c.events).toBeGreaterThan(900);
      expect(c.mismatched).toBe(0);
      expect(c.matched).toBe(c.events);
    });
  }

  it('sor replay --verify --json prints events, matched, mismatched and reconciled; a pair can be two paths', () => {
    const dir = join(LOB, 'AAPL_2012-06-21_L10_subset');
    const files = readdirSync(dir).sort();
    const msg = join(
      dir,
      files.find((f) => f.includes('_message_'))!,
    );
    const ob = join(
      dir,
      files.find((f) => f.includes('_orderbook_'))!,
    );
    const a = sor('replay', dir, '--verify', '--json');
    const b = sor('replay', msg, ob, '--verify', '--json');
    expect(a.code).toBe(0);
    const j = JSON.parse(a.out);
    expect(j).toMatchObject({ levels: 10, events: 999, matched: 999, mismatched: 0 });
    expect(j.reconciled).toBeGreaterThan(0);
    expect(JSON.parse(b.out).matched).toBe(999);
  });

  it('catches a message that does not fit the book: the corrupted line is the first mismatch', () => {
    // GOOG line 780 adds 100 shares at the best bid; say 150 instead
    const dir = copySample('GOOG_2012-06-21_L1', (lines) => {
      expect(lines[779]).toBe('34306.229804083,1,19695098,100,5775700,1');
      lines[779] = '34306.229804083,1,19695098,150,5775700,1';
    });
    const r = sor('replay', dir, '--verify', '--json');
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j.mismatched).toBeGreaterThan(0);
    expect(j.first_mismatch_line).toBe(780);
  });

  it('names the file and line of a malformed row and exits 3', () => {
    const dir = copySample('AAPL_2012-06-21_L10_subset', (lines) => {
      const f = lines[41]!.split(',');
      f[5] = '2'; // direction must be ±1
      lines[41] = f.join(',');
    });
    const r = sor('replay', dir, '--verify');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/_message_10\.csv:42: field 6 \(direction\) must be 1 or -1, got 2/);
    const short = copySample('AAPL_2012-06-21_L10_subset', (lines) => lines.splice(500));
    const s = sor('replay', short, '--verify');
    expect(s.code).toBe(3);
    expect(s.err).toMatch(/_orderbook_10\.csv:501: more rows than the message file/);
    expect(sor('replay', '/nonexistent').code).toBe(4);
  });

  it('streams: a tiny read buffer, CRLF line ends and a missing final newline give the same rows', () => {
    const dir = mkdtempSync('/tmp/sor-csv-');
    const src = readFileSync(
      join(
        LOB,
        'AAPL_2012-06-21_L10_subset',
        readdirSync(join(LOB, 'AAPL_2012-06-21_L10_subset')).find((f) => f.includes('_orderbook_'))!,
      ),
      'utf8',
    );
    writeFileSync(join(dir, 'crlf.csv'), src.trimEnd().split('\n').join('\r\n'));
    const rows = (path: string, chunk: number) => {
      const r = new CsvNumberReader(path, chunk);
      const out = new Float64Array(40);
      const all: number[] = [];
      while (r.next(out) === 40) all.push(...out);
      r.close();
      return all;
    };
    const big = rows(join(dir, 'crlf.csv'), 1 << 20);
    expect(big.length).toBe(999 * 40);
    expect(rows(join(dir, 'crlf.csv'), 7)).toEqual(big);
  });
});

describe('LOBSTER reader', () => {
  it('reads times exactly to the nanosecond and checks every field', () => {
    const dir = mkdtempSync('/tmp/sor-lob-');
    writeFileSync(join(dir, 'T_2012-06-21_34200000_57600000_message_1.csv'), '34200.000000001,1,5,100,5800000,1\n57599.999999999,3,5,100,5800000,1\n');
    writeFileSync(join(dir, 'T_2012-06-21_34200000_57600000_orderbook_1.csv'), '9999999999,0,5800000,100\n9999999999,0,-9999999999,0\n');
    const times: number[] = [];
    readLobster(resolvePair(dir), (m) => times.push(m.timeNs));
    expect(times).toEqual([34_200_000_000_001, 57_599_999_999_999]);
    const c = verifyDay(loadLobster(resolvePair(dir)));
    expect(c).toMatchObject({ events: 2, matched: 2, mismatched: 0 });
    writeFileSync(join(dir, 'T_2012-06-21_34200000_57600000_message_1.csv'), '34200.1,1,5,100,5800000,1\n34200.0,3,5,100,5800000,1\n');
    expect(() => readLobster(resolvePair(dir), () => {})).toThrow(/message_1\.csv:2: time goes backwards/);
  });
});
