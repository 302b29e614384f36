import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { NS_PER_SECOND } from '../../src/core/types.js';
import { hashPassword } from '../../src/fix/auth.js';
import { loadDictionary } from '../../src/fix/dictionary.js';
import { FixInitiator } from '../../src/fix/initiator.js';
import type { Received } from '../../src/fix/session.js';
import { parseRouterConfig } from '../../src/live/config.js';
import { readJournal } from '../../src/live/journal.js';
import { OMS_EXTENSION, RouterService } from '../../src/live/service.js';
import { VenueSimulator } from '../../src/live/venues.js';

let sim: VenueSimulator;
let service: RouterService;
let oms: FixInitiator;
const got: Received[] = [];
const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const reply = (id: string) => got.filter((m) => m.map.get('11') === id);

beforeAll(async () => {
  sim = new VenueSimulator({ market: resolveScenario('default'), seed: 5, speed: 10 });
  const ends = await sim.start();
  const password = randomBytes(12).toString('hex');
  const fees = sim.fees();
  service = new RouterService(
    parseRouterConfig({
      symbol: 'GOOG',
      tick: 100,
      oms: { sessions: [{ compId: 'OMS1', username: 'desk', passwordHash: hashPassword(password) }] },
      venues: ends.map((e) => ({ name: e.name, kind: e.kind, port: e.port, ...fees[e.name] })),
      clock: sim.clock.spec,
      policy: { default: 'rule', decisionSeconds: 5 },
      journal: { dir: mkdtempSync(join(tmpdir(), 'sor-oms-')) },
    }),
  );
  await service.start();
  oms = new FixInitiator(
    {
      beginString: 'FIX.4.4',
      senderCompID: 'OMS1',
      targetCompID: 'SOR',
      dictionary: await loadDictionary('FIX44', OMS_EXTENSION),
      credentials: { username: 'desk', password },
    },
    (m) => void got.push(m),
    { port: service.omsPort },
  );
  await oms.start();
}, 30_000);
afterAll(async () => {
  await oms.stop(300);
  await service.stop();
  await sim.stop();
});

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
});
