import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIX44_SCRIPTS, needs, present } from '../helpers/reference-data.js';
import { runSuite } from '../../src/fix/acceptance/suite.js';
import { dictionaryFor, loadDictionary, validateMessage, type FixDictionary } from '../../src/fix/dictionary.js';

let dict: FixDictionary;
beforeAll(async () => {
  dict = await loadDictionary('FIX44');
});

const HEADER: [string, string][] = [
  ['8', 'FIX.4.4'],
  ['9', '0'],
  ['35', 'D'],
  ['34', '2'],
  ['49', 'TW'],
  ['52', '20261201-10:00:00.000'],
  ['56', 'ISLD'],
];
const ORDER: [string, string][] = [
  ['11', 'ID'],
  ['21', '1'],
  ['38', '100'],
  ['40', '2'],
  ['44', '10.25'],
  ['54', '1'],
  ['55', 'INTC'],
  ['60', '20261201-10:00:00.000'],
];
const msg = (type: string, body: [string, string][]): [string, string][] => [
  ...HEADER.map(([t, v]): [string, string] => (t === '35' ? [t, type] : [t, v])),
  ...body,
  ['10', '000'],
];
const check = (type: string, body: [string, string][]) => validateMessage(dict, msg(type, body));

describe('FIX dictionary checks (jspurefix FIX44, QuickFIX/J rules)', () => {
  it('a well-formed NewOrderSingle passes; its header and trailer are not body fields', () => {
    expect(check('D', ORDER)).toBeNull();
    expect(check('0', [])).toBeNull();
    expect(dict.messages.size).toBeGreaterThan(90);
  });

  it('gives each rule its reason code and RefTagID', () => {
    const without = (tag: string) => ORDER.filter(([t]) => t !== tag);
    expect(check('D', without('55'))).toMatchObject({ reason: 1, tag: '55' });
    expect(check('D', without('11'))).toMatchObject({ reason: 1, tag: '11' });
    expect(check('D', [...ORDER, ['9999', 'x']])).toMatchObject({ reason: 0, tag: '9999', text: 'Invalid tag number' });
    expect(check('0', [['55', 'MSFT']])).toMatchObject({ reason: 2, tag: '55', text: 'Tag not defined for this message type' });
    expect(check('D', [...without('40'), ['40', 'w']])).toMatchObject({ reason: 5, tag: '40' });
    expect(check('D', [...without('38'), ['38', '+100']])).toMatchObject({ reason: 6, tag: '38', text: 'Incorrect data format for value, field=38' });
    expect(check('D', [...without('60'), ['60', '20261201']])).toMatchObject({ reason: 6, tag: '60' });
    expect(check('D', [...ORDER, ['40', '1']])).toMatchObject({ reason: 13, tag: '40' });
    // ExecInst is a MULTIPLEVALUESTRING: every value must be one of its enumeration
    expect(check('D', [...ORDER, ['18', 'M 6']])).toBeNull();
    expect(check('D', [...ORDER, ['18', 'M QQ']])).toMatchObject({ reason: 5, tag: '18' });
  });

  it('repeating groups: counts, delimiters, member order, nested groups and required members', () => {
    const sessions = (n: string, ...members: [string, string][]) => check('D', [...ORDER, ['386', n], ...members]);
    expect(sessions('2', ['336', 'A'], ['336', 'B'])).toBeNull();
    expect(sessions('3', ['336', 'A'], ['336', 'B'])).toMatchObject({ reason: 16, tag: '386' });
    expect(sessions('0')).toBeNull();
    // NoAllocs: AllocAccount (79) is the delimiter, AllocAcctIDSource (661) comes before AllocQty (80)
    const allocs = (...m: [string, string][]) => check('D', [...ORDER, ['78', '1'], ...m]);
    expect(allocs(['79', 'a'], ['661', '1'], ['80', '50'])).toBeNull();
    expect(allocs(['79', 'a'], ['80', '50'], ['661', '1'])).toMatchObject({ reason: 15, tag: '661', text: 'Out of order repeating group members' });
    expect(allocs(['80', '50'])).toMatchObject({ reason: 15, tag: '80', text: 'The group 78 must set the delimiter field 79' });
    // a nested group: NoPartyIDs (453) → NoPartySubIDs (802) inside it
    const parties = check('D', [...ORDER, ['453', '1'], ['448', 'P1'], ['447', 'D'], ['452', '1'], ['802', '1'], ['523', 'x'], ['803', '1']]);
    expect(parties).toBeNull();
    const badNested = check('D', [...ORDER, ['453', '1'], ['448', 'P1'], ['802', '2'], ['523', 'x']]);
    expect(badNested).toMatchObject({ reason: 16, tag: '802' });
    // a member of a group found outside it is not a field of the message
    expect(check('D', [...ORDER, ['336', 'A']])).toMatchObject({ reason: 2, tag: '336' });
  });

  it('user-defined tags (5000 and above) are refused unless the session lets them through', () => {
    expect(validateMessage(dict, msg('D', [...ORDER, ['5001', 'x']]))).toMatchObject({ reason: 0, tag: '5001' });
    expect(validateMessage(dict, msg('D', [...ORDER, ['5001', 'x']]), { validateUserDefinedFields: false })).toBeNull();
    expect(validateMessage(dict, msg('D', [...ORDER, ['4999', 'x']]), { validateUserDefinedFields: false })).toMatchObject({ reason: 0 });
  });

  it('an extension adds fields and a group (FIX 5.0 StrategyParameters on a FIX 4.4 NewOrderSingle)', async () => {
    const ext = await loadDictionary('FIX44', {
      fields: [
        // TargetStrategy's values of 1000 and above are by agreement: the dictionary's enumeration (1–3) is replaced
        { tag: 847, name: 'TargetStrategy', type: 'INT' },
        { tag: 957, name: 'NoStrategyParameters', type: 'NUMINGROUP' },
        { tag: 958, name: 'StrategyParameterName', type: 'STRING' },
        { tag: 959, name: 'StrategyParameterType', type: 'INT' },
        { tag: 960, name: 'StrategyParameterValue', type: 'STRING' },
      ],
      groups: [{ messages: ['D', 'G'], count: 957, members: [958, 959, 960] }],
    });
    const params: [string, string][] = [
      ['957', '2'],
      ['958', 'passiveSlices'],
      ['959', '1'],
      ['960', '4'],
      ['958', 'urgency'],
      ['960', 'high'],
    ];
    expect(validateMessage(ext, msg('D', [...ORDER, ['847', '1001'], ...params]))).toBeNull();
    expect(validateMessage(ext, msg('D', [...ORDER, ['957', '3'], ...params.slice(1)]))).toMatchObject({ reason: 16 });
    expect(validateMessage(ext, msg('D', [...ORDER, ['957', '1'], ['958', 'a'], ['959', 'x']]))).toMatchObject({ reason: 6, tag: '959' });
    // without the extension, FIX 4.4 has no tag 957 (and a parameter's fields at the top level repeat)
    expect(validateMessage(dict, msg('D', [...ORDER, ...params]))).toMatchObject({ reason: 13, tag: '958' });
    expect(validateMessage(dict, msg('D', [...ORDER, ...params.slice(0, 4)]))).toMatchObject({ reason: 0, tag: '957' });
    expect(validateMessage(dict, msg('D', [...ORDER, ['847', '1001']]))).toMatchObject({ reason: 5, tag: '847' });
  });

  it('property: any order of valid values passes; one value outside its enumeration is named', () => {
    const sides = [...dict.fields.get(54)!.enums!];
    const types = [...dict.fields.get(40)!.enums!];
    fc.assert(
      fc.property(
        fc.constantFrom(...sides),
        fc.constantFrom(...types),
        fc.integer({ min: 1, max: 1e9 }),
        fc.string({ minLength: 1, maxLength: 3 }).filter((s) => !s.includes('\x01') && !sides.includes(s)),
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 8 }),
        (side, type, qty, bad, order) => {
          const body: [string, string][] = [...ORDER.filter(([t]) => t !== '54' && t !== '40' && t !== '38'), ['54', side], ['40', type], ['38', String(qty)]];
          expect(
            check(
              'D',
              order.map((i) => body[i]!),
            ),
          ).toBeNull();
          expect(check('D', [...body.filter(([t]) => t !== '54'), ['54', bad]])).toMatchObject({ reason: bad.length === 1 ? 5 : 6, tag: '54' });
        },
      ),
      { seed: 12, numRuns: 300 },
    );
  });

  it('names the dictionary of a BeginString and refuses one it has none for', () => {
    expect(dictionaryFor('FIX.4.4')).toBe('FIX44');
    expect(dictionaryFor('FIX.4.2')).toBe('FIX42');
    expect(dictionaryFor('FIXT.1.1')).toBe('FIX50SP2');
    expect(() => dictionaryFor('HELLO')).toThrow(/no dictionary for BeginString HELLO/);
  });

  it.skipIf(!present(FIX44_SCRIPTS))(
    needs(FIX44_SCRIPTS, 'the whole fast suite passes with other CompIDs, the scripts rewritten for them (written for the format)'),
    async () => {
      const src = FIX44_SCRIPTS;
      const dir = mkdtempSync(join(tmpdir(), 'sor-compids-'));
      for (const f of readdirSync(src).filter((x) => x.endsWith('.def'))) {
        // the acceptor is BRKR and the client DK (as long as ISLD and TW: the scripts' deliberate lengths stay as they were)
        const text = readFileSync(join(src, f), 'latin1')
          .replace(/\x0149=TW\x01/g, '\x0149=DK\x01')
          .replace(/\x0156=TW\x01/g, '\x0156=DK\x01')
          .replace(/\x0149=ISLD\x01/g, '\x0149=BRKR\x01')
          .replace(/\x0156=ISLD\x01/g, '\x0156=BRKR\x01');
        expect(text).not.toMatch(/\x01(49|56)=(TW|ISLD)\x01/);
        writeFileSync(join(dir, f), text, 'latin1');
      }
      const { results } = await runSuite([dir], { beginString: 'FIX.4.4', senderCompID: 'BRKR', targetCompID: 'DK', slow: false, expectMs: 1500 });
      expect(results.length).toBe(63);
      expect(results.filter((r) => !r.passed).map((r) => `${r.script}: ${r.failure!.reason}`)).toEqual([]);
    },
    300_000,
  );
});
