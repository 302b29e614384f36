import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL, type Side } from '../../src/core/types.js';
import { F, FEATURE_SCHEMA, FeatureEngine, mergeLevels, N_FEATURES, VENUE_FEATURES } from '../../src/features/engine.js';
import { Garch11, RealizedVol, TradeFlowImbalance } from '../../src/features/streaming.js';

const S = NS_PER_SECOND;

/** Events at increasing times (ns), with queries interleaved: the streaming value must equal the batch one. */
const stream = (maxGapNs: number) =>
  fc.array(
    fc.record({
      gap: fc.integer({ min: 0, max: maxGapNs }),
      kind: fc.constantFrom('event', 'event', 'query'),
      x: fc.double({ min: -1, max: 1, noNaN: true }),
      q: fc.integer({ min: 1, max: 5000 }),
    }),
    { minLength: 1, maxLength: 400, size: 'max' },
  );

const close = (a: number, b: number) => {
  if (Number.isNaN(b)) expect(a).toBeNaN();
  // relative 1e-9, and 1e-6 absolute (bps): a running sum's rounding residue where the exact value is 0
  else expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.max(1e-6, 1e-9 * Math.abs(b)));
};

/** The last mid at or before time s. */
function midAt(events: { t: number; mid: number }[], s: number): number {
  let m = NaN;
  for (const e of events) if (e.t <= s) m = e.mid;
  return m;
}

describe('streaming features equal their offline definitions', () => {
  it('trade-flow imbalance: exponentially decayed signed volume over decayed volume', () => {
    fc.assert(
      fc.property(stream(20 * S), (steps) => {
        const H = 30 * S;
        const f = new TradeFlowImbalance(H);
        const trades: { t: number; side: Side; q: number }[] = [];
        let t = 34_200 * S;
        for (const st of steps) {
          t += st.gap;
          if (st.kind === 'event') {
            const side: Side = st.x > 0 ? BUY : SELL;
            f.onTrade(t, side, st.q);
            trades.push({ t, side, q: st.q });
          } else {
            let num = 0;
            let den = 0;
            for (const tr of trades) {
              const w = tr.q * Math.pow(2, -(t - tr.t) / H);
              num += (tr.side === BUY ? 1 : -1) * w;
              den += w;
            }
            close(f.value(t), den > 0 ? num / den : 0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('realised volatility: 1-second returns of the sampled mid over the trailing window', () => {
    fc.assert(
      fc.property(stream(3 * S), fc.integer({ min: 2, max: 40 }), (steps, window) => {
        const rv = new RealizedVol(window);
        const mids: { t: number; mid: number }[] = [];
        let t = 34_200 * S + 123_456;
        let mid = 5_000_000;
        for (const st of steps) {
          t += st.gap;
          if (st.kind === 'event') {
            mid = Math.max(100, mid + Math.round(st.x * 500));
            rv.onMid(t, mid);
            mids.push({ t, mid });
          } else {
            // offline: samples at whole seconds from the first update's second (rounded up), strictly before t
            const first = mids.length > 0 ? Math.ceil(mids[0]!.t / S) * S : Infinity;
            const samples: number[] = [];
            for (let s = first; s < t; s += S) samples.push(midAt(mids, s));
            const r2 = samples
              .slice(1)
              .map((m, i) => Math.log(m / samples[i]!) ** 2)
              .slice(-window);
            const want = r2.length === 0 ? NaN : Math.sqrt(r2.reduce((a, b) => a + b, 0) / (r2.length / 60)) * 1e4;
            close(rv.value(t), want);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('GARCH(1,1): the recursion over one-minute returns, from the long-run variance', () => {
    fc.assert(
      fc.property(stream(40 * S), (steps) => {
        const g = new Garch11(5, 0.08, 0.85);
        const mids: { t: number; mid: number }[] = [];
        let t = 34_200 * S + 7;
        let mid = 5_000_000;
        for (const st of steps) {
          t += st.gap;
          if (st.kind === 'event') {
            mid = Math.max(100, mid + Math.round(st.x * 2000));
            g.onMid(t, mid);
            mids.push({ t, mid });
          } else {
            const first = mids.length > 0 ? Math.ceil(mids[0]!.t / NS_PER_MINUTE) * NS_PER_MINUTE : Infinity;
            let v = 5e-4 ** 2;
            const omega = v * (1 - 0.08 - 0.85);
            let prev = NaN;
            for (let s = first; s < t; s += NS_PER_MINUTE) {
              const m = midAt(mids, s);
              if (prev === prev) v = omega + 0.08 * Math.log(m / prev) ** 2 + 0.85 * v;
              prev = m;
            }
            close(g.value(t), Math.sqrt(v) * 1e4);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('feature engine', () => {
  it('has a versioned schema: the names hash to the value pinned with the version (change one, bump the other)', () => {
    expect(new Set(FEATURE_SCHEMA.names).size).toBe(N_FEATURES);
    expect({ version: FEATURE_SCHEMA.version, hash: FEATURE_SCHEMA.hash, n: N_FEATURES }).toEqual({ version: 2, hash: 'ae263b1f7d803b11', n: 29 });
  });

  it('writeVenue writes exactly the venue features (what the models may recompute alone per venue)', () => {
    const fe = new FeatureEngine({ venues: ['A', 'B'], tick: 1, adv: 1e6, longRunVolBps: 5 });
    const q = {
      t: 36_000 * S,
      book: { bids: [{ price: 99, qty: 10 }], asks: [{ price: 101, qty: 10 }] },
      order: { side: BUY, qty: 100, remaining: 100, start: 0, end: 1 },
      venue: { index: 0, takeFee: 1, makeFee: -1, queueAhead: 5, price: 99 },
    };
    const out = new Float64Array(N_FEATURES).fill(-7);
    fe.writeVenue(q, out);
    const written = Array.from(out.keys()).filter((j) => !Object.is(out[j], -7));
    expect(written).toEqual([...VENUE_FEATURES].sort((a, b) => a - b));
  });

  it('merges venues’ levels into the consolidated top n, best first, equal prices summed (against a sort)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.record({ price: fc.integer({ min: 90, max: 110 }), qty: fc.integer({ min: 1, max: 500 }) }), { maxLength: 6 }), { maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        (raw, buy, n) => {
          const side = buy ? BUY : SELL;
          // each venue's book: distinct prices, best first
          const books = raw.map((b) => [...new Map(b.map((l) => [l.price, l])).values()].sort((x, y) => (buy ? y.price - x.price : x.price - y.price)));
          const sum = new Map<number, number>();
          for (const b of books) for (const l of b) sum.set(l.price, (sum.get(l.price) ?? 0) + l.qty);
          const want = [...sum]
            .sort((x, y) => (buy ? y[0] - x[0] : x[0] - y[0]))
            .slice(0, n)
            .map(([price, qty]) => ({ price, qty }));
          expect(mergeLevels(books, side, n)).toEqual(want);
        },
      ),
    );
  });

  it('writes a vector from the book, the recent past, the order and the venue', () => {
    const fe = new FeatureEngine({ venues: ['A', 'B'], tick: 100, adv: 1_000_000, longRunVolBps: 5 });
    const t0 = 36_000 * S;
    fe.onMid(t0, 1_000_050);
    fe.onTrade(t0, BUY, 300);
    fe.onTrade(t0, SELL, 100);
    fe.onPostedOutcome(1, 100, 100);
    fe.onPostedOutcome(1, 100, 0);
    fe.onAck(1, 80_000);
    const out = new Float64Array(N_FEATURES);
    fe.write(
      {
        t: t0,
        book: {
          bids: [
            { price: 1_000_000, qty: 300 },
            { price: 999_900, qty: 50 },
          ],
          asks: [{ price: 1_000_100, qty: 100 }],
        },
        order: { side: BUY, qty: 20_000, remaining: 5_000, start: t0 - 10 * NS_PER_MINUTE, end: t0 + 30 * NS_PER_MINUTE },
        venue: { index: 1, takeFee: 30, makeFee: -20, queueAhead: 300, price: 999_900 },
      },
      out,
    );
    expect(out[F.book_imbalance]).toBeCloseTo(0.5, 12);
    expect(out[F.spread_ticks]).toBe(1);
    expect([out[F.bid_depth_1], out[F.bid_depth_2], out[F.bid_depth_3], out[F.ask_depth_1], out[F.ask_depth_2]]).toEqual([300, 50, 0, 100, 0]);
    expect(out[F.trade_flow_imbalance]).toBeCloseTo(0.5, 12);
    expect(out[F.rv_5m_bps]).toBeNaN(); // no second has passed
    expect(out[F.garch_bps]).toBeCloseTo(5, 9); // the long-run level before any minute
    expect(out[F.remaining_share]).toBe(0.25);
    expect(out[F.time_remaining_share]).toBe(0.75);
    expect(out[F.size_pct_adv]).toBe(2);
    expect(out[F.venue_fill_rate]).toBeCloseTo(0.95, 12); // 1, then 0 with weight 0.05
    expect(out[F.venue_latency_us]).toBe(80);
    expect(out[F.venue_take_fee_bps]).toBeCloseTo(0.3, 4);
    expect(out[F.venue_make_fee_bps]).toBeCloseTo(-0.2, 4);
    expect(out[F.queue_ahead]).toBe(300);
    expect(out[F.distance_ticks]).toBe(1); // one tick behind the best bid
    expect(out[F.side_sign]).toBe(1);
  });
});
