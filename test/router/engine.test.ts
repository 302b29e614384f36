import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL, type Side } from '../../src/core/types.js';
import type { DecisionRecord, FillRecord, ParentAmend, ParentOrder, Policy } from '../../src/router/engine.js';
import { policies } from '../../src/router/policies.js';
import { SimRouter } from '../../src/router/sim-adapter.js';
import { clockToNs, loadScenarioFile } from '../../src/sim/scenario.js';
import { buildSession, startSession } from '../../src/sim/session.js';
import { marketFacts } from '../../src/backtest/market.js';
import type { Rng as RngType } from '../../src/core/rng.js';
import type { OrderMessage } from '../../src/venue/types.js';
import { ScriptedPolicy } from '../helpers/scripted-policy.js';

const scenario = loadScenarioFile('scenarios/default.json');
const { profile } = marketFacts(scenario, 'scenarios/default.json');

/** A SimRouter that also keeps every message the engine sends. */
class RecordingRouter extends SimRouter {
  sent: { venue: string; msg: OrderMessage }[] = [];
  override send(venue: string, msg: OrderMessage): void {
    this.sent.push({ venue, msg });
    super.send(venue, msg);
  }
}

/** A registered policy with its default options, as a backtest builds it. */
function makePolicy(name: string, rng: RngType = Rng.stream(1, name)): Policy {
  return policies.build(name, {}, { decisionNs: 10 * NS_PER_SECOND, profile, adv: marketFacts(scenario, 'scenarios/default.json').adv, rng });
}

function run(policy: Policy, o: { side: Side; qty: number; minutes: number; seed: number; limit?: number }) {
  const start = clockToNs('11:00:00');
  const s = buildSession(scenario, o.seed, 'scenarios/default.json', undefined, { startNs: start - 2 * NS_PER_MINUTE });
  const fills: FillRecord[] = [];
  const decisions: DecisionRecord[] = [];
  let done = 0;
  const r = new RecordingRouter(s, { onFill: (f) => fills.push(f), onDecision: (d) => decisions.push(d), onDone: () => done++ });
  startSession(s);
  s.kernel.run(start);
  const order: ParentOrder = {
    id: 'P',
    side: o.side,
    qty: o.qty,
    start,
    end: start + o.minutes * NS_PER_MINUTE,
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
  };
  r.engine.onParent(order, policy);
  s.kernel.run(order.end + 5 * NS_PER_SECOND);
  return { r, parent: r.engine.om.parent('P'), fills, decisions, done, order };
}

describe('router engine in the simulator', () => {
  // ml needs trained models: test/router/ml-policy.test.ts
  it.each(policies.names().filter((p) => !policies.kind(p).models))(
    '%s works a parent order to its end: filled within its size, every child closed, nothing contradicted',
    (name) => {
      const { r, parent, fills, done } = run(makePolicy(name, Rng.stream(3, name)), { side: BUY, qty: 3000, minutes: 5, seed: 3 });
      expect(['filled', 'expired']).toContain(parent.state);
      expect(done).toBe(1);
      expect(parent.cumQty).toBeLessThanOrEqual(3000);
      expect(parent.cumQty).toBeGreaterThan(0);
      expect(fills.reduce((a, f) => a + f.qty, 0)).toBe(parent.cumQty);
      expect(r.engine.om.anomalies).toBe(0);
      for (const id of parent.children) expect(['filled', 'cancelled', 'rejected']).toContain(r.engine.om.child(id)!.state);
    },
  );

  it.each([
    ['rule', BUY],
    ['twap', SELL],
    ['ck', BUY],
  ] as const)('%s holds to a parent’s limit price: no child priced beyond it, no fill beyond it, pings capped by it', (name, side) => {
    const free = run(makePolicy(name, Rng.stream(3, name)), { side, qty: 6000, minutes: 3, seed: 3 });
    const prices = free.fills.map((f) => f.price);
    // a limit inside the prices the free run paid: some of its fills would break it
    const limit = side === BUY ? Math.min(...prices) : Math.max(...prices);
    const held = run(makePolicy(name, Rng.stream(3, name)), { side, qty: 6000, minutes: 3, seed: 3, limit });
    const beyond = (p: number) => (side === BUY ? p > limit : p < limit);
    expect(free.fills.some((f) => beyond(f.price)) || prices.every((p) => p === limit)).toBe(true);
    for (const m of held.r.sent) {
      if (m.msg.type !== 'new') continue;
      if (m.msg.ordType === 'midpeg') expect(m.msg.price).toBe(limit);
      else expect(beyond(m.msg.price)).toBe(false);
    }
    expect(held.fills.filter((f) => beyond(f.price))).toEqual([]);
    expect(held.r.engine.om.anomalies).toBe(0);
  });

  it('the same seed gives the same fills; another seed does not', () => {
    const a = run(makePolicy('ck', Rng.stream(1, 'ck')), { side: SELL, qty: 2000, minutes: 3, seed: 11 });
    const b = run(makePolicy('ck', Rng.stream(1, 'ck')), { side: SELL, qty: 2000, minutes: 3, seed: 11 });
    const c = run(makePolicy('ck', Rng.stream(1, 'ck')), { side: SELL, qty: 2000, minutes: 3, seed: 12 });
    expect(b.fills).toEqual(a.fills);
    expect(c.fills).not.toEqual(a.fills);
  });

  it('the rule-based router pings the dark pools with a minimum quantity and reroutes what a sweep leaves', () => {
    const { r, decisions } = run(makePolicy('rule'), { side: BUY, qty: 6000, minutes: 5, seed: 5 });
    const pings = r.sent.filter((m) => m.msg.type === 'new' && m.msg.ordType === 'midpeg');
    expect(new Set(pings.map((p) => p.venue))).toEqual(new Set(['DARK_CALM', 'DARK_TOXIC']));
    for (const p of pings) if (p.msg.type === 'new') expect(p.msg.minQty).toBe(Math.min(100, p.msg.qty));
    expect(decisions.some((d) => d.round > 0)).toBe(true);
    // the sweep's children are IOC limits on lit venues only
    const takes = r.sent.filter((m) => m.msg.type === 'new' && m.msg.ordType === 'limit' && m.msg.tif === 1);
    expect(takes.length).toBeGreaterThan(0);
    expect(takes.every((t) => t.venue.startsWith('LIT_'))).toBe(true);
  });

  it('a scheduled algorithm keeps up with its schedule: at each decision it is never more than a slice behind', () => {
    const { decisions, parent } = run(makePolicy('twap'), { side: SELL, qty: 2400, minutes: 4, seed: 9 });
    const slice = 2400 / 24;
    for (const d of decisions.filter((x) => x.round === 0)) expect(d.target - d.filled).toBeLessThanOrEqual(slice + 1);
    expect(parent.state).toBe('filled');
  });

  it('never overfills, whatever a policy asks for and whenever (random policies on the live simulator)', () => {
    const action = fc.record({
      kind: fc.constantFrom(0 as const, 1 as const, 2 as const),
      venue: fc.nat(5),
      qty: fc.integer({ min: 1, max: 900 }),
      offset: fc.integer({ min: -2, max: 8 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(action, { maxLength: 5 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 50, max: 3000 }),
        fc.nat(1000),
        (script, qty, seed) => {
          const { r, parent, fills } = run(new ScriptedPolicy(script), { side: seed % 2 === 0 ? BUY : SELL, qty, minutes: 1, seed });
          const total = fills.reduce((a, f) => a + f.qty, 0);
          expect(total).toBe(parent.cumQty);
          expect(parent.cumQty).toBeLessThanOrEqual(qty);
          expect(r.engine.om.anomalies).toBe(0);
          expect(['filled', 'expired']).toContain(parent.state);
        },
      ),
      { numRuns: 40, seed: 20261121 },
    );
  });

  /** A 3-minute, 6000-share buy, replaced `at` seconds in by `change(parent now)`; run to the end. */
  function amended(name: string, at: number, change: (p: { cumQty: number; qty: number; working: number; now: number }) => ParentAmend) {
    const start = clockToNs('11:00:00');
    const s = buildSession(scenario, 4, 'scenarios/default.json', undefined, { startNs: start - 2 * NS_PER_MINUTE });
    const fills: FillRecord[] = [];
    const decisions: DecisionRecord[] = [];
    const outcomes: (string | undefined)[] = [];
    let doneAt = NaN;
    const r = new RecordingRouter(s, {
      onFill: (f) => fills.push(f),
      onDecision: (d) => decisions.push(d),
      onDone: () => (doneAt = s.kernel.now()),
      onAmend: (_id, _o, reason) => outcomes.push(reason),
    });
    startSession(s);
    s.kernel.run(start);
    const order: ParentOrder = { id: 'P', side: BUY, qty: 6000, start, end: start + 3 * NS_PER_MINUTE };
    r.engine.onParent(order, makePolicy(name, Rng.stream(4, name)));
    s.kernel.run(start + at * NS_PER_SECOND);
    const p = r.engine.om.parent('P');
    const asked = change({ cumQty: p.cumQty, qty: p.qty, working: r.engine.om.working('P'), now: s.kernel.now() });
    const sentBefore = r.sent.length;
    const result = r.engine.amendParent('P', asked);
    s.kernel.run(start + 8 * NS_PER_MINUTE);
    return {
      r,
      parent: p,
      fills,
      decisions,
      outcomes,
      result,
      asked,
      doneAt,
      start,
      order,
      cancelsAfter: r.sent.slice(sentBefore).filter((m) => m.msg.type === 'cancel').length,
    };
  }

  it.each(policies.names().filter((p) => !policies.kind(p).models))(
    '%s takes an OMS replace: a smaller size below what is working cancels first, then applies; never overfilled',
    (name) => {
      const x = amended(name, 40, (p) => ({ qty: p.cumQty + Math.max(1, Math.floor(p.working / 2)) }));
      expect(x.r.engine.om.anomalies).toBe(0);
      expect(x.parent.cumQty).toBeLessThanOrEqual(6000);
      if (x.result.status === 'pending') {
        expect(x.outcomes).toHaveLength(1);
        // applied once the children were gone, or given up because fills while cancelling left no room
        if (x.outcomes[0] === undefined) expect(x.parent.qty).toBe(x.asked.qty);
        else {
          expect(x.outcomes[0]).toMatch(/already filled|could overfill/);
          expect(x.parent.qty).toBe(6000);
        }
      } else expect(x.result.status).toBe('applied');
      expect(x.parent.cumQty).toBeLessThanOrEqual(x.parent.qty);
      expect(Number.isFinite(x.doneAt)).toBe(true);
      for (const id of x.parent.children) expect(['filled', 'cancelled', 'rejected']).toContain(x.r.engine.om.child(id)!.state);
    },
  );

  it('a smaller size than what is working is pending: the resting children are cancelled, then the size applies', () => {
    const x = amended('rule', 45, (p) => ({ qty: p.cumQty + 1 }));
    expect(x.asked.qty! - x.parent.cumQty).toBeLessThanOrEqual(1);
    expect(x.result.status).toBe('pending');
    expect(x.cancelsAfter).toBeGreaterThan(0);
    expect(x.outcomes.length).toBe(1);
    expect(x.parent.cumQty).toBeLessThanOrEqual(x.parent.qty);
  });

  it('a replace that resizes up trades the new size; one that moves the horizon moves the schedule with it', () => {
    const up = amended('twap', 30, () => ({ qty: 9000 }));
    expect(up.result.status).toBe('applied');
    expect(up.parent.qty).toBe(9000);
    expect(up.parent.cumQty).toBeGreaterThan(6000);
    expect(up.order.qty).toBe(9000);
    // the later end: decisions go on past the old one, and the parent ends after it
    const later = amended('twap', 30, (p) => ({ end: p.now + 4 * NS_PER_MINUTE }));
    expect(later.result.status).toBe('applied');
    const oldEnd = later.start + 3 * NS_PER_MINUTE;
    expect(Math.max(...later.decisions.map((d) => d.time))).toBeGreaterThan(oldEnd);
    expect(later.doneAt).toBeGreaterThan(oldEnd);
    // an earlier end: the parent is done by it (plus the last sweep's settling second)
    const sooner = amended('twap', 30, (p) => ({ end: p.now + 30 * NS_PER_SECOND }));
    expect(sooner.result.status).toBe('applied');
    expect(sooner.doneAt).toBeLessThanOrEqual(sooner.order.end + 2 * NS_PER_SECOND);
    expect(sooner.doneAt).toBeLessThan(oldEnd);
  });

  it('a replace it cannot take is refused with the reason, and the parent goes on unchanged', () => {
    for (const [change, reason] of [
      [(p: { cumQty: number }) => ({ qty: p.cumQty }), /must be a whole number above the \d+ already filled/],
      [(p: { now: number }) => ({ end: p.now - 1 }), /ends in the past/],
      [(p: { now: number }) => ({ start: p.now + NS_PER_SECOND }), /start cannot change once the order has begun/],
      [() => ({ limit: -5 }), /not a price/],
    ] as const) {
      const x = amended('rule', 30, change as never);
      expect(x.result).toEqual({ status: 'refused', reason: expect.stringMatching(reason) });
      expect(x.parent.qty).toBe(6000);
      expect(x.order.end).toBe(x.start + 3 * NS_PER_MINUTE);
    }
  });

  it('reaches venues and time only through its ports: the engine imports no simulator, venue or clock', () => {
    const src = readFileSync('src/router/engine.ts', 'utf8');
    const runtime = [...src.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
    for (const path of runtime)
      expect(path).toMatch(/^\.\.\/core\/|^\.\.\/risk\/(guard|limits|model-check)\.js$|^\.\/(order-manager|allocators|schedulers)\.js$/);
    // the guardrails it holds neither: their time is the engine's
    for (const text of [src, readFileSync('src/risk/guard.ts', 'utf8')])
      expect(text).not.toMatch(/Date\.now|performance\.now|setTimeout|setInterval|Math\.random/);
  });
});
