import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS_PER_SECOND } from '../../src/core/types.js';
import type { FixInitiator } from '../../src/fix/initiator.js';
import { readJournal } from '../../src/live/journal.js';
import { replayJournal } from '../../src/live/router.js';
import type { RouterService } from '../../src/live/service.js';
import type { VenueSimulator } from '../../src/live/venues.js';
import { liveStack, until } from '../helpers/live-stack.js';

/** The live router under tight limits: what the guardrails refuse comes back to the OMS with its reason, and is journaled. */
let sim: VenueSimulator;
let service: RouterService;
let oms: FixInitiator;
let stack: Awaited<ReturnType<typeof liveStack>>;
const reply = (id: string) => stack.reply(id);

beforeAll(async () => {
  // about $1.2M of credit an account; no child above 100 shares
  stack = await liveStack({ seed: 8, journalPrefix: 'sor-risk-', risk: { credit: { perAccountNotional: 1_200_000 }, child: { maxQty: 100 } } });
  ({ sim, service, oms } = stack);
  await new Promise((r) => setTimeout(r, 300));
}, 30_000);
afterAll(() => stack.stop());

function order(id: string, qty: number, account: string): [string, string][] {
  const now = sim.clock.now();
  return [
    ['1', account],
    ['11', id],
    ['21', '1'],
    ['55', 'GOOG'],
    ['54', '1'],
    ['60', sim.clock.fix(now)],
    ['38', String(qty)],
    ['40', '1'],
    ['126', sim.clock.fix(now + 30 * NS_PER_SECOND)],
  ];
}

describe('the guardrails in the live router', () => {
  it('refuses a parent beyond its account’s credit with OrdRejReason 3 and the reason; another account is its own', async () => {
    // GOOG trades near $580: 1,500 shares is about $870k, a second 1,500 would pass $1.2M
    oms.session.send('D', order('K1', 1500, 'ACC1'));
    await until(() => reply('K1').some((m) => m.map.get('150') === '0'), 15_000);
    oms.session.send('D', order('K2', 1500, 'ACC1'));
    oms.session.send('D', order('K3', 1500, 'ACC2'));
    await until(() => reply('K2').length > 0 && reply('K3').length > 0, 15_000);
    const k2 = reply('K2')[0]!;
    expect([k2.map.get('150'), k2.map.get('39'), k2.map.get('103')]).toEqual(['8', '8', '3']);
    expect(k2.map.get('58')).toMatch(/^CREDIT: account ACC1: \$[\d,]+ open \+ \$[\d,]+ would pass its \$1,200,000 limit/);
    expect(reply('K3')[0]!.map.get('150')).toBe('0');
  });

  it('holds every child to the size limit, records each refusal, and the journal replays to the same refusals', async () => {
    // the rule router sends children of more than 100 shares for a 1,500-share parent: those are refused
    await until(() => ['K1', 'K3'].every((id) => reply(id).some((m) => ['2', '4', 'C'].includes(m.map.get('39') ?? ''))), 60_000).catch(() => {});
    const records = readJournal(service.journalFile);
    const children = records.filter((r) => r.k === 'to-venue' && r.type === 'D');
    expect(children.length).toBeGreaterThan(0);
    for (const c of children) if (c.k === 'to-venue') expect(Number(new Map(c.body).get('38'))).toBeLessThanOrEqual(100);
    const denials = records.filter((r) => r.k === 'denial');
    expect(denials.some((d) => d.k === 'denial' && d.code === 'CREDIT' && d.parentId === 'P2')).toBe(true);
    expect(denials.some((d) => d.k === 'denial' && d.code === 'MAX_QTY')).toBe(true);
    expect(service.router.engine.risk.denials.CREDIT).toBe(1);
    const r = replayJournal(records);
    expect(r.mismatches).toEqual([]);
  }, 90_000);
});
