import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { difference, loadScript, messageToSend, parseScript, TIME_STEP_MS } from '../../src/fix/acceptance/script.js';
import { FIX44_SCRIPTS, needs, present } from '../helpers/reference-data.js';
import { checksum, completeMessage, fieldMap, fieldsOf, FixFramer, fixTime, SOH, wellFormed } from '../../src/fix/wire.js';

const DIR = FIX44_SCRIPTS;
const files = present(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.def')) : [];
const s = (text: string) => text.replaceAll('|', SOH);

describe('FIX acceptance scripts', () => {
  it.skipIf(!present(DIR))(needs(DIR, 'every script of the QuickFIX/J FIX 4.4 suite parses: connections, sends, expectations, disconnects'), () => {
    expect(files).toHaveLength(65);
    let sends = 0;
    let expects = 0;
    for (const f of files) {
      const steps = loadScript(join(DIR, f));
      expect(steps[0]!.kind, f).toBe('connect');
      sends += steps.filter((x) => x.kind === 'send').length;
      for (const x of steps) if (x.kind === 'expect') expect(fieldMap(x.text).get('35'), `${f}:${x.line}`).toMatch(/^[0-9A-Za-z]+$/);
      expects += steps.filter((x) => x.kind === 'expect').length;
    }
    expect(sends).toBeGreaterThan(300);
    expect(expects).toBeGreaterThan(150);
    // the second connection of the two-connection scripts
    const dup = loadScript(join(DIR, '1b_DuplicateIdentity.def'));
    expect(dup.some((x) => x.kind === 'connect' && x.conn === 2)).toBe(true);
    expect(dup.some((x) => x.kind === 'expect-disconnect' && x.conn === 2)).toBe(true);
    // the scripts' fields are delimited by SOH itself
    expect(readFileSync(join(DIR, '2a_MsgSeqNumCorrect.def'), 'latin1')).toContain(SOH);
  });

  it('reads the lines the format defines and refuses a malformed SET_SESSION by line', () => {
    const steps = parseScript(
      [
        '# comment',
        '',
        'iCONNECT',
        'i2,CONNECT',
        'iSET_SESSION FIX.4.4:ISLD->TW NEXTTARGETSEQNUM=7',
        s('I2,8=FIX.4.4|35=0|'),
        s('E8=FIX.4.4|35=0|'),
        'e2,DISCONNECT',
        'zunknown',
      ].join('\r\n'),
      'x.def',
    );
    expect(steps.map((x) => x.kind)).toEqual(['connect', 'connect', 'set-session', 'send', 'expect', 'expect-disconnect']);
    expect(steps[2]).toMatchObject({ session: 'FIX.4.4:ISLD->TW', key: 'NEXTTARGETSEQNUM', value: 7, line: 5 });
    expect(steps[3]).toMatchObject({ conn: 2, text: s('8=FIX.4.4|35=0|') });
    expect(() => parseScript('iSET_SESSION oops', 'y.def')).toThrow(/y\.def:1: SET_SESSION must read/);
  });

  it.skipIf(!present(DIR))(
    needs(DIR, 'computes BodyLength as the acceptor did: every expected message of the suite states the length the code computes'),
    () => {
      let checked = 0;
      for (const f of files) {
        for (const x of loadScript(join(DIR, f))) {
          if (x.kind !== 'expect') continue;
          const fields = fieldsOf(x.text);
          // (a Text need only start with the expected one, so its length says nothing)
          if (fields[1]?.[0] !== '9' || fields.some(([t, v]) => (['52', '122', '60'].includes(t) && v.length !== 21) || t === '58')) continue;
          // without its length and checksum, the message gets the same length back
          const bare = x.text.replace(/\x019=\d+\x01/, SOH).replace(/10=[^\x01]*\x01$/, '');
          expect(fieldMap(completeMessage(bare)).get('9'), `${f}:${x.line}`).toBe(fields[1]![1]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
    },
  );

  it('fills times, BodyLength and CheckSum where a send line leaves them out, and keeps the deliberate ones', () => {
    const now = Date.UTC(2026, 11, 1, 17, 20, 28, 123);
    expect(fixTime(now)).toBe('20261201-17:20:28.123');
    const logon = messageToSend(s('8=FIX.4.4|35=A|34=1|49=TW|52=<TIME>|56=ISLD|98=0|108=30|'), now);
    expect(logon).toBe(
      s(
        `8=FIX.4.4|9=61|35=A|34=1|49=TW|52=20261201-17:20:28.123|56=ISLD|98=0|108=30|10=${checksum(s('8=FIX.4.4|9=61|35=A|34=1|49=TW|52=20261201-17:20:28.123|56=ISLD|98=0|108=30|'))}|`,
      ),
    );
    expect(messageToSend(s('8=FIX.4.4|35=0|52=<TIME-2>|'), now)).toContain(`52=${fixTime(now - 2 * TIME_STEP_MS)}`);
    // a stated length and a stated checksum are sent as written (10=0 as 10=000)
    expect(messageToSend(s('8=FIX.4.4|9=40|35=A|34=1|'), now)).toMatch(/^8=FIX\.4\.4\x019=40\x0135=A\x0134=1\x0110=\d{3}\x01$/);
    expect(messageToSend(s('8=FIX.4.4|35=0|34=2|10=0|'), now)).toBe(s('8=FIX.4.4|9=10|35=0|34=2|10=000|'));
    expect(messageToSend(s('8=FIX.4.4|9=29|34=2|10=121|'), now)).toBe(s('8=FIX.4.4|9=29|34=2|10=121|'));
    // a line that is not a message goes as it stands
    expect(messageToSend(s('garbage|35=0|'), now)).toBe(s('garbage|35=0|'));
    // the checksum is the byte sum mod 256
    expect(checksum('\x01\x02\xff')).toBe('002');
  });

  it("compares as QuickFIX/J's runner: MsgType, every expected tag, no unexpected one; lengths, checksums and times skipped; Text by prefix", () => {
    const want = s('8=FIX.4.4|9=58|35=2|34=2|49=ISLD|52=00000000-00:00:00.000|56=TW|7=5|16=0|58=Value is incorrect|10=0|');
    const got = s('8=FIX.4.4|9=60|35=2|34=2|49=ISLD|52=20261201-17:20:28.123|56=TW|7=5|16=0|58=Value is incorrect (out of range) for this tag|10=101|');
    expect(difference(want, got)).toBeNull();
    expect(difference(want, got.replace(s('|35=2|'), s('|35=3|')))).toMatch(/^MsgType \(35\): expected 2, received 3/);
    expect(difference(want, got.replace(s('|7=5|'), SOH))).toBe('tag 7: expected 5, missing');
    expect(difference(want, got.replace(s('|16=0|'), s('|16=0|43=Y|')))).toBe('tag 43: received Y, not expected');
    expect(difference(want, got.replace(s('|34=2|'), s('|34=3|')))).toBe('tag 34: expected 2, received 3');
    expect(difference(want, got.replace(s('|58=Value'), s('|58=Other')))).toMatch(/^tag 58: /);
  });

  it('frames a byte stream into messages by BodyLength, however it is chunked, skipping bytes that start none', () => {
    const a = messageToSend(s('8=FIX.4.4|35=0|34=2|49=ISLD|56=TW|'), 0);
    const b = messageToSend(s('8=FIX.4.4|35=1|34=3|49=ISLD|56=TW|112=T|'), 0);
    const stream = 'noise' + a + b;
    const fr = new FixFramer();
    const out: string[] = [];
    for (const ch of stream) out.push(...fr.push(ch));
    expect(out).toEqual([a, b]);
    expect(new FixFramer().push(stream)).toEqual([a, b]);
    // a wrong length frames to the first checksum at or past it, as QuickFIX/J does: too short, the message alone;
    // too long, the message and the one after it; neither is well formed
    const short = a.replace(/\x019=\d+\x01/, '\x019=3\x01');
    expect(new FixFramer().push(short + b)).toEqual([short, b]);
    const long = a.replace(/\x019=\d+\x01/, '\x019=60\x01');
    expect(new FixFramer().push(long + b)).toEqual([long + b]);
    expect([a, b].map(wellFormed)).toEqual([true, true]);
    expect([short, long + b, a.replace(/10=\d{3}/, '10=256')].map(wellFormed)).toEqual([false, false, false]);
  });
});
