import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/fix/acceptance/runner.js';
import { parseScript } from '../../src/fix/acceptance/script.js';
import { FixAcceptor } from '../../src/fix/acceptor.js';
import { FixInitiator } from '../../src/fix/initiator.js';
import { RESEND_MEMORY } from '../../src/fix/session.js';
import { FileStore } from '../../src/fix/store.js';
import { fieldMap } from '../../src/fix/wire.js';

const SETTINGS = { beginString: 'FIX.4.4', senderCompID: 'ISLD', targetCompID: 'TW', resetOnDisconnect: false };
const script = (lines: string[]) => parseScript(lines.join('\n').replaceAll('|', '\x01'), 'inline.def');
const T = '00000000-00:00:00.000';

describe('ResendRequestChunkSize', () => {
  it('asks for a gap a chunk at a time, the next chunk once the last is filled, then takes the messages held past it', async () => {
    const acc = new FixAcceptor({ beginString: 'FIX.4.4', senderCompID: 'ISLD', targetCompID: 'TW', resendChunkSize: 2 });
    const steps = script([
      'iCONNECT',
      'I8=FIX.4.4|35=A|34=1|49=TW|52=<TIME>|56=ISLD|98=0|108=30|',
      `E8=FIX.4.4|35=A|34=1|49=ISLD|52=${T}|56=TW|98=0|108=30|`,
      'I8=FIX.4.4|35=1|34=6|49=TW|52=<TIME>|56=ISLD|112=HELD|',
      `E8=FIX.4.4|35=2|34=2|49=ISLD|52=${T}|56=TW|7=2|16=3|`,
      'I8=FIX.4.4|35=0|34=2|49=TW|52=<TIME>|56=ISLD|',
      'I8=FIX.4.4|35=0|34=3|49=TW|52=<TIME>|56=ISLD|',
      `E8=FIX.4.4|35=2|34=3|49=ISLD|52=${T}|56=TW|7=4|16=5|`,
      'I8=FIX.4.4|35=0|34=4|49=TW|52=<TIME>|56=ISLD|',
      'I8=FIX.4.4|35=0|34=5|49=TW|52=<TIME>|56=ISLD|',
      // the held TestRequest (6) is answered once the gap is filled
      `E8=FIX.4.4|35=0|34=4|49=ISLD|52=${T}|56=TW|112=HELD|`,
      'I8=FIX.4.4|35=5|34=7|49=TW|52=<TIME>|56=ISLD|',
      `E8=FIX.4.4|35=5|34=5|49=ISLD|52=${T}|56=TW|`,
      'eDISCONNECT',
    ]);
    const port = await acc.listen(0);
    const r = await runScript('chunks', steps, { host: '127.0.0.1', port }, { expectMs: 2000, disconnectMs: 3000 });
    await acc.close();
    expect(r.failure).toBeUndefined();
  });
});

describe('the session store', () => {
  it('a restarted acceptor resumes both sequences from its journal and still resends what it sent before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sor-fixstore-'));
    const first = new FixAcceptor(SETTINGS, undefined, new FileStore(dir, 'ISLD-TW'));
    const before = script([
      'iCONNECT',
      'I8=FIX.4.4|35=A|34=1|49=TW|52=<TIME>|56=ISLD|98=0|108=30|',
      `E8=FIX.4.4|35=A|34=1|49=ISLD|52=${T}|56=TW|98=0|108=30|`,
      'I8=FIX.4.4|35=D|34=2|49=TW|52=<TIME>|56=ISLD|11=ID|21=3|40=1|54=1|55=INTC|60=<TIME>|',
      `E8=FIX.4.4|35=D|34=2|49=ISLD|52=${T}|56=TW|11=ID|21=3|40=1|54=1|55=INTC|60=${T}|`,
    ]);
    const port1 = await first.listen(0);
    expect(await runScript('before', before, { host: '127.0.0.1', port: port1 }, { expectMs: 2000 })).toMatchObject({ passed: true });
    await first.close(); // the process goes; no Logout

    const second = new FixAcceptor(SETTINGS, undefined, new FileStore(dir, 'ISLD-TW'));
    expect([second.session.nextSenderSeq, second.session.nextTargetSeq]).toEqual([3, 3]);
    const after = script([
      'iCONNECT',
      'I8=FIX.4.4|35=A|34=3|49=TW|52=<TIME>|56=ISLD|98=0|108=30|',
      `E8=FIX.4.4|35=A|34=3|49=ISLD|52=${T}|56=TW|98=0|108=30|`,
      // everything from 1: the Logons as gap fills, the order again as a possible duplicate
      'I8=FIX.4.4|35=2|34=4|49=TW|52=<TIME>|56=ISLD|7=1|16=0|',
      `E8=FIX.4.4|35=4|34=1|43=Y|49=ISLD|52=${T}|56=TW|122=${T}|36=2|123=Y|`,
      `E8=FIX.4.4|35=D|34=2|43=Y|49=ISLD|52=${T}|56=TW|122=${T}|11=ID|21=3|40=1|54=1|55=INTC|60=${T}|`,
      `E8=FIX.4.4|35=4|34=3|43=Y|49=ISLD|52=${T}|56=TW|122=${T}|36=4|123=Y|`,
      'I8=FIX.4.4|35=5|34=5|49=TW|52=<TIME>|56=ISLD|',
      `E8=FIX.4.4|35=5|34=4|49=ISLD|52=${T}|56=TW|`,
      'eDISCONNECT',
    ]);
    const port2 = await second.listen(0);
    const r = await runScript('after', after, { host: '127.0.0.1', port: port2 }, { expectMs: 2000, disconnectMs: 3000 });
    await second.close();
    expect(r.failure).toBeUndefined();
  });

  it('a journal line cut short by a crash is ignored; a reset starts both sequences again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sor-fixstore-'));
    const s = new FileStore(dir, 'A-B', 'os');
    s.sent(1, { type: 'A', body: [], time: 't' });
    s.target(2);
    s.sent(2, { type: 'D', body: [['11', 'X']], time: 't' });
    s.close();
    writeFileSync(s.file, readFileSync(s.file, 'utf8') + 'S 3 {"type":"D","bo');
    const reopened = new FileStore(dir, 'A-B');
    const l = reopened.load();
    expect([l.nextSender, l.nextTarget, [...l.sent.keys()]]).toEqual([3, 2, [1, 2]]);
    // what is written after the cut starts on a line of its own
    reopened.sent(3, { type: 'D', body: [['11', 'Y']], time: 't' });
    expect([...reopened.load().sent.keys()]).toEqual([1, 2, 3]);
    const r = new FileStore(dir, 'C-D');
    r.sent(1, { type: 'A', body: [], time: 't' });
    r.target(5);
    r.reset();
    r.target(2);
    expect(r.load()).toEqual({ nextSender: 1, nextTarget: 2, sent: new Map() });
    // a damaged line inside the journal is named with its line, not used
    writeFileSync(r.file, 'T 2\nS 2 {oops\nT 3\n');
    expect(() => r.load()).toThrow(/C-D\.fixlog:2: not a line of a FIX session store/);
  });

  it('keeps only the most recent sent messages in memory and reads older ones back from the journal to resend them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sor-window-'));
    const acc = new FixAcceptor({ ...SETTINGS, resetOnDisconnect: false }, () => {}, new FileStore(dir, 'acc', 'os'));
    const port = await acc.listen(0);
    const seen: string[] = [];
    const ini = new FixInitiator(
      { beginString: 'FIX.4.4', senderCompID: 'TW', targetCompID: 'ISLD', trace: (d, raw) => void (d === 'in' && seen.push(raw)) },
      () => {},
      { port },
    );
    await ini.start();
    const n = RESEND_MEMORY + 50;
    for (let i = 0; i < n; i++)
      acc.session.send('D', [
        ['11', `O${i}`],
        ['21', '1'],
        ['55', 'X'],
        ['54', '1'],
        ['60', '20261201-10:00:00'],
        ['40', '1'],
        ['38', '1'],
      ]);
    const until = Date.now() + 20_000;
    while (seen.length < n + 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(seen.length).toBe(n + 1);
    seen.length = 0;
    // the first 20 are long out of memory: asked for again, they come back from the file, as PossDup
    ini.session.send('2', [
      ['7', '1'],
      ['16', '20'],
    ]);
    while (seen.length < 20 && Date.now() < until + 10_000) await new Promise((r) => setTimeout(r, 20));
    const again = seen.map((m) => fieldMap(m));
    expect(again[0]!.get('35')).toBe('4'); // the Logon (1) gap-filled
    const orders = again.filter((m) => m.get('35') === 'D');
    expect(orders.map((m) => m.get('11'))).toEqual(Array.from({ length: 19 }, (_, i) => `O${i}`));
    for (const m of orders) expect(m.get('43')).toBe('Y');
    await ini.stop();
    await acc.close();
  }, 60_000);
});
