import { describe, expect, it } from 'vitest';
import { BUY, SELL } from '../../src/core/types.js';
import { Guardrails, type ChildRequest, type RiskDenial } from '../../src/risk/guard.js';
import { DEFAULT_LIMITS, loadRiskLimits, parseRiskLimits, type RiskLimits } from '../../src/risk/limits.js';
import { UsageError } from '../../src/core/errors.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const S = 1e9;

/** Guardrails over a quote we set, on a clock we move; every refusal and state change kept. */
function world(over: Record<string, unknown> = {}) {
  const m = { bid: 100_0000, ask: 100_0100, volume: 0 };
  let t = 10 * 3600 * S;
  const denials: (RiskDenial & { parentId: string })[] = [];
  const states: { scope: string; to: string; who: string; reason: string }[] = [];
  const limits: RiskLimits = parseRiskLimits(over);
  const g = new Guardrails(limits, 'GOOG', { bid: () => m.bid, ask: () => m.ask, tradedVolume: () => m.volume }, () => t, {
    onDenial: (d) => void denials.push(d),
    onState: (e) => void states.push(e),
  });
  g.parentOpened({ id: 'P', account: 'A', side: BUY, qty: 1_000_000 });
  let next = 1;
  const child = (c: Partial<ChildRequest> = {}): ChildRequest => ({
    parentId: 'P',
    venue: 'LIT_A',
    venueKind: 'lit',
    side: BUY,
    ordType: 'limit',
    price: 100_0100,
    qty: 100,
    ...c,
  });
  /** Checks and, if allowed, sends; returns the refusal's code or null. */
  const send = (c: Partial<ChildRequest> = {}) => {
    const req = child(c);
    const d = g.checkChild(req);
    if (!d) g.childSent(req, next++);
    return d?.code ?? null;
  };
  return { g, m, denials, states, send, child, advance: (s: number) => (t += s * S), id: () => next - 1 };
}

describe('guardrails: each pre-trade check refuses with its reason code, and only beyond its limit', () => {
  it('the size and the notional of one child', () => {
    const w = world({ child: { maxQty: 500, maxNotional: 50_005 } });
    expect(w.send({ qty: 501 })).toBe('MAX_QTY');
    expect(w.send({ qty: 500 })).toBeNull(); // 500 × $100.01 = $50,005: at the limit
    const v = world({ child: { maxQty: 500, maxNotional: 50_004 } });
    expect(v.send({ qty: 500 })).toBe('MAX_NOTIONAL');
    // a market order is valued at the far touch, a dark peg at the mid
    expect(v.send({ qty: 500, ordType: 'market', price: NaN })).toBe('MAX_NOTIONAL');
    expect(v.send({ qty: 500, ordType: 'midpeg', price: NaN, venue: 'DARK', venueKind: 'dark' })).toBeNull(); // $50,002.50
    expect(v.denials.map((d) => d.code)).toEqual(['MAX_NOTIONAL', 'MAX_NOTIONAL']);
    expect(v.denials[0]!.detail).toMatch(/\$50,005, above the \$50,004/);
  });

  it('the price collar against the consolidated quote, both ways, and no price to collar against', () => {
    const w = world({ child: { collarBps: 100 } }); // 1 %: a buy may go up to ask × 1.01 = 101.0101
    expect(w.send({ price: 101_0101 })).toBeNull();
    expect(w.send({ price: 101_0200 })).toBe('PRICE_COLLAR');
    expect(w.send({ price: 98_9000 })).toBe('PRICE_COLLAR'); // a buy far below the bid: a price far from the market
    expect(w.send({ side: SELL, price: 98_9000 })).toBe('PRICE_COLLAR'); // a sell through the bid by more than 1 %
    expect(w.send({ side: SELL, price: 99_5000 })).toBeNull();
    w.m.bid = NaN;
    w.m.ask = NaN;
    expect(w.send({ price: 100_0000 })).toBe('NO_QUOTE');
    expect(w.send({ ordType: 'market', price: NaN })).toBe('NO_QUOTE');
    expect(w.send({ qty: 0 })).toBe('BAD_ORDER');
  });

  it('child orders a second, per venue and in all, over a sliding second', () => {
    const w = world({ rate: { perVenuePerSecond: 3, totalPerSecond: 5 }, duplicateWindowMs: 0 });
    expect([1, 2, 3, 4].map(() => w.send())).toEqual([null, null, null, 'RATE_VENUE']);
    expect([1, 2, 3].map(() => w.send({ venue: 'LIT_B' }))).toEqual([null, null, 'RATE_TOTAL']);
    w.advance(0.999);
    expect([w.send(), w.send({ venue: 'LIT_C' })]).toEqual(['RATE_VENUE', 'RATE_TOTAL']);
    w.advance(0.002); // the first five are now more than a second old
    expect(w.send()).toBeNull();
  });

  it('open orders, per venue and in all, freed as children end (filled, cancelled)', () => {
    const w = world({ openOrders: { perVenue: 2, total: 3 }, duplicateWindowMs: 0 });
    expect([w.send(), w.send(), w.send()]).toEqual([null, null, 'OPEN_VENUE']);
    expect([w.send({ venue: 'LIT_B' }), w.send({ venue: 'LIT_B' })]).toEqual([null, 'OPEN_TOTAL']);
    w.g.childFilled(1, 100); // child 1 filled whole: done
    expect(w.send()).toBeNull();
    w.g.childDone(2);
    expect(w.g.openOrders()).toEqual({ total: 2, byVenue: { LIT_A: 1, LIT_B: 1 } });
  });

  it('participation of the window’s lit volume, with a floor; dark pings do not count', () => {
    const w = world({ participation: { maxShare: 0.5, windowSeconds: 10, floorShares: 1000 }, duplicateWindowMs: 0 });
    expect(w.send({ qty: 1000 })).toBeNull(); // the floor, with no volume yet
    expect(w.send({ qty: 1 })).toBe('PARTICIPATION');
    expect(w.send({ qty: 5000, venue: 'DARK', venueKind: 'dark', ordType: 'midpeg', price: NaN })).toBeNull();
    w.m.volume += 4000; // half of 4,000 traded is 2,000
    w.advance(1);
    expect(w.send({ qty: 1000 })).toBeNull();
    expect(w.send({ qty: 1 })).toBe('PARTICIPATION');
    w.advance(10); // both sends are out of the window, and so is the volume
    expect(w.send({ qty: 1000 })).toBeNull();
    expect(w.denials.at(-1)!.detail).toMatch(/2001 shares to the lit venues in 10 s against 4000 traded/);
  });

  it('the same order twice within the window, and not after it', () => {
    const w = world({ duplicateWindowMs: 50 });
    expect([w.send(), w.send()]).toEqual([null, 'DUPLICATE']);
    expect(w.send({ qty: 101 })).toBeNull(); // another size: another order
    w.advance(0.05);
    expect(w.send()).toBeNull();
  });

  it('a restricted symbol takes no parent and sends no child', () => {
    const w = world({ restricted: ['GOOG'] });
    expect(w.send()).toBe('RESTRICTED');
    expect(w.g.checkParent({ id: 'Q', account: 'A', side: BUY, qty: 100 })?.code).toBe('RESTRICTED');
  });

  it('credit: the open notional of an account’s parents, released by fills and as parents end', () => {
    const w = world({ credit: { perAccountNotional: 200_000_000 } });
    // P (1,000,000 shares at the mid, $100.005) holds $100,005,000 of account A
    expect(w.g.creditUsed('A')).toBeCloseTo(100_005_000, 0);
    const big = { id: 'Q', account: 'A', side: BUY, qty: 1_000_000, limit: 100_0000 };
    expect(w.g.checkParent(big)?.code).toBe('CREDIT');
    expect(w.g.checkParent({ ...big, account: 'B' })).toBeNull(); // another account's credit is its own
    expect(w.g.checkParent({ ...big, qty: 999_000 })).toBeNull(); // $99.9M: fits
    w.send({ qty: 10_000 });
    w.g.childFilled(w.id(), 10_000); // traded: no longer open
    expect(w.g.creditUsed('A')).toBeCloseTo(100_005_000 - 10_000 * 100.005, 0);
    w.g.parentClosed('P');
    expect(w.g.creditUsed('A')).toBe(0);
    expect(w.denials.map((d) => d.code)).toEqual(['CREDIT']);
  });
});

describe('trading states: ACTIVE, REDUCING, HALTED, per symbol and in all', () => {
  it('REDUCING takes no new parent but lets working ones trade; HALTED sends nothing; the stricter scope wins', () => {
    const w = world({ duplicateWindowMs: 0 });
    expect(w.g.setState('GOOG', 'REDUCING', 'a test', 'ops@desk')).toBe(true);
    expect(w.g.checkParent({ id: 'Q', account: 'A', side: BUY, qty: 100 })?.code).toBe('STATE_REDUCING');
    expect(w.send()).toBeNull();
    w.g.setState('*', 'HALTED', 'the kill switch', 'ops@desk');
    expect(w.g.state()).toBe('HALTED');
    expect(w.send()).toBe('STATE_HALTED');
    w.g.setState('*', 'ACTIVE', 'resumed', 'ops@desk');
    expect(w.g.state()).toBe('REDUCING'); // the symbol's own state still holds
    w.g.setState('GOOG', 'ACTIVE', 'resumed', 'ops@desk');
    expect(w.g.checkParent({ id: 'Q', account: 'A', side: BUY, qty: 100 })).toBeNull();
    expect(w.g.setState('GOOG', 'ACTIVE', 'again', 'ops@desk')).toBe(false);
    expect(w.states.map((e) => [e.scope, e.to, e.who])).toEqual([
      ['GOOG', 'REDUCING', 'ops@desk'],
      ['*', 'HALTED', 'ops@desk'],
      ['*', 'ACTIVE', 'ops@desk'],
      ['GOOG', 'ACTIVE', 'ops@desk'],
    ]);
  });
});

describe('the cross-check: what left for the venues against what the parents allow', () => {
  it('halts everything when a parent’s children add up to more than its size, and says why', () => {
    const w = world({ duplicateWindowMs: 0 });
    w.g.parentOpened({ id: 'S', account: 'A', side: BUY, qty: 300 });
    w.send({ parentId: 'S', qty: 200 });
    expect(w.g.state()).toBe('ACTIVE');
    // a router that lost count sends more than the parent has room for (the engine's own books never would)
    w.g.childSent(w.child({ parentId: 'S', qty: 200 }), 99);
    expect(w.g.state()).toBe('HALTED');
    expect(w.g.crossCheckFailure).toMatch(/parent S: 0 filled \+ 400 working at the venues is more than its 300 shares/);
    expect(w.states.at(-1)).toMatchObject({ scope: '*', to: 'HALTED', who: 'cross-check' });
    expect(w.send()).toBe('STATE_HALTED');
  });

  it('halts on a child for a parent it was never told of, and on a runaway count of children', () => {
    const w = world({ duplicateWindowMs: 0 });
    w.g.childSent(w.child({ parentId: 'NOPE' }), 1);
    expect(w.g.crossCheckFailure).toMatch(/parent NOPE, which the guardrails were never told of/);
    const v = world({ duplicateWindowMs: 0, crossCheck: { maxChildrenPerParent: 3 } });
    for (let i = 0; i < 3; i++) v.send();
    expect(v.g.state()).toBe('ACTIVE');
    v.send();
    expect(v.g.crossCheckFailure).toMatch(/4 child orders, more than the 3/);
  });
});

describe('the limits file', () => {
  it('every field has a default; a bad field is named', () => {
    expect(DEFAULT_LIMITS.child).toEqual({ maxQty: 100_000, maxNotional: 50_000_000, collarBps: 500 });
    expect(parseRiskLimits({ rate: { totalPerSecond: 10 } }).rate).toEqual({ perVenuePerSecond: 1000, totalPerSecond: 10 });
    expect(() => parseRiskLimits({ child: { maxQty: -1 } })).toThrow(/child\.maxQty/);
    expect(() => parseRiskLimits({ chlid: {} })).toThrow(UsageError);
    const dir = mkdtempSync(join(tmpdir(), 'sor-limits-'));
    writeFileSync(join(dir, 'bad.json'), '{"openOrders": {"total": "many"}}');
    expect(() => loadRiskLimits(join(dir, 'bad.json'))).toThrow(/bad\.json: openOrders\.total/);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => loadRiskLimits(join(dir, 'broken.json'))).toThrow(/broken\.json: not JSON/);
  });
});

describe('market rules move the symbol to a safer state, and back when the condition clears', () => {
  it('a crossed or locked quote for longer than allowed halts; a good quote lets it go', () => {
    const w = world({ marketRules: { badQuoteMs: 500 } });
    w.g.onMarket();
    w.m.bid = 100_0100; // locked
    w.g.onMarket();
    w.advance(0.4);
    w.g.onMarket();
    expect(w.g.state()).toBe('ACTIVE');
    w.m.bid = 100_0200; // crossed now, still the same bad spell
    w.advance(0.2);
    w.g.onMarket();
    expect(w.g.state()).toBe('HALTED');
    expect(w.g.ruleHolds().quote!.reason).toMatch(/crossed for more than 500 ms/);
    expect(w.send()).toBe('STATE_HALTED');
    w.m.bid = 100_0000;
    w.g.onMarket();
    expect(w.g.state()).toBe('ACTIVE');
    expect(w.states.map((e) => [e.to, e.who])).toEqual([
      ['HALTED', 'rule:quote'],
      ['ACTIVE', 'rule:quote'],
    ]);
  });

  it('a one-sided book counts only once the market has been whole (not while the books come in)', () => {
    const w = world({ marketRules: { badQuoteMs: 500 } });
    w.m.ask = NaN;
    w.g.onMarket();
    w.advance(5);
    w.g.onMarket();
    expect(w.g.state()).toBe('ACTIVE');
    w.m.ask = 100_0100;
    w.g.onMarket();
    w.m.ask = NaN;
    w.g.onMarket();
    w.advance(0.6);
    w.g.onMarket();
    expect(w.g.ruleHolds().quote!.reason).toMatch(/one-sided/);
    // a venue lost: its book is gone, and the rule waits until the market is whole again
    w.g.onVenue('LIT_A', false);
    w.g.onMarket();
    expect(w.g.state()).toBe('ACTIVE');
  });

  it('a quote that stops changing halts; the next change lets it go', () => {
    const w = world({ marketRules: { staleQuoteMs: 10_000 } });
    w.g.onMarket();
    w.advance(9);
    w.g.onMarket();
    expect(w.g.state()).toBe('ACTIVE');
    w.advance(2);
    w.g.onMarket();
    expect(w.g.ruleHolds().stale!.reason).toMatch(/not changed for more than 10000 ms/);
    w.m.ask = 100_0200;
    w.g.onMarket();
    expect(w.g.state()).toBe('ACTIVE');
  });

  it('a move of the mid beyond the band within its window halts, in the manner of LULD', () => {
    const w = world({ marketRules: { bandPct: 5, bandSeconds: 60, staleQuoteMs: 0 } });
    w.g.onMarket(); // mid 100.005
    for (let i = 1; i <= 5; i++) {
      w.advance(5);
      w.m.bid += 1_0000; // up a dollar every 5 s
      w.m.ask += 1_0000;
      w.g.onMarket();
    }
    expect(w.g.state()).toBe('ACTIVE'); // +5.0 %: at the band
    w.advance(5);
    w.m.bid += 1_0000;
    w.m.ask += 1_0000;
    w.g.onMarket();
    expect(w.g.ruleHolds().band!.reason).toMatch(/moved 6\.0 % in 60 s, beyond the 5 % band/);
    // a minute later the window's oldest mid is the new level: the move is inside the band again
    w.advance(61);
    w.g.onMarket();
    w.advance(1);
    w.g.onMarket();
    expect(w.g.state()).toBe('ACTIVE');
  });

  it('a lost venue, where the rule is on: REDUCING (no new parent, working ones go on) until it is back', () => {
    const w = world({ marketRules: { venueDown: true } });
    w.g.onVenue('LIT_B', false);
    expect(w.g.state()).toBe('REDUCING');
    expect(w.g.checkParent({ id: 'Q', account: 'A', side: BUY, qty: 100 })?.code).toBe('STATE_REDUCING');
    expect(w.send()).toBeNull();
    w.g.onVenue('LIT_B', true);
    expect(w.g.state()).toBe('ACTIVE');
    expect(world().g.state()).toBe('ACTIVE');
    const off = world();
    off.g.onVenue('LIT_B', false); // off by default
    expect(off.g.state()).toBe('ACTIVE');
  });
});
