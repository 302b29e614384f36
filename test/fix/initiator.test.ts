import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { FixAcceptor, echoApplication } from '../../src/fix/acceptor.js';
import { authenticator, hashPassword, isPasswordHash, verifyPassword } from '../../src/fix/auth.js';
import { FixInitiator } from '../../src/fix/initiator.js';
import type { Received, SessionSettings } from '../../src/fix/session.js';
import { FileStore } from '../../src/fix/store.js';

const ACC: SessionSettings = { beginString: 'FIX.4.4', senderCompID: 'ROUTER', targetCompID: 'OMS1' };
const INI: SessionSettings = { beginString: 'FIX.4.4', senderCompID: 'OMS1', targetCompID: 'ROUTER', heartBtIntSeconds: 30 };
const order = (id: string): [string, string][] => [
  ['11', id],
  ['21', '1'],
  ['38', '100'],
  ['40', '1'],
  ['54', '1'],
  ['55', 'GOOG'],
  ['60', '20261201-10:00:00.000'],
];
const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.stop();
});
const track = <T extends { stop(): Promise<void> }>(x: T): T => (open.push(x), x);
const serve = async (acc: FixAcceptor) => {
  const port = await acc.listen(0);
  track({ stop: () => acc.close() });
  return port;
};

describe('FIX initiator and acceptor over loopback', () => {
  it('logs on, carries application messages both ways, and logs out', async () => {
    const acc = new FixAcceptor(ACC);
    const port = await serve(acc);
    const got: Received[] = [];
    const ini = new FixInitiator(INI, (m) => void got.push(m), { port });
    await ini.start();
    expect(acc.session.loggedOn).toBe(true);
    ini.session.send('D', order('A1'));
    await until(() => got.length === 1);
    expect(got[0]!.map.get('11')).toBe('A1');
    await ini.stop();
    expect(ini.session.loggedOn).toBe(false);
  });

  it('authenticates the Logon against salted hashes: a wrong password or name gets a Logout with the reason and no session', async () => {
    const hash = hashPassword('s3cret-pass');
    expect(isPasswordHash(hash)).toBe(true);
    expect(hash).not.toContain('s3cret');
    expect(verifyPassword('s3cret-pass', hash)).toBe(true);
    expect(verifyPassword('s3cret-pasS', hash)).toBe(false);
    expect(hashPassword('s3cret-pass')).not.toBe(hash); // a fresh salt each time
    const auth = authenticator([{ compId: 'OMS1', username: 'desk', passwordHash: hash }]);
    const dir = mkdtempSync(join(tmpdir(), 'sor-auth-'));
    const acc = new FixAcceptor({ ...ACC, authenticate: auth, resetOnDisconnect: false }, echoApplication(), new FileStore(dir, 'ROUTER-OMS1'));
    const port = await serve(acc);
    for (const [credentials, reason] of [
      [{ username: 'desk', password: 'wrong' }, 'Logon refused: wrong Username or Password'],
      [{ username: 'other', password: 's3cret-pass' }, 'Logon refused: wrong Username or Password'],
      [undefined, 'Logon refused: Username (553) and Password (554) required'],
    ] as const) {
      const ini = new FixInitiator({ ...INI, ...(credentials ? { credentials } : {}) }, () => {}, { port });
      await expect(ini.start()).rejects.toThrow(reason);
      expect(ini.session.lastLogoutText).toBe(reason);
      expect(acc.session.loggedOn).toBe(false);
    }
    // an unknown CompID: a Logout saying so
    const stranger = new FixInitiator({ ...INI, senderCompID: 'NOBODY', credentials: { username: 'desk', password: 's3cret-pass' } }, () => {}, { port });
    await expect(stranger.start()).rejects.toThrow('Unknown CompID');
    // the refusals touched no sequence number: the right password logs on at 1
    const ini = track(new FixInitiator({ ...INI, credentials: { username: 'desk', password: 's3cret-pass' } }, () => {}, { port }));
    await ini.start();
    expect(acc.session.loggedOn).toBe(true);
    expect(acc.session.nextTargetSeq).toBe(2);
    // the password is in no file the acceptor or initiator keeps
    expect(readFileSync(join(dir, 'ROUTER-OMS1.fixlog'), 'utf8')).not.toContain('s3cret');
  });

  it('over TLS, with a certificate the test makes; a client that does not trust it does not connect', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 86_400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const acc = new FixAcceptor(ACC, echoApplication(), undefined, { key: pems.private, cert: pems.cert });
    const port = await serve(acc);
    const got: Received[] = [];
    const ini = track(new FixInitiator(INI, (m) => void got.push(m), { port, tls: { ca: pems.cert } }));
    await ini.start();
    ini.session.send('D', order('T1'));
    await until(() => got.length === 1);
    expect(got[0]!.map.get('11')).toBe('T1');
    const untrusting = new FixInitiator({ ...INI, senderCompID: 'OMS2' }, () => {}, { port, tls: {} });
    await expect(untrusting.start()).rejects.toThrow(/self.signed|certificate/i);
  });

  it('NextExpectedMsgSeqNum on Logon: what the acceptor lost in a crash is resent at once, with no ResendRequest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sor-789-'));
    const settings = { nextExpectedMsgSeqNum: true, resetOnDisconnect: false };
    const seen: Received[] = [];
    const app = (m: Received) => void seen.push(m);
    const first = new FixAcceptor({ ...ACC, ...settings }, app, new FileStore(dir, 'acc'));
    const port = await first.listen(0);
    const ini = track(new FixInitiator({ ...INI, ...settings }, () => {}, { port, reconnectMs: 50 }, new FileStore(dir, 'ini')));
    await ini.start();
    for (const id of ['N1', 'N2', 'N3']) ini.session.send('D', order(id));
    await until(() => seen.length === 3);
    await first.close();
    // the acceptor "crashed" before its store noted N2 and N3: its last two notes of the expected number are lost
    const file = join(dir, 'acc.fixlog');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const keep = lines.filter((_, i) => !(lines[i]!.startsWith('T ') && i >= lines.length - 2));
    writeFileSync(file, keep.join('\n') + '\n');
    const wire: string[] = [];
    const trace = (dir: 'in' | 'out', raw: string) => void (dir === 'out' && wire.push(raw));
    const second = new FixAcceptor({ ...ACC, ...settings, trace }, app, new FileStore(dir, 'acc'));
    await second.listen(port);
    track({ stop: () => second.close() });
    const before = seen.length;
    await until(() => second.session.loggedOn && seen.length === before + 2, 8000);
    const again = seen.slice(before);
    expect(again.map((m) => [m.map.get('11'), m.map.get('43')])).toEqual([
      ['N2', 'Y'],
      ['N3', 'Y'],
    ]);
    expect(wire.filter((w) => w.includes('\x0135=2\x01'))).toEqual([]);
    expect(wire.find((w) => w.includes('\x0135=A\x01'))).toContain('\x01789=3\x01');
    expect(second.session.nextTargetSeq).toBe(ini.session.nextSenderSeq);
  });

  it('LastMsgSeqNumProcessed on every message and microsecond SendingTimes, as settings', async () => {
    const acc = new FixAcceptor({ ...ACC, lastMsgSeqNumProcessed: true, timestampDigits: 6 });
    const port = await serve(acc);
    const got: Received[] = [];
    const ini = track(new FixInitiator(INI, (m) => void got.push(m), { port }));
    await ini.start();
    ini.session.send('D', order('L1'));
    ini.session.send('D', order('L2'));
    await until(() => got.length === 2);
    expect(got.map((m) => m.map.get('369'))).toEqual(['2', '3']);
    for (const m of got) expect(m.map.get('52')).toMatch(/^\d{8}-\d{2}:\d{2}:\d{2}\.\d{6}$/);
  });

  it('sor fix hash-password reads the password from stdin and prints a hash that verifies; a short one is refused', () => {
    const run = (input: string) => spawnSync(process.execPath, ['bin/sor.js', 'fix', 'hash-password'], { input, encoding: 'utf8' });
    const ok = run('correct horse battery\n');
    expect(ok.status, ok.stderr).toBe(0);
    expect(verifyPassword('correct horse battery', ok.stdout.trim())).toBe(true);
    expect(ok.stdout).not.toContain('horse');
    const short = run('abc\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('at least 8 characters');
  });
});
