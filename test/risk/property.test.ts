import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL } from '../../src/core/types.js';
import { parseRiskLimits, type RiskLimits } from '../../src/risk/limits.js';
import type { ParentOrder } from '../../src/router/engine.js';
import { SimRouter } from '../../src/router/sim-adapter.js';
import { clockToNs, loadScenarioFile } from '../../src/sim/scenario.js';
import { buildSession, startSession, type Session } from '../../src/sim/session.js';
import type { ExecReport, OrderMessage } from '../../src/venue/types.js';
import { ScriptedPolicy } from '../helpers/scripted-policy.js';

const scenario = loadScenarioFile('scenarios/default.json');

interface Sent {
  t: number;
  venue: string;
  msg: OrderMessage;
  bid: number;
  ask: number;
}

/** The engine's ports as a checker sees them: every message sent, with its time and the quote then, and every report. */
class Watched extends SimRouter {
  sent: Sent[] = [];
  reports: { t: number; r: ExecReport }[] = [];
  constructor(
    private readonly session: Session,
    limits: RiskLimits,
  ) {
    super(session, {}, undefined, limits);
  }
  override send(venue: string, msg: OrderMessage): void {
    this.sent.push({ t: this.session.kernel.now(), venue, msg, bid: this.session.nbbo.bid, ask: this.session.nbbo.ask });
    super.send(venue, msg);
  }
  override onExecReport(r: ExecReport): void {
    this.reports.push({ t: this.session.kernel.now(), r });
    super.onExecReport(r);
  }
}

/**
 * An independent reading of every child order that left: the limits it must have kept, worked out from the messages
 * and reports alone (not from the guardrails' or the order manager's state). Returns the breaches it finds.
 */
function breaches(w: Watched, L: RiskLimits, haltedAfter: number): string[] {
  const out: string[] = [];
  const news = w.sent.filter((s): s is Sent & { msg: Extract<OrderMessage, { type: 'new' }> } => s.msg.type === 'new');
  // when each child stopped working at its venue (its last report that ends it)
  const ended = new Map<number, number>();
  for (const { t, r } of w.reports) if (r.kind === 'cancelled' || r.kind === 'rejected' || (r.kind === 'fill' && r.leaves === 0)) ended.set(r.clOrdId, t);
  news.forEach((s, i) => {
    const m = s.msg;
    const tag = `child ${m.clOrdId} (${s.venue}, ${m.qty} @ ${m.price})`;
    if (w.sent.indexOf(s) >= haltedAfter) out.push(`${tag} sent after the halt`);
    if (m.qty > L.child.maxQty) out.push(`${tag}: size`);
    const mid = (s.bid + s.ask) / 2;
    const px = m.ordType === 'limit' ? m.price : m.ordType === 'market' ? (m.side === BUY ? s.ask : s.bid) : Number.isFinite(mid) ? mid : m.price;
    if (Number.isFinite(px) && (m.qty * px) / 10_000 > L.child.maxNotional) out.push(`${tag}: notional`);
    if (m.ordType === 'limit') {
      const b = L.child.collarBps / 10_000;
      const tooHigh = Number.isFinite(s.ask) && m.price > s.ask * (1 + b);
      const tooLow = Number.isFinite(s.bid) && m.price < s.bid * (1 - b);
      if (m.side === BUY ? tooHigh || tooLow : tooLow || (Number.isFinite(s.ask) && m.price > s.ask * (1 + b))) out.push(`${tag}: collar`);
    }
    const lastSecond = news.slice(0, i + 1).filter((x) => x.t > s.t - NS_PER_SECOND);
    if (lastSecond.filter((x) => x.venue === s.venue).length > L.rate.perVenuePerSecond) out.push(`${tag}: rate at its venue`);
    if (lastSecond.length > L.rate.totalPerSecond) out.push(`${tag}: rate in all`);
    // working when it was sent: sent before it and not yet ended then (ended at the same instant counts as ended)
    const working = news.slice(0, i).filter((x) => (ended.get(x.msg.clOrdId) ?? Infinity) > s.t);
    if (working.filter((x) => x.venue === s.venue).length >= L.openOrders.perVenue) out.push(`${tag}: open orders at its venue`);
    if (working.length >= L.openOrders.total) out.push(`${tag}: open orders in all`);
    if (L.duplicateWindowMs > 0) {
      const same = news
        .slice(0, i)
        .some(
          (x) =>
            x.venue === s.venue &&
            x.msg.side === m.side &&
            x.msg.ordType === m.ordType &&
            Object.is(x.msg.price, m.price) &&
            x.msg.qty === m.qty &&
            s.t - x.t < L.duplicateWindowMs * 1e6,
        );
      if (same) out.push(`${tag}: duplicate`);
    }
  });
  return out;
}

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
          const w = new Watched(s, L);
          startSession(s);
          s.kernel.run(start);
          const order: ParentOrder = { id: 'P', side: seed % 2 ? BUY : SELL, qty, start, end: start + 2 * NS_PER_MINUTE };
          expect(w.engine.onParent(order, new ScriptedPolicy(script))).toBeNull();
          // (the halt's place in the messages sent: nothing new may follow it)
          let haltedAfter = Infinity;
          let haltedAt = Infinity;
          if (haltAfter !== undefined) {
            s.kernel.run(start + haltAfter * NS_PER_SECOND);
            haltedAfter = w.sent.length;
            haltedAt = s.kernel.now();
            w.engine.risk.setState('*', 'HALTED', 'a test', 'the test');
          }
          s.kernel.run(order.end + 10 * NS_PER_SECOND);
          expect(breaches(w, L, haltedAfter)).toEqual([]);
          // the parent still ends (filled, or expired at its horizon), nothing overfilled, every child closed
          const p = w.engine.om.parent('P');
          expect(['filled', 'expired']).toContain(p.state);
          expect(p.cumQty).toBeLessThanOrEqual(qty);
          for (const id of p.children) expect(['filled', 'cancelled', 'rejected']).toContain(w.engine.om.child(id)!.state);
          // a halt cancelled every child that was working then
          if (haltedAt < Infinity)
            for (const x of w.sent.slice(0, haltedAfter))
              if (x.msg.type === 'new' && w.engine.om.child(x.msg.clOrdId)!.state !== 'filled') {
                const cancelledAfter = w.sent.some(
                  (y) => y.msg.type === 'cancel' && y.msg.clOrdId === (x.msg as { clOrdId: number }).clOrdId && y.t >= haltedAt,
                );
                const endedOtherwise = w.reports.some(
                  (y) => y.r.clOrdId === (x.msg as { clOrdId: number }).clOrdId && (y.r.kind === 'cancelled' || y.r.kind === 'rejected'),
                );
                expect(cancelledAfter || endedOtherwise).toBe(true);
              }
          denied += Object.values(w.engine.risk.denials).reduce((a, b) => a + b, 0);
          sent += w.sent.filter((x) => x.msg.type === 'new').length;
        },
      ),
      { numRuns: 40, seed: 20261202 },
    );
    // the limits bit: many orders were refused, and many still went
    expect(denied).toBeGreaterThan(100);
    expect(sent).toBeGreaterThan(100);
  });
});
