import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUY } from '../../src/core/types.js';
import { OrderError, OrderManager } from '../../src/router/order-manager.js';
import type { ExecReport } from '../../src/venue/types.js';

/**
 * A model venue: it answers requests in the order they were sent, fills live orders whenever it likes (also while
 * a cancel or replace is on its way), and may deliver a report twice. The order manager must never let a parent
 * be overfilled, whatever the interleaving.
 */
class ModelVenue {
  orders = new Map<number, { qty: number; cum: number; alive: boolean }>();
  inbox: ({ type: 'new'; id: number; qty: number } | { type: 'cancel'; id: number } | { type: 'replace'; id: number; qty: number })[] = [];
  outbox: ExecReport[] = [];
  private exec = 0;
  filled = 0;

  report(kind: ExecReport['kind'], id: number, qty = 0, extra: Partial<ExecReport> = {}): void {
    const o = this.orders.get(id);
    this.outbox.push({
      kind,
      venue: 'V',
      execId: ++this.exec,
      clOrdId: id,
      side: BUY,
      price: 100,
      qty,
      leaves: o && o.alive ? o.qty - o.cum : 0,
      cumQty: o?.cum ?? 0,
      fee: 0,
      venueTime: 0,
      ...extra,
    });
  }

  process(rejectNew: boolean): void {
    const m = this.inbox.shift();
    if (!m) return;
    const o = this.orders.get(m.id);
    if (m.type === 'new') {
      if (rejectNew) return this.report('rejected', m.id);
      this.orders.set(m.id, { qty: m.qty, cum: 0, alive: true });
      return this.report('ack', m.id);
    }
    if (!o || !o.alive) return this.report('rejected', m.id);
    if (m.type === 'cancel') {
      o.alive = false;
      return this.report('cancelled', m.id);
    }
    if (m.qty <= o.cum) return this.report('rejected', m.id);
    o.qty = m.qty;
    this.report('replaced', m.id);
  }

  fill(pick: number, frac: number): void {
    const live = [...this.orders.entries()].filter(([, o]) => o.alive && o.qty > o.cum);
    if (live.length === 0) return;
    const [id, o] = live[pick % live.length]!;
    const q = Math.max(1, Math.floor((o.qty - o.cum) * frac));
    o.cum += q;
    this.filled += q;
    if (o.cum === o.qty) o.alive = false;
    this.report('fill', id, q);
  }
}

type Step =
  | { k: 'child'; qty: number }
  | { k: 'cancel'; pick: number }
  | { k: 'replace'; pick: number; qty: number }
  | { k: 'cancelParent' }
  | { k: 'process'; reject: boolean }
  | { k: 'fill'; pick: number; frac: number }
  | { k: 'deliver'; dup: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('child' as const), qty: fc.integer({ min: 1, max: 600 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('replace' as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 800 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('process' as const), reject: fc.integer({ min: 0, max: 9 }).map((x) => x === 0) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('fill' as const), pick: fc.nat(), frac: fc.integer({ min: 1, max: 100 }).map((x) => x / 100) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('deliver' as const), dup: fc.boolean() }) },
);
/** Steps, with the parent ended (at most once) at a random point among them. */
const run: fc.Arbitrary<Step[]> = fc
  .tuple(fc.array(step, { minLength: 1, maxLength: 200, size: 'max' }), fc.option(fc.nat(), { nil: undefined }))
  .map(([steps, at]) => (at === undefined ? steps : [...steps.slice(0, at % steps.length), { k: 'cancelParent' as const }, ...steps.slice(at % steps.length)]));

describe('OrderManager', () => {
  it('never overfills a parent, under any interleaving of fills, cancels, replaces, rejects and duplicates', () => {
    fc.assert(
      fc.property(run, (steps) => {
        const om = new OrderManager();
        const v = new ModelVenue();
        const P = om.newParent('P', BUY, 1000);
        const ids = (): number[] => P.children;
        let pendingDup: ExecReport | null = null;
        const check = () => {
          expect(P.cumQty).toBeLessThanOrEqual(P.qty);
          expect(ids().reduce((a, id) => a + om.child(id)!.cumQty, 0)).toBe(P.cumQty);
          expect(om.available('P')).toBeGreaterThanOrEqual(0);
          for (const id of ids()) {
            const c = om.child(id)!;
            expect(c.cumQty).toBeLessThanOrEqual(Math.max(c.qty, c.pending?.qty ?? 0));
          }
        };
        for (const s of steps) {
          switch (s.k) {
            case 'child':
              try {
                const c = om.newChild('P', 'V', 100, s.qty);
                v.inbox.push({ type: 'new', id: c.clOrdId, qty: s.qty });
              } catch (e) {
                expect(e).toBeInstanceOf(OrderError);
                expect(s.qty > om.available('P') || P.ending !== undefined || P.state === 'filled').toBe(true);
              }
              break;
            case 'cancel': {
              if (ids().length === 0) break;
              const id = ids()[s.pick % ids().length]!;
              if (om.requestCancel(id)) v.inbox.push({ type: 'cancel', id });
              break;
            }
            case 'replace': {
              if (ids().length === 0) break;
              const id = ids()[s.pick % ids().length]!;
              try {
                om.requestReplace(id, 100, s.qty);
                v.inbox.push({ type: 'replace', id, qty: s.qty });
              } catch (e) {
                expect(e).toBeInstanceOf(OrderError);
              }
              break;
            }
            case 'cancelParent':
              for (const id of om.cancelParent('P')) v.inbox.push({ type: 'cancel', id });
              break;
            case 'process':
              v.process(s.reject);
              break;
            case 'fill':
              v.fill(s.pick, s.frac);
              break;
            case 'deliver': {
              const r = v.outbox.shift();
              if (r) {
                expect(om.onReport(r)).toBe(true);
                if (s.dup) pendingDup = r;
              } else if (pendingDup) {
                expect(om.onReport(pendingDup)).toBe(false); // a duplicate changes nothing
                pendingDup = null;
              }
              break;
            }
          }
          check();
        }
        // drain: every request answered, every report delivered; the manager then agrees with the venue
        while (v.inbox.length > 0) v.process(false);
        for (const r of v.outbox.splice(0)) om.onReport(r);
        check();
        expect(P.cumQty).toBe(v.filled);
        for (const id of ids()) expect(om.child(id)!.cumQty).toBe(v.orders.get(id)?.cum ?? 0);
        expect(om.anomalies).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('walks a child through new, partial fill, replace and cancel, and ends the parent when asked', () => {
    const om = new OrderManager();
    const p = om.newParent('A', BUY, 300);
    const c = om.newChild('A', 'V', 100, 200);
    const base = { venue: 'V', clOrdId: c.clOrdId, side: BUY, price: 100, fee: 0, venueTime: 0, cumQty: 0 } as const;
    om.onReport({ ...base, kind: 'ack', execId: 1, qty: 0, leaves: 200 });
    expect(c.state).toBe('new');
    om.onReport({ ...base, kind: 'fill', execId: 2, qty: 50, leaves: 150, fee: 15 });
    expect([c.state, p.state, p.cumQty, p.fees]).toEqual(['partially-filled', 'partially-filled', 50, 15]);
    expect(om.available('A')).toBe(100);
    expect(() => om.requestReplace(c.clOrdId, 100, 400)).toThrow(/exceeds/); // 400 − 200 > 100 available
    om.requestReplace(c.clOrdId, 101, 250);
    expect(om.available('A')).toBe(50);
    om.onReport({ ...base, kind: 'replaced', execId: 3, qty: 0, leaves: 200 });
    expect([c.state, c.qty, c.price]).toEqual(['partially-filled', 250, 101]);
    expect(om.cancelParent('A')).toEqual([c.clOrdId]);
    expect(p.state).toBe('pending-cancel');
    expect(() => om.newChild('A', 'V', 100, 10)).toThrow(OrderError);
    om.onReport({ ...base, kind: 'cancelled', execId: 4, qty: 0, leaves: 0 });
    expect([c.state, p.state, p.cumQty]).toEqual(['cancelled', 'cancelled', 50]);
  });

  it('makes unique child ids, and one child per idempotency key', () => {
    const om = new OrderManager();
    om.newParent('A', BUY, 1000);
    const a = om.newChild('A', 'V', 100, 100, 'decision-1');
    const again = om.newChild('A', 'V', 100, 100, 'decision-1');
    const b = om.newChild('A', 'V', 100, 100, 'decision-2');
    expect(again).toBe(a);
    expect(b.clOrdId).not.toBe(a.clOrdId);
    expect(om.available('A')).toBe(800);
    expect(() => om.newParent('A', BUY, 5)).toThrow(/duplicate/);
  });

  it('expires a parent whose time is up, once its children are done', () => {
    const om = new OrderManager();
    const p = om.newParent('E', BUY, 100);
    expect(om.expire('E')).toEqual([]);
    expect(p.state).toBe('expired');
  });
});
