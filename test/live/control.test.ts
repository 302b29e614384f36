import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCall } from '../../src/monitor/control.js';
import { NS_PER_SECOND } from '../../src/core/types.js';
import { hashPassword } from '../../src/fix/auth.js';
import { readJournal, type JournalRecord } from '../../src/live/journal.js';
import { replayJournal } from '../../src/live/router.js';
import { liveStack, until } from '../helpers/live-stack.js';

/** Human control over the live stack: the control API (and `sor ctl`), authenticated, journaled; the OMS's mass cancel. */
let stack: Awaited<ReturnType<typeof liveStack>>;
const token = randomBytes(18).toString('base64url');
let base = '';
const call = (action: string, body?: Record<string, unknown>) => controlCall(base, token, action, body) as Promise<Record<string, unknown>>;
const journal = () => readJournal(stack.service.journalFile);
const ofKind = <K extends JournalRecord['k']>(k: K) => journal().filter((r): r is Extract<JournalRecord, { k: K }> => r.k === k);

beforeAll(async () => {
  stack = await liveStack({
    seed: 11,
    journalPrefix: 'sor-control-',
    control: { tokens: [{ who: 'ops-1', tokenHash: hashPassword(token, randomBytes(16), 1024) }] },
  });
  base = `http://127.0.0.1:${stack.service.controlPort}`;
  await new Promise((r) => setTimeout(r, 300));
}, 30_000);
afterAll(() => stack.stop());

function order(id: string, qty: number, seconds = 60): [string, string][] {
  const now = stack.sim.clock.now();
  return [
    ['11', id],
    ['21', '1'],
    ['55', 'GOOG'],
    ['54', '1'],
    ['60', stack.sim.clock.fix(now)],
    ['38', String(qty)],
    ['40', '1'],
    ['126', stack.sim.clock.fix(now + seconds * NS_PER_SECOND)],
  ];
}
const working = () => stack.service.router.engine.risk.openOrders().total;

describe('the control API', () => {
  it('refuses a call without a token or with a wrong one (401), journals it with where from and why, and changes nothing', async () => {
    const no = await fetch(`${base}/halt`, { method: 'POST' });
    expect(no.status).toBe(401);
    const wrong = await fetch(`${base}/halt`, { method: 'POST', headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'unauthorized: wrong token' });
    expect((await fetch(`${base}/status`)).status).toBe(401);
    expect((await fetch(`${base}/nothing-here`, { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const refused = ofKind('control').filter((r) => r.refused !== undefined);
    expect(refused.map((r) => [r.action, r.refused, r.who, r.from])).toEqual([
      ['/halt', 'no token', null, '127.0.0.1'],
      ['/halt', 'wrong token', null, '127.0.0.1'],
      ['/status', 'no token', null, '127.0.0.1'],
      ['/nothing-here', 'not a bearer token', null, '127.0.0.1'],
    ]);
    // the token is nowhere in the journal
    expect(JSON.stringify(journal())).not.toContain(token);
    expect((await call('status')).state).toBe('ACTIVE');
  });

  it('halt: every working child is cancelled before it answers, no new child leaves, new parents are refused with the reason', async () => {
    stack.oms.session.send('D', order('H1', 20_000, 120));
    await until(() => working() > 0, 15_000);
    const before = working();
    const a = await call('halt', { reason: 'a test of the halt' });
    expect(a).toMatchObject({ action: 'halt', who: 'ops-1', state: 'HALTED', working_after: 0 });
    expect(a.working_before).toBeGreaterThanOrEqual(before > 0 ? 1 : 0);
    expect(working()).toBe(0);
    const haltAt = journal().findIndex((r) => r.k === 'control' && r.action === 'halt' && r.who === 'ops-1');
    expect(haltAt).toBeGreaterThan(0);
    stack.oms.session.send('D', order('H2', 1000));
    await until(() => stack.reply('H2').length > 0, 15_000);
    const h2 = stack.reply('H2')[0]!;
    expect([h2.map.get('150'), h2.map.get('39')]).toEqual(['8', '8']);
    expect(h2.map.get('58')).toMatch(/^STATE_HALTED: /);
    // a second of market time and more: decisions come and go, and nothing new is sent
    await new Promise((r) => setTimeout(r, 1500));
    const after = journal().slice(haltAt);
    expect(after.filter((r) => r.k === 'to-venue' && r.type === 'D')).toEqual([]);
    expect(after.some((r) => r.k === 'state' && r.to === 'HALTED' && r.who === 'ops-1' && r.reason === 'a test of the halt')).toBe(true);
    expect((await call('status')).state).toBe('HALTED');
    // a symbol the router does not trade is refused, not taken as a no-op
    await expect(call('resume', { symbol: 'AAPL' })).rejects.toThrow(/400: symbol AAPL: the router trades GOOG/);
  }, 60_000);

  it('resume trades again; cancel-all cancels every open parent and tells the OMS why', async () => {
    expect(await call('resume')).toMatchObject({ state: 'ACTIVE' });
    await until(() => working() > 0, 15_000);
    const a = await call('cancel-all', { reason: 'end of day' });
    expect(a.parents).toEqual(['P1']);
    expect(a.working_after).toBe(0);
    await until(() => stack.reply('H1').some((m) => m.map.get('150') === '4'), 15_000);
    const cancelled = stack.reply('H1').find((m) => m.map.get('150') === '4')!;
    expect([cancelled.map.get('39'), cancelled.map.get('58')]).toEqual(['4', 'cancelled by ops-1: end of day']);
    expect(ofKind('control-done').map((r) => [r.action, r.who, r.parents])).toEqual([['cancel-all', 'ops-1', ['P1']]]);
  }, 60_000);

  it('the OMS’s OrderMassCancelRequest (q) cancels its open parents and answers with an OrderMassCancelReport (r)', async () => {
    stack.oms.session.send('D', order('M1', 5000));
    await until(() => stack.reply('M1').some((m) => m.map.get('150') === '0'), 15_000);
    stack.oms.session.send('q', [
      ['11', 'MC1'],
      ['530', '7'],
      ['60', stack.sim.clock.fix(stack.sim.clock.now())],
    ]);
    await until(() => stack.reply('MC1').length > 0 && stack.reply('M1').some((m) => m.map.get('150') === '4'), 15_000);
    const r = stack.reply('MC1')[0]!;
    expect([r.type, r.map.get('530'), r.map.get('531'), r.map.get('533')]).toEqual(['r', '7', '7', '1']);
    expect(
      stack
        .reply('M1')
        .find((m) => m.map.get('150') === '4')!
        .map.get('58'),
    ).toBe('mass cancel MC1');
    // by symbol, for another symbol: refused, nothing cancelled
    stack.oms.session.send('q', [
      ['11', 'MC2'],
      ['530', '1'],
      ['55', 'AAPL'],
      ['60', stack.sim.clock.fix(stack.sim.clock.now())],
    ]);
    await until(() => stack.reply('MC2').length > 0, 15_000);
    const r2 = stack.reply('MC2')[0]!;
    expect([r2.map.get('531'), r2.map.get('532')]).toEqual(['0', '1']);
  }, 60_000);

  it('sor ctl: status with the token from the environment; a wrong token exits 2; and the journal replays to the same outputs', async () => {
    // (not spawnSync: the router it calls runs in this process)
    const run = (tok: string) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((done) =>
        execFile(
          process.execPath,
          ['bin/sor.js', 'ctl', 'status', '--port', String(stack.service.controlPort)],
          { encoding: 'utf8', env: { ...process.env, SOR_CONTROL_TOKEN: tok } },
          (err, stdout, stderr) => done({ status: err ? Number(err.code) : 0, stdout, stderr }),
        ),
      );
    const ok = await run(token);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^GOOG: ACTIVE \(all: ACTIVE\) · 0 open parents · 0 children working/);
    const bad = await run('wrong');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/refused the token \(401\)/);
    const replay = replayJournal(journal());
    expect(replay.mismatches).toEqual([]);
  });
});
