import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../src/backtest/world.js';
import { SorError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { NS_PER_SECOND } from '../../src/core/types.js';
import { calibrateLobster } from '../../src/data/calibrate.js';
import { resolvePair } from '../../src/data/lobster.js';
import { replaySummary } from '../../src/data/replay.js';
import { Store } from '../../src/data/store.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { AAPL_SAMPLE, GOOG_DAY, needs, present } from '../helpers/reference-data.js';

/**
 * Random bytes and random mutations of the bundled LOBSTER samples and scenarios, fed to the readers: every input is
 * either read or refused with one of the project's errors naming the file; nothing crashes, nothing hangs. Every
 * draw comes from a seeded generator, so a failure is reproduced by its case number.
 */
const SAMPLES = [
  { dir: GOOG_DAY, stem: 'GOOG_2012-06-21_34200000_57600000', n: 1 },
  { dir: AAPL_SAMPLE, stem: 'AAPL_2012-06-21_34200000_57600000', n: 10 },
];
const SAMPLE_DIRS = SAMPLES.map((x) => x.dir);
const TOKENS = [
  '',
  ' ',
  '-',
  '+',
  '.',
  'NaN',
  'Infinity',
  '1e400',
  '9'.repeat(30),
  '-0',
  '0x10',
  '1.5',
  '-1',
  '0',
  '\u0000',
  'é',
  '"',
  ',,',
  '\r',
  '99999999999',
];

function mutateText(text: string, rng: Rng): string {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  switch (rng.int(8)) {
    case 0: {
      // a random byte replaced
      const b = Buffer.from(text);
      b[rng.int(b.length)] = rng.int(256);
      return b.toString('latin1');
    }
    case 1:
      lines.splice(i, 1);
      return lines.join('\n');
    case 2:
      lines.splice(i, 0, lines[rng.int(lines.length)]!);
      return lines.join('\n');
    case 3: {
      const j = rng.int(lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 4:
      return text.slice(0, rng.int(text.length));
    case 5: {
      const f = lines[i]!.split(',');
      f[rng.int(f.length)] = TOKENS[rng.int(TOKENS.length)]!;
      lines[i] = f.join(',');
      return lines.join('\n');
    }
    case 6: {
      const f = lines[i]!.split(',');
      f.splice(rng.int(f.length + 1), rng.int(2), ...(rng.int(2) ? [TOKENS[rng.int(TOKENS.length)]!] : []));
      lines[i] = f.join(',');
      return lines.join('\n');
    }
    default:
      return Buffer.from(Array.from({ length: rng.int(2000) }, () => rng.int(256))).toString('latin1');
  }
}

/** Whether an error is a named refusal: one of the project's errors, naming `where`. */
function named(e: unknown, where: string): boolean {
  return e instanceof SorError && e.message.includes(where);
}

describe('fuzz: the readers refuse what they cannot read, by name, and never crash', () => {
  it.skipIf(!present(SAMPLE_DIRS))(
    needs(SAMPLE_DIRS, 'LOBSTER pairs: 1500 mutations through the reader, the verified replay and the calibration; 150 into the store'),
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'sor-fuzz-'));
      const base = SAMPLES.map((s) => ({
        ...s,
        msg:
          readFileSync(join(s.dir, `${s.stem}_message_${s.n}.csv`), 'latin1')
            .split('\n')
            .slice(0, 300)
            .join('\n') + '\n',
        ob:
          readFileSync(join(s.dir, `${s.stem}_orderbook_${s.n}.csv`), 'latin1')
            .split('\n')
            .slice(0, 300)
            .join('\n') + '\n',
      }));
      const rng = Rng.stream(11, 'fuzz:lobster');
      const crashes: string[] = [];
      const outcomes = { read: 0, refused: 0 };
      const db = join(root, 'fuzz.duckdb');
      for (let k = 0; k < 1500; k++) {
        const s = base[rng.int(base.length)]!;
        const dir = join(root, `case${k}`);
        mkdirSync(dir);
        const which = rng.int(3); // the message file, the orderbook file, or both
        const msg = which !== 1 ? mutateText(s.msg, rng) : s.msg;
        const ob = which !== 0 ? mutateText(s.ob, rng) : s.ob;
        writeFileSync(join(dir, `${s.stem}_message_${s.n}.csv`), msg, 'latin1');
        writeFileSync(join(dir, `${s.stem}_orderbook_${s.n}.csv`), ob, 'latin1');
        try {
          const pair = resolvePair(dir);
          replaySummary(pair, true);
          calibrateLobster(pair);
          if (k % 10 === 0) {
            const store = await Store.open(db);
            try {
              await store.ingestLobster(pair);
            } finally {
              store.close();
            }
          }
          outcomes.read++;
        } catch (e) {
          if (named(e, dir)) outcomes.refused++;
          else crashes.push(`case ${k}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
        }
        rmSync(dir, { recursive: true });
      }
      if (process.env.SOR_FUZZ_REPORT) console.log(JSON.stringify(outcomes));
      expect(crashes).toEqual([]);
      // the mutations reach both outcomes: this is not a test that only ever sees refusals
      expect(outcomes.read).toBeGreaterThan(20);
      expect(outcomes.refused).toBeGreaterThan(300);
    },
    300_000,
  );

  it('scenarios: 1000 mutations of the shipped ones (bytes and fields) parsed, built and run for 5 simulated seconds', () => {
    const rng = Rng.stream(12, 'fuzz:scenario');
    const texts = ['default', 'cst'].map((n) => readFileSync(`scenarios/${n}.json`, 'latin1'));
    const VALUES: unknown[] = [null, -1, 0, 0.5, 1, 1e6, 1e308, -1e308, 2 ** 53, '', 'x', '99:99:99', [], {}, true, { kind: 'nope' }];
    const crashes: string[] = [];
    const outcomes = { run: 0, refused: 0 };
    const file = join(mkdtempSync(join(tmpdir(), 'sor-fuzz-sc-')), 'fuzzed.json');
    for (let k = 0; k < 1000; k++) {
      const text = texts[rng.int(texts.length)]!;
      let mutated: string;
      if (rng.int(3) === 0) mutated = mutateText(text, rng);
      else {
        // a random field set to a random value, or removed
        const j = JSON.parse(text);
        const paths: (string | number)[][] = [];
        const walk = (v: unknown, p: (string | number)[]) => {
          paths.push(p);
          if (v && typeof v === 'object') for (const [key, x] of Object.entries(v)) walk(x, [...p, Array.isArray(v) ? Number(key) : key]);
        };
        walk(j, []);
        const p = paths[1 + rng.int(paths.length - 1)]!;
        let parent = j;
        for (const q of p.slice(0, -1)) parent = parent[q];
        if (rng.int(5) === 0) delete parent[p[p.length - 1]!];
        else parent[p[p.length - 1]!] = VALUES[rng.int(VALUES.length)];
        mutated = JSON.stringify(j);
      }
      try {
        const scenario = parseScenario(mutated, file);
        const world = buildWorld({ market: { scenario, file }, seed: 1 + k });
        world.start();
        world.run(world.session.t0 + 5 * NS_PER_SECOND);
        outcomes.run++;
      } catch (e) {
        if (named(e, file)) outcomes.refused++;
        else crashes.push(`case ${k}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
    }
    if (process.env.SOR_FUZZ_REPORT) console.log(JSON.stringify(outcomes));
    expect(crashes).toEqual([]);
    expect(outcomes.run).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(300);
  }, 300_000);
});
