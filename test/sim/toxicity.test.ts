import { describe, expect, it } from 'vitest';
import type { Handler } from '../../src/core/scheduler.js';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL, type Side } from '../../src/core/types.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';
import { buildSession, startSession, type Session } from '../../src/sim/session.js';
import type { DarkPool } from '../../src/venue/dark-pool.js';
import type { ExecReport, VenueClient } from '../../src/venue/types.js';

const HORIZON = 60 * NS_PER_SECOND;

/**
 * Keeps one 100-share midpoint order resting on each side of a pool, re-posting a second after each fill, and
 * measures every fill's markout: how far the NBBO mid moved against us 60 s later, in basis points.
 */
class Probe implements VenueClient {
  fills = 0;
  markouts: number[] = [];
  private nextId = 1;
  private readonly repost: Handler<Side> = { handle: (_t, side) => this.post(side) };
  private readonly mark: Handler<{ side: Side; price: number }> = {
    handle: (_t, f) => {
      const { bid, ask } = this.s.nbbo;
      if (!(bid < ask)) return; // no two-sided market at that instant: no markout
      const mid = (bid + ask) / 2;
      // adverse = the price moved the way that makes our fill look bad
      this.markouts.push(((f.side === SELL ? mid - f.price : f.price - mid) / f.price) * 1e4);
    },
  };
  constructor(
    private readonly s: Session,
    private readonly pool: DarkPool,
  ) {}
  post(side: Side): void {
    this.pool.send(this, { type: 'new', clOrdId: this.nextId++, side, ordType: 'midpeg', price: NaN, qty: 100 });
  }
  onExecReport(r: ExecReport): void {
    if (r.kind !== 'fill') return;
    this.fills++;
    const now = this.s.kernel.now();
    this.s.kernel.at(now + HORIZON, this.mark, { side: r.side, price: r.price });
    if (r.leaves === 0) this.s.kernel.at(now + NS_PER_SECOND, this.repost, r.side);
  }
}

describe('dark-pool toxicity in the default market', () => {
  it('the toxic pool fills more often, and its fills are followed by adverse moves; the calm pool’s are not', () => {
    const s = buildSession(loadScenarioFile('scenarios/default.json'), 11);
    startSession(s);
    const probes = s.dark.map((p) => new Probe(s, p));
    for (const pr of probes) {
      pr.post(BUY);
      pr.post(SELL);
    }
    s.kernel.run(s.t0 + 240 * NS_PER_MINUTE);
    const [calm, toxic] = [s.dark.findIndex((p) => p.name === 'DARK_CALM'), s.dark.findIndex((p) => p.name === 'DARK_TOXIC')].map((i) => probes[i]!) as [
      Probe,
      Probe,
    ];
    const stats = (p: Probe) => {
      const n = p.markouts.length;
      const mean = p.markouts.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(p.markouts.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      return { n, mean, se: sd / Math.sqrt(n) };
    };
    const c = stats(calm);
    const t = stats(toxic);
    console.log(
      `60 s markouts (bps, + = adverse): calm ${c.mean.toFixed(2)} ± ${c.se.toFixed(2)} over ${c.n} fills; toxic ${t.mean.toFixed(2)} ± ${t.se.toFixed(2)} over ${t.n} fills`,
    );
    expect(toxic.fills).toBeGreaterThan(2 * calm.fills);
    expect(c.n).toBeGreaterThan(30);
    // toxic: adverse by several standard errors; calm: within noise of zero; and the gap is clear
    expect(t.mean).toBeGreaterThan(3 * t.se);
    expect(Math.abs(c.mean)).toBeLessThan(3 * c.se + 0.5);
    expect(t.mean - c.mean).toBeGreaterThan(3 * Math.hypot(t.se, c.se));
  });
});
