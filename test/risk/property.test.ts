import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL } from '../../src/core/types.js';
import { parseRiskLimits } from '../../src/risk/limits.js';
import type { ParentOrder } from '../../src/router/engine.js';
import { AuditedSimRouter } from '../../src/backtest/risk-fuzz.js';
import { clockToNs, loadScenarioFile } from '../../src/sim/scenario.js';
import { buildSession, startSession } from '../../src/sim/session.js';
import { ScriptedPolicy } from '../helpers/scripted-policy.js';

const scenario = loadScenarioFile('scenarios/default.json');

describe('guardrails in the engine: no child that breaks a limit leaves, whatever the policy asks for', () => {
  it('random policies (sizes, prices far through the market, bursts) under random tight limits, some halted midway', () => {
    const action = fc.record({
      kind: fc.constantFrom(0 as const, 1 as const, 2 as const),
      venue: fc.nat(5),
      qty: fc.integer({ min: 1, max: 3000 }),
      offset: fc.integer({ min: -60, max: 60 }),
    });
    const limits = fc.record({
      child: fc.record({
        maxQty: fc.integer({ min: 50, max: 2000 }),
        maxNotional: fc.integer({ min: 5_000, max: 500_000 }),
        collarBps: fc.integer({ min: 2, max: 300 }),
      }),
      rate: fc.record({ perVenuePerSecond: fc.integer({ min: 1, max: 6 }), totalPerSecond: fc.integer({ min: 1, max: 12 }) }),
      openOrders: fc.record({ perVenue: fc.integer({ min: 1, max: 4 }), total: fc.integer({ min: 1, max: 8 }) }),
      duplicateWindowMs: fc.integer({ min: 0, max: 3000 }),
    });
    let denied = 0;
    let sent = 0;
    fc.assert(
      fc.property(
        fc.array(fc.array(action, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
        limits,
        fc.integer({ min: 100, max: 20_000 }),
        fc.nat(1000),
        fc.option(fc.integer({ min: 5, max: 100 }), { nil: undefined }),
        (script, lim, qty, seed, haltAfter) => {
          const L = parseRiskLimits(lim);
          const start = clockToNs('11:00:00');
          const s = buildSession(scenario, seed, 'scenarios/default.json', undefined, { startNs: start - 2 * NS_PER_MINUTE });
          // every child sent is read by the independent audit (risk/audit.ts), with the quote and the state then
          const w = new AuditedSimRouter(s, L, {}, undefined, true);
          startSession(s);
          s.kernel.run(start);
          const order: ParentOrder = { id: 'P', side: seed % 2 ? BUY : SELL, qty, start, end: start + 2 * NS_PER_MINUTE };
          expect(w.engine.onParent(order, new ScriptedPolicy(script))).toBeNull();
          w.audit.parent('P', qty);
          // (the halt's place in the messages sent: nothing new may follow it)
          let haltedAfter = Infinity;
          let haltedAt = Infinity;
          if (haltAfter !== undefined) {
            s.kernel.run(start + haltAfter * NS_PER_SECOND);
            haltedAfter = w.sentLog.length;
            haltedAt = s.kernel.now();
            w.engine.risk.setState('*', 'HALTED', 'a test', 'the test');
          }
          s.kernel.run(order.end + 10 * NS_PER_SECOND);
          expect(w.audit.breaches).toEqual([]);
          // nothing new left after the halt
          expect(w.sentLog.slice(haltedAfter).filter((x) => x.msg.type === 'new')).toEqual([]);
          // the parent still ends (filled, or expired at its horizon), nothing overfilled, every child closed
          const p = w.engine.om.parent('P');
          expect(['filled', 'expired']).toContain(p.state);
          expect(p.cumQty).toBeLessThanOrEqual(qty);
          for (const id of p.children) expect(['filled', 'cancelled', 'rejected']).toContain(w.engine.om.child(id)!.state);
          // a halt cancelled every child that was working then
          if (haltedAt < Infinity)
            for (const x of w.sentLog.slice(0, haltedAfter))
              if (x.msg.type === 'new' && w.engine.om.child(x.msg.clOrdId)!.state !== 'filled') {
                const cancelledAfter = w.sentLog.some(
                  (y) => y.msg.type === 'cancel' && y.msg.clOrdId === (x.msg as { clOrdId: number }).clOrdId && y.t >= haltedAt,
                );
                const endedOtherwise = w.reportLog.some(
                  (y) => y.r.clOrdId === (x.msg as { clOrdId: number }).clOrdId && (y.r.kind === 'cancelled' || y.r.kind === 'rejected'),
                );
                expect(cancelledAfter || endedOtherwise).toBe(true);
              }
          denied += Object.values(w.engine.risk.denials).reduce((a, b) => a + b, 0);
          sent += w.audit.children;
        },
      ),
      { numRuns: 40, seed: 20261202 },
    );
    // the limits bit: many orders were refused, and many still went
    expect(denied).toBeGreaterThan(100);
    expect(sent).toBeGreaterThan(100);
  });
});
