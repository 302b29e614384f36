import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileFromLobster } from '../../src/data/lobster-profile.js';
import { GOOG_DAY, needs, present } from '../helpers/reference-data.js';

const GOOG = GOOG_DAY;

describe('LOBSTER flow profile', () => {
  it.skipIf(!present(GOOG))(needs(GOOG, 'the shipped GOOG profile is what the data gives'), () => {
    const { credit: _credit, ...shipped } = JSON.parse(readFileSync('profiles/goog-2012-06-21.json', 'utf8'));
    const p = profileFromLobster(GOOG);
    expect(p).toEqual(shipped);
    // the counts in ../shared/data/README.md
    expect(p.events).toEqual({ add: 24368, partialCancel: 7, cancel: 13429, execute: 7765, hiddenExecute: 3913 });
  });

  it('names the file and line of a malformed row', () => {
    const dir = mkdtempSync('/tmp/sor-lob-');
    writeFileSync(join(dir, 'X_2012-06-21_34200000_57600000_message_1.csv'), '34200.1,1,5,100,5800000,1\n34200.2,1,6,abc,5800000,1\n');
    writeFileSync(join(dir, 'X_2012-06-21_34200000_57600000_orderbook_1.csv'), '5800100,100,5800000,100\n5800100,100,5800000,200\n');
    expect(() => profileFromLobster(dir)).toThrow(/message_1\.csv:2: field 4 is not a number: "abc"/);
    expect(() => profileFromLobster(join(dir, 'none'))).toThrow(/none: no such folder/);
  });
});
