import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOURNAL_VERSION, readJournal } from '../../src/live/journal.js';

const setup = {
  symbol: 'GOOG',
  tick: 100,
  venues: [],
  clock: { originMs: 0, originNs: 0, speed: 1 },
  strategies: {},
  defaultPolicy: 'rule',
  decisionSeconds: 5,
  defaultHorizonMinutes: 30,
  adv: 1,
  models: false,
};

function journal(...records: object[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sor-journal-')), 'router.journal');
  writeFileSync(file, records.map((r) => JSON.stringify(r) + '\n').join(''));
  return file;
}

describe('the journal format version', () => {
  it('reads a journal of its version, and one written before the field as the first version', () => {
    expect(JOURNAL_VERSION).toBe(1);
    const now = journal({ k: 'start', t: 1, v: JOURNAL_VERSION, setup }, { k: 'timer', t: 2 });
    expect(readJournal(now).map((r) => r.k)).toEqual(['start', 'timer']);
    const before = journal({ k: 'start', t: 1, setup }, { k: 'timer', t: 2 });
    expect(readJournal(before)).toHaveLength(2);
  });

  it('refuses a journal of another version, naming the file, the line and the version', () => {
    const file = journal({ k: 'start', t: 1, v: 1, setup }, { k: 'timer', t: 2 }, { k: 'start', t: 3, v: 2, setup });
    expect(() => readJournal(file)).toThrow(`${file}:3: a journal of version 2; this router reads version 1`);
    expect(() => readJournal(journal({ k: 'start', t: 1, v: 'one', setup }))).toThrow(/:1: a journal of version "one"/);
  });
});
