import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../../src/core/types.js';
import type { FixInitiator } from '../../src/fix/initiator.js';
import type { Received } from '../../src/fix/session.js';
import { readJournal } from '../../src/live/journal.js';
import { replayJournal } from '../../src/live/router.js';
import type { RouterService } from '../../src/live/service.js';
import type { VenueSimulator } from '../../src/live/venues.js';
import { liveStack, until } from '../helpers/live-stack.js';

let sim: VenueSimulator;
let service: RouterService;
let oms: FixInitiator;
let stack: Awaited<ReturnType<typeof liveStack>>;
let got: Received[] = [];
const reply = (id: string) => stack.reply(id);

beforeAll(async () => {
  stack = await liveStack({ seed: 5, journalPrefix: 'sor-oms-' });
  ({ sim, service, oms, got } = stack);
}, 30_000);
afterAll(() => stack.stop());

function order(id: string, over: Record<string, string | null> = {}, extra: [string, string][] = []): [string, string][] {
  const now = sim.clock.now();
  const base: Record<string, string> = {
    '11': id,
    '21': '1',
    '55': 'GOOG',
    '54': '1',
    '60': sim.clock.fix(now),
    '38': '500',
    '40': '1',
    '126': sim.clock.fix(now + 60 * NS_PER_SECOND),
  };
  const fields = Object.entries({ ...base, ...over }).filter((e): e is [string, string] => e[1] !== null);
  return [...fields, ...extra];
}

/**
 * The OMS's FIX session to the router over loopback TCP: what the transport adds (the session's own Rejects, reports
 * that reach the OMS as they are made). The order semantics themselves are test/live/oms-gateway.test.ts's, with no
 * socket.
 */
describe('the router’s OMS session', () => {
  it('a malformed NewOrderSingle is the session’s: a Reject (a tag twice), never a parent', async () => {
    const before = service.router.parentStates().length;
    oms.session.send('D', [...order('B8'), ['38', '100']]);
    // the router's side of the session sent it a session-level Reject (its store records each message it sent)
    const sent = () => readFileSync(join(service.config.journal.dir, 'oms-OMS1.fixlog'), 'utf8');
    await until(() => sent().includes('"type":"3"'));
    expect(reply('B8')).toEqual([]);
    expect(service.router.parentStates().length).toBe(before);
  });

  it('a parent is acknowledged, filled in parts with LastMkt, and its cancel and status requests are answered', async () => {
    oms.session.send('D', order('G1', { '38': '20000', '126': sim.clock.fix(sim.clock.now() + 300 * NS_PER_SECOND) }));
    await until(() => reply('G1').some((m) => m.map.get('150') === 'F'));
    const acks = reply('G1');
    expect(acks[0]!.map.get('150')).toBe('0');
    const fill = acks.find((m) => m.map.get('150') === 'F')!;
    expect(fill.map.get('30')).toMatch(/^(LIT|DARK)_/);
    expect(Number(fill.map.get('14')) + Number(fill.map.get('151'))).toBe(20000);
    oms.session.send('H', [
      ['11', 'G1'],
      ['55', 'GOOG'],
      ['54', '1'],
    ]);
    await until(() => reply('G1').some((m) => m.map.get('150') === 'I'));
    oms.session.send('F', [
      ['41', 'G1'],
      ['11', 'G1-c'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', sim.clock.fix(sim.clock.now())],
      ['38', '20000'],
    ]);
    await until(() => reply('G1-c').some((m) => m.map.get('150') === '4'));
    const r = reply('G1-c');
    expect(r[0]!.map.get('150')).toBe('6'); // pending cancel first
    const done = r.find((m) => m.map.get('150') === '4')!;
    expect([done.map.get('39'), done.map.get('41'), done.map.get('151')]).toEqual(['4', 'G1', '0']);
    expect(Number(done.map.get('14'))).toBeLessThan(20000);
    // no child of the parent is left working at any venue
    const p = service.router.parentStates().find((x) => x.clOrdId === 'G1')!;
    expect(p.state).toBe('cancelled');
    // a cancel of what is done, or unknown, is an OrderCancelReject
    oms.session.send('F', [
      ['41', 'NOPE'],
      ['11', 'N-c'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', sim.clock.fix(sim.clock.now())],
    ]);
    await until(() => got.some((m) => m.type === '9' && m.map.get('11') === 'N-c'));
    expect(got.find((m) => m.type === '9' && m.map.get('11') === 'N-c')!.map.get('102')).toBe('1');
  }, 30_000);
  it('the session’s journal replays through a fresh engine exactly', () => {
    const records = readJournal(service.journalFile);
    expect(records.some((r) => r.k === 'oms' && r.type === 'F')).toBe(true);
    const r = replayJournal(records);
    expect(r.mismatches).toEqual([]);
    expect(r.outputs).toBeGreaterThan(0);
    expect(r.parents.map((p) => [p.clOrdId, p.qty, p.cumQty])).toEqual(service.router.parentStates().map((p) => [p.clOrdId, p.qty, p.cumQty]));
  });
});
