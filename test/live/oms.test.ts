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

describe('the router’s OMS session', () => {
  it('a parent it cannot take gets an ExecutionReport Rejected with OrdRejReason and Text, and nothing else changes', async () => {
    const before = service.router.parentStates().length;
    const childrenBefore = readJournal(service.journalFile).filter((r) => r.k === 'to-venue').length;
    const past = sim.clock.fix(sim.clock.now() - 5 * NS_PER_SECOND);
    const cases: [string, [string, string][], string, RegExp][] = [
      ['B1', order('B1', { '55': 'MSFT' }), '1', /unknown symbol MSFT/],
      ['B2', order('B2', { '847': '999' }), '11', /unknown TargetStrategy \(847\) 999/],
      ['B3', order('B3', { '38': '0' }), '13', /OrderQty \(38\)/],
      ['B4', order('B4', { '126': past }), '4', /horizon is in the past/],
      ['B5', order('B5', { '40': '2', '44': '580.123' }), '99', /Price \(44\) must be a price/],
      [
        'B6',
        order('B6', { '847': '1000' }, [
          ['957', '1'],
          ['958', 'sweepDepth'],
          ['959', '1'],
          ['960', '-3'],
        ]),
        '11',
        /policy rule, option sweepDepth/,
      ],
      ['B9', order('B9', { '847': '1003' }), '11', /policy ml needs trained models, and this router has none/],
      [
        'B7',
        order('B7', { '847': '1000' }, [
          ['957', '1'],
          ['958', 'nosuch'],
          ['960', '1'],
        ]),
        '11',
        /nosuch/,
      ],
    ];
    for (const [, body] of cases) oms.session.send('D', body);
    await until(() => cases.every(([id]) => reply(id).length > 0));
    for (const [id, , reason, text] of cases) {
      const r = reply(id)[0]!;
      expect([r.map.get('150'), r.map.get('39'), r.map.get('103')], id).toEqual(['8', '8', reason]);
      expect(r.map.get('58'), id).toMatch(text);
    }
    expect(service.router.parentStates().length).toBe(before);
    expect(readJournal(service.journalFile).filter((r) => r.k === 'to-venue').length).toBe(childrenBefore);
    // a malformed one is the session's: a Reject (a tag twice), not a parent
    oms.session.send('D', [...order('B8'), ['38', '100']]);
    await new Promise((r) => setTimeout(r, 200));
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
  it('a replace (G) changes a parent’s size and horizon: Replaced, or Pending Replace then Replaced, never overfilled', async () => {
    const now = () => sim.clock.now();
    oms.session.send('D', order('R1', { '38': '20000', '126': sim.clock.fix(now() + 300 * NS_PER_SECOND) }));
    await until(() => reply('R1').some((m) => m.map.get('150') === 'F'));
    const replace = (orig: string, id: string, fields: Record<string, string>) =>
      oms.session.send('G', Object.entries({ '41': orig, '11': id, '55': 'GOOG', '54': '1', '60': sim.clock.fix(now()), '40': '1', ...fields }));
    // up in size and out in time: applied at once
    const end = now() + 600 * NS_PER_SECOND;
    replace('R1', 'R1-a', { '38': '30000', '126': sim.clock.fix(end) });
    await until(() => reply('R1-a').some((m) => m.map.get('150') === '5'));
    const up = reply('R1-a').find((m) => m.map.get('150') === '5')!;
    expect([up.map.get('41'), up.map.get('38')]).toEqual(['R1', '30000']);
    expect(Number(up.map.get('14')) + Number(up.map.get('151'))).toBe(30000);
    const p = () => service.router.parentStates().find((x) => x.id === up.map.get('37'))!;
    expect(p().order.end).toBe(sim.clock.nsOf(sim.clock.fix(end)));
    // what it cannot take: an OrderCancelReject for a replace (434=2) with the reason, and nothing changes
    replace('R1-a', 'R1-x', { '38': '30000', '54': '2' });
    replace('R1-a', 'R1-y', { '38': '1' });
    replace('NOPE', 'R1-z', { '38': '100' });
    await until(() => ['R1-x', 'R1-y', 'R1-z'].every((id) => reply(id).length > 0));
    const rej = (id: string) => reply(id)[0]!;
    expect(['R1-x', 'R1-y', 'R1-z'].map((id) => [rej(id).type, rej(id).map.get('434')])).toEqual([
      ['9', '2'],
      ['9', '2'],
      ['9', '2'],
    ]);
    expect(rej('R1-x').map.get('58')).toMatch(/Side \(54\) cannot change/);
    expect(rej('R1-y').map.get('58')).toMatch(/above the \d+ already filled/);
    expect(rej('R1-z').map.get('102')).toBe('1');
    expect(p().qty).toBe(30000);
    // down to just above what is filled: the working children are cancelled first (Pending Replace), then Replaced,
    // or the replace is given up if fills got there first; either way the parent never fills beyond its size
    const target = p().cumQty + 200;
    replace('R1-a', 'R1-b', { '38': String(target) });
    await until(() => reply('R1-b').some((m) => m.map.get('150') === '5' || m.type === '9'));
    const outcome = reply('R1-b').find((m) => m.map.get('150') === '5' || m.type === '9')!;
    const size = outcome.type === '9' ? 30000 : target;
    if (outcome.type === '8') expect([outcome.map.get('38'), outcome.map.get('41')]).toEqual([String(target), 'R1-a']);
    else expect(outcome.map.get('58')).toMatch(/already filled|could overfill/);
    if (outcome.type === '8') {
      const pending = reply('R1-b').find((m) => m.map.get('150') === 'E');
      if (pending) expect([pending.map.get('39'), pending.map.get('41')]).toEqual(['E', 'R1-a']);
    }
    // the rest of the horizon is long: cancel it, and count what it filled in all
    oms.session.send('F', Object.entries({ '41': 'R1-b', '11': 'R1-c', '55': 'GOOG', '54': '1', '60': sim.clock.fix(now()), '38': String(size) }));
    await until(() => ['cancelled', 'filled'].includes(p().state) || reply('R1-c').some((m) => m.type === '9'));
    expect(p().cumQty).toBeLessThanOrEqual(size);
    expect(p().qty).toBe(size);
  }, 40_000);
  it('a replace from a limit to a market order and back: each report says the OrdType (40) and Price (44) it has now', async () => {
    const now = () => sim.clock.now();
    // a buy limit far below the market: it works and does not fill
    oms.session.send('D', order('L1', { '40': '2', '44': '1.00', '38': '300' }));
    await until(() => reply('L1').some((m) => m.map.get('150') === '0'));
    expect([reply('L1')[0]!.map.get('40'), Number(reply('L1')[0]!.map.get('44'))]).toEqual(['2', 1]);
    const replace = (orig: string, id: string, fields: Record<string, string>) =>
      oms.session.send('G', Object.entries({ '41': orig, '11': id, '55': 'GOOG', '54': '1', '60': sim.clock.fix(now()), '38': '300', ...fields }));
    replace('L1', 'L1-m', { '40': '1' });
    await until(() => reply('L1-m').some((m) => m.map.get('150') === '5' || m.type === '9'));
    const toMarket = reply('L1-m').find((m) => m.map.get('150') === '5')!;
    expect([toMarket.map.get('40'), toMarket.map.has('44')]).toEqual(['1', false]);
    replace('L1-m', 'L1-l', { '40': '2', '44': '2.00' });
    await until(() => reply('L1-l').some((m) => m.map.get('150') === '5' || m.type === '9'));
    const toLimit = reply('L1-l').find((m) => m.map.get('150') === '5')!;
    expect([toLimit.map.get('40'), Number(toLimit.map.get('44'))]).toEqual(['2', 2]);
    // and a status request after it says the same
    oms.session.send('H', [
      ['11', 'L1-l'],
      ['55', 'GOOG'],
      ['54', '1'],
    ]);
    await until(() => reply('L1-l').some((m) => m.map.get('150') === 'I'));
    const status = reply('L1-l').find((m) => m.map.get('150') === 'I')!;
    expect([status.map.get('40'), Number(status.map.get('44'))]).toEqual(['2', 2]);
    oms.session.send('F', Object.entries({ '41': 'L1-l', '11': 'L1-c', '55': 'GOOG', '54': '1', '60': sim.clock.fix(now()), '38': '300' }));
    await until(() => reply('L1-c').some((m) => m.map.get('150') === '4' || m.type === '9'));
  }, 30_000);
  it('the session’s journal (refusals, cancels, replaces pending and applied) replays through a fresh engine exactly', () => {
    const records = readJournal(service.journalFile);
    expect(records.some((r) => r.k === 'oms' && r.type === 'G')).toBe(true);
    const r = replayJournal(records);
    expect(r.mismatches).toEqual([]);
    expect(r.outputs).toBeGreaterThan(0);
    expect(r.parents.map((p) => [p.clOrdId, p.qty, p.cumQty])).toEqual(service.router.parentStates().map((p) => [p.clOrdId, p.qty, p.cumQty]));
  });
});
