import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FixBody } from '../../src/live/router.js';
import { RouterHarness } from '../helpers/router-harness.js';

/**
 * The router's order semantics towards its OMS (what it takes, refuses, cancels, replaces and reports), with no
 * socket: the router core and the simulated venues in one process on a virtual clock (test/helpers/router-harness.ts).
 * The same journal replays to the same outputs at the end of each case. The transport (a FIX session, its logon and
 * its own Rejects) is test/live/oms.test.ts's.
 */
let h: RouterHarness;
beforeEach(() => {
  h = new RouterHarness({ seed: 5 });
});
afterEach(() => {
  // every case's journal replays through a fresh router to the outputs it holds
  const r = h.replay();
  expect(r.mismatches).toEqual([]);
  expect(r.parents.map((p) => [p.clOrdId, p.qty, p.cumQty])).toEqual(h.router.parentStates().map((p) => [p.clOrdId, p.qty, p.cumQty]));
  h.close();
});

function order(id: string, over: Record<string, string | null> = {}, extra: FixBody = []): FixBody {
  const base: Record<string, string> = { '11': id, '21': '1', '55': 'GOOG', '54': '1', '60': h.fix(), '38': '500', '40': '1', '126': h.fix(60) };
  const fields = Object.entries({ ...base, ...over }).filter((e): e is [string, string] => e[1] !== null);
  return [...fields, ...extra];
}
const execTypes = (id: string) => h.reply(id).map((m) => (m.type === '8' ? m.map.get('150') : `${m.type}`));
const last = (id: string) => h.reply(id).at(-1)!;
const parent = (clOrdId: string) => h.router.parentStates().find((p) => p.clOrdId === clOrdId)!;

describe('the OMS gateway', () => {
  it('a parent it cannot take gets an ExecutionReport Rejected with OrdRejReason and Text, and nothing else changes', () => {
    const cases: [string, FixBody, string, RegExp][] = [
      ['B1', order('B1', { '55': 'MSFT' }), '1', /unknown symbol MSFT/],
      ['B2', order('B2', { '847': '999' }), '11', /unknown TargetStrategy \(847\) 999/],
      ['B3', order('B3', { '38': '0' }), '13', /OrderQty \(38\)/],
      ['B4', order('B4', { '126': h.fix(-5) }), '4', /horizon is in the past/],
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
      ['B10', order('B10', { '54': '5' }), '99', /Side \(54\) must be 1 \(buy\) or 2 \(sell\)/],
      ['B11', order('B11', { '168': h.fix(30), '126': h.fix(20) }), '99', /ExpireTime \(126\) must come after EffectiveTime \(168\)/],
    ];
    for (const [, body] of cases) h.oms('D', body);
    for (const [id, , reason, text] of cases) {
      expect(h.reply(id), id).toHaveLength(1);
      const r = h.reply(id)[0]!;
      expect([r.type, r.map.get('150'), r.map.get('39'), r.map.get('103')], id).toEqual(['8', '8', '8', reason]);
      expect(r.map.get('58'), id).toMatch(text);
    }
    h.advance(10e9);
    expect(h.router.parentStates()).toEqual([]);
    expect(h.toVenues).toEqual([]);
  });

  it('a duplicate ClOrdID is refused, and a PossDup resend of one taken is answered with where it stands', () => {
    h.oms('D', order('D1'));
    h.oms('D', order('D1'));
    expect(execTypes('D1')).toEqual(['0', '8']);
    expect(last('D1').map.get('103')).toBe('6');
    h.oms('D', [...order('D1'), ['43', 'Y']]);
    expect(execTypes('D1')).toEqual(['0', '8', 'I']);
    expect(h.router.parentStates()).toHaveLength(1);
  });

  it('a parent is acknowledged, its children go out first, it fills in parts with LastMkt, and status and cancel are answered', () => {
    h.oms('D', order('G1', { '38': '20000', '126': h.fix(300) }));
    // the children of its first decision are on their way before the acknowledgement
    expect(execTypes('G1')).toEqual(['0']);
    expect(h.toVenues.length).toBeGreaterThan(0);
    expect(h.toVenues.every((m) => m.type === 'D' && m.seq < h.reply('G1')[0]!.seq)).toBe(true);
    h.until(() => execTypes('G1').includes('F'));
    const fill = h.reply('G1').find((m) => m.map.get('150') === 'F')!;
    expect(fill.map.get('30')).toMatch(/^(LIT|DARK)_/);
    expect(Number(fill.map.get('14')) + Number(fill.map.get('151'))).toBe(20000);
    expect(Number(fill.map.get('32'))).toBeGreaterThan(0);
    h.oms('H', [
      ['11', 'G1'],
      ['55', 'GOOG'],
      ['54', '1'],
    ]);
    expect(last('G1').map.get('150')).toBe('I');
    expect(last('G1').map.get('14')).toBe(String(parent('G1').cumQty));
    h.oms('F', [
      ['41', 'G1'],
      ['11', 'G1-c'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', h.fix()],
      ['38', '20000'],
    ]);
    expect(execTypes('G1-c')).toEqual(['6']); // pending cancel while the working children are cancelled
    h.until(() => execTypes('G1-c').includes('4'));
    const done = last('G1-c');
    expect([done.map.get('39'), done.map.get('41'), done.map.get('151')]).toEqual(['4', 'G1', '0']);
    expect(Number(done.map.get('14'))).toBeLessThan(20000);
    expect(parent('G1').state).toBe('cancelled');
    // every child of the parent is done at its venue
    for (const id of h.router.orders.parent(parent('G1').id).children) expect(['filled', 'cancelled', 'rejected']).toContain(h.router.orders.child(id)!.state);
    // a cancel of what is done, or unknown, is an OrderCancelReject; a status request for what is unknown, a Rejected
    h.oms('F', [
      ['41', 'G1'],
      ['11', 'G1-c2'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', h.fix()],
    ]);
    h.oms('F', [
      ['41', 'NOPE'],
      ['11', 'N-c'],
      ['55', 'GOOG'],
      ['54', '1'],
      ['60', h.fix()],
    ]);
    expect([last('G1-c2').type, last('G1-c2').map.get('102'), last('G1-c2').map.get('58')]).toEqual(['9', '0', 'the order is done']);
    expect([last('N-c').type, last('N-c').map.get('102'), last('N-c').map.get('434')]).toEqual(['9', '1', '1']);
    h.oms('H', [
      ['11', 'NOPE'],
      ['55', 'GOOG'],
      ['54', '1'],
    ]);
    expect([last('NOPE').map.get('150'), last('NOPE').map.get('103')]).toEqual(['8', '5']);
  });

  it('a replace (G) changes a parent’s size and horizon: Replaced, or Pending Replace then Replaced, never overfilled', () => {
    h.oms('D', order('R1', { '38': '20000', '126': h.fix(300) }));
    h.until(() => execTypes('R1').includes('F'));
    const replace = (orig: string, id: string, fields: Record<string, string>) =>
      h.oms('G', Object.entries({ '41': orig, '11': id, '55': 'GOOG', '54': '1', '60': h.fix(), '40': '1', ...fields }));
    // up in size and out in time: applied at once
    const end = h.fix(600);
    replace('R1', 'R1-a', { '38': '30000', '126': end });
    expect(execTypes('R1-a')).toEqual(['5']);
    const up = last('R1-a');
    expect([up.map.get('41'), up.map.get('38')]).toEqual(['R1', '30000']);
    expect(Number(up.map.get('14')) + Number(up.map.get('151'))).toBe(30000);
    expect(parent('R1-a').order.end).toBe(h.sim.clock.nsOf(end));
    // what it cannot take: an OrderCancelReject for a replace (434=2) with the reason, and nothing changes
    replace('R1-a', 'R1-x', { '38': '30000', '54': '2' });
    replace('R1-a', 'R1-y', { '38': '1' });
    replace('NOPE', 'R1-z', { '38': '100' });
    replace('R1-a', 'R1-w', { '847': '1001' });
    expect(['R1-x', 'R1-y', 'R1-z', 'R1-w'].map((id) => [last(id).type, last(id).map.get('434')])).toEqual([
      ['9', '2'],
      ['9', '2'],
      ['9', '2'],
      ['9', '2'],
    ]);
    expect(last('R1-x').map.get('58')).toMatch(/Side \(54\) cannot change/);
    expect(last('R1-y').map.get('58')).toMatch(/above the \d+ already filled/);
    expect(last('R1-z').map.get('102')).toBe('1');
    expect(last('R1-w').map.get('58')).toMatch(/TargetStrategy \(847\) cannot change/);
    expect(parent('R1-a').qty).toBe(30000);
    // down to just above what is filled: the working children are cancelled first (Pending Replace), then Replaced,
    // or the replace is given up if fills got there first; either way the parent never fills beyond its size
    const target = parent('R1-a').cumQty + 200;
    replace('R1-a', 'R1-b', { '38': String(target) });
    h.until(() => h.reply('R1-b').some((m) => m.map.get('150') === '5' || m.type === '9'));
    const outcome = h.reply('R1-b').find((m) => m.map.get('150') === '5' || m.type === '9')!;
    const size = outcome.type === '9' ? 30000 : target;
    if (outcome.type === '8') {
      expect([outcome.map.get('38'), outcome.map.get('41')]).toEqual([String(target), 'R1-a']);
      const pending = h.reply('R1-b').find((m) => m.map.get('150') === 'E');
      if (pending) expect([pending.map.get('39'), pending.map.get('41')]).toEqual(['E', 'R1-a']);
    } else expect(outcome.map.get('58')).toMatch(/already filled|could overfill/);
    const now = h.router.parentStates()[0]!;
    h.oms('F', Object.entries({ '41': now.clOrdId, '11': 'R1-c', '55': 'GOOG', '54': '1', '60': h.fix(), '38': String(size) }));
    h.until(() => ['cancelled', 'filled'].includes(h.router.parentStates()[0]!.state) || h.reply('R1-c').some((m) => m.type === '9'));
    expect(h.router.parentStates()[0]!.cumQty).toBeLessThanOrEqual(size);
    expect(h.router.parentStates()[0]!.qty).toBe(size);
  });

  it('a replace from a limit to a market order and back: each report says the OrdType (40) and Price (44) it has now', () => {
    // a buy limit far below the market: it works and does not fill
    h.oms('D', order('L1', { '40': '2', '44': '1.00', '38': '300' }));
    expect([last('L1').map.get('150'), last('L1').map.get('40'), last('L1').map.get('44')]).toEqual(['0', '2', '1']);
    h.advance(5e9);
    const replace = (orig: string, id: string, fields: Record<string, string>) =>
      h.oms('G', Object.entries({ '41': orig, '11': id, '55': 'GOOG', '54': '1', '60': h.fix(), '38': '300', ...fields }));
    replace('L1', 'L1-m', { '40': '1' });
    h.until(() => h.reply('L1-m').some((m) => m.map.get('150') === '5' || m.type === '9'));
    const toMarket = h.reply('L1-m').find((m) => m.map.get('150') === '5')!;
    expect([toMarket.map.get('40'), toMarket.map.has('44')]).toEqual(['1', false]);
    replace('L1-m', 'L1-l', { '40': '2', '44': '2.00' });
    h.until(() => h.reply('L1-l').some((m) => m.map.get('150') === '5' || m.type === '9'));
    const toLimit = h.reply('L1-l').find((m) => m.map.get('150') === '5')!;
    expect([toLimit.map.get('40'), toLimit.map.get('44')]).toEqual(['2', '2']);
    // a status request after it says the same
    h.oms('H', [
      ['11', 'L1-l'],
      ['55', 'GOOG'],
      ['54', '1'],
    ]);
    expect([last('L1-l').map.get('150'), last('L1-l').map.get('40'), last('L1-l').map.get('44')]).toEqual(['I', '2', '2']);
    h.oms('F', Object.entries({ '41': 'L1-l', '11': 'L1-c', '55': 'GOOG', '54': '1', '60': h.fix(), '38': '300' }));
    h.until(() => execTypes('L1-c').includes('4'));
  });

  it('a mass cancel (q) cancels the OMS’s open parents and reports the count; an unknown type or symbol is refused', () => {
    h.oms('D', order('M1', { '40': '2', '44': '1.00' }));
    h.oms('D', order('M2', { '40': '2', '44': '1.00' }));
    h.advance(2e9);
    const mass = (id: string, type: string, symbol = 'GOOG') =>
      h.oms('q', [
        ['11', id],
        ['530', type],
        ['55', symbol],
        ['60', h.fix()],
      ]);
    mass('Q0', '5');
    mass('Q1', '1', 'MSFT');
    expect([last('Q0').type, last('Q0').map.get('531'), last('Q0').map.get('532')]).toEqual(['r', '0', '99']);
    expect([last('Q1').map.get('531'), last('Q1').map.get('532')]).toEqual(['0', '1']);
    mass('Q2', '7');
    expect([last('Q2').type, last('Q2').map.get('531'), last('Q2').map.get('533')]).toEqual(['r', '7', '2']);
    h.until(() => h.router.parentStates().every((p) => p.state === 'cancelled'));
    for (const id of ['M1', 'M2']) expect([last(id).map.get('150'), last(id).map.get('58')]).toEqual(['4', 'mass cancel Q2']);
  });

  it('a message the router does not take is a BusinessMessageReject naming its type', () => {
    h.oms('AB', [['11', 'X1']]);
    const r = h.toOms.at(-1)!;
    expect([r.type, r.map.get('372'), r.map.get('380')]).toEqual(['j', 'AB', '3']);
  });
});
