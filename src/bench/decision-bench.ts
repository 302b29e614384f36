import { quantile } from '../core/stats.js';
import { BUY, NS_PER_MINUTE, SELL, type Side } from '../core/types.js';
import { FeatureEngine, N_FEATURES, type BookSnapshot } from '../features/engine.js';
import { allocateDark, CensoredLiquidity } from '../models/dark-allocation.js';
import { consolidatedTop } from '../models/datasets.js';
import { FillForward, type FillModelArtifact } from '../models/fill-model.js';
import { VolForward, type VolModelArtifact } from '../models/volatility.js';
import type { Scenario } from '../sim/scenario.js';
import { buildSession, startSession } from '../sim/session.js';

interface Step {
  t: number;
  mid: number;
  trade: { side: Side; qty: number } | null;
  book: BookSnapshot;
  queues: number[];
}

/**
 * The routing decision's latency: for each recorded market step, one feature update (the mid, a trade), the
 * feature vector and the fill model for every lit venue (the hand-written forward pass), the volatility model, one
 * ping outcome learnt and the dark allocation over both pools. Each decision is timed alone (monotonic clock, nanoseconds); p50 and p99 over all of them.
 * The market steps are recorded from a simulated session first, outside the timing.
 */
export function benchDecision(scenario: Scenario, art: FillModelArtifact, volArt: VolModelArtifact, opts: { decisions: number; seed: number; adv: number; volBps: number }) {
  const s = buildSession(scenario, opts.seed);
  startSession(s);
  s.kernel.run(s.t0 + 30 * NS_PER_MINUTE);
  const steps: Step[] = [];
  let k = 0;
  // sample the market every 50 ms of simulated time: mid, the last print, the book and each venue's queue at the bid
  while (steps.length < Math.min(opts.decisions, 20_000)) {
    s.kernel.run(s.kernel.now() + 50_000_000);
    const book = consolidatedTop(s);
    if (!(s.nbbo.bid < s.nbbo.ask)) continue;
    steps.push({
      t: s.kernel.now(),
      mid: s.nbbo.lastMid,
      trade: k++ % 3 === 0 ? { side: k % 2 === 0 ? BUY : SELL, qty: 100 } : null,
      book,
      queues: s.lit.map((v) => v.book.visibleAt(BUY, s.nbbo.bid)),
    });
  }
  const fe = new FeatureEngine({ venues: s.venues.map((v) => v.name), tick: scenario.tick, adv: opts.adv, longRunVolBps: opts.volBps });
  const fwd = new FillForward(art);
  const vol = new VolForward(volArt);
  const pools = s.dark.map(() => new CensoredLiquidity(50, 200));
  pools.forEach((p, i) => {
    for (let j = 0; j < 50; j++) p.observe(200, (i * 37 + j * 11) % 250);
  });
  const fees = s.lit.map((v) => ({ take: v.cfg.fees.fee('take', scenario.initialPrice, 1), make: v.cfg.fees.fee('make', scenario.initialPrice, 1) }));
  const x = new Float32Array(N_FEATURES);
  const p = new Float64Array(s.lit.length);
  const value = [1.2, 0.8];
  const times = new Float64Array(opts.decisions);
  let sink = 0;
  const order = { side: BUY as Side, qty: 20_000, remaining: 12_000, start: 0, end: 0 };
  // one query object, updated in place per venue: the decision allocates nothing of its own
  const venue = { index: 0, takeFee: 0, makeFee: 0, queueAhead: 0, price: 0 };
  const query = { t: 0, book: steps[0]!.book, order, venue };
  // the recorded steps are replayed in cycles; each cycle is moved later in time, so the streams only go forward
  const span = steps[steps.length - 1]!.t - steps[0]!.t + 50_000_000;
  for (let i = 0; i < opts.decisions; i++) {
    const st = steps[i % steps.length]!;
    const t = st.t + Math.floor(i / steps.length) * span;
    order.start = t - 10 * NS_PER_MINUTE;
    order.end = t + 20 * NS_PER_MINUTE;
    query.t = t;
    query.book = st.book;
    const t0 = process.hrtime.bigint();
    fe.onMid(t, st.mid);
    if (st.trade) fe.onTrade(t, st.trade.side, st.trade.qty);
    fe.writeMarket(query, x);
    for (let v = 0; v < s.lit.length; v++) {
      venue.index = v;
      venue.takeFee = fees[v]!.take;
      venue.makeFee = fees[v]!.make;
      venue.queueAhead = st.queues[v]!;
      venue.price = st.book.bids[0]!.price;
      fe.writeVenue(query, x);
      p[v] = fwd.predict(x);
    }
    const variance = vol.variance(x);
    // the learning step of the ml router: one ping's outcome per decision, then the allocation
    pools[i % pools.length]!.observe(200, (i * 37) % 250);
    const a = allocateDark(pools, 400, 50, value, 0);
    times[i] = Number(process.hrtime.bigint() - t0);
    sink += p[0]! + a.length + variance;
  }
  const sorted = Array.from(times).sort((a, b) => a - b);
  const us = (q: number) => Math.round(quantile(sorted, q) / 10) / 100;
  const p50 = us(0.5);
  const p99 = us(0.99);
  return {
    benchmark: 'decision',
    what: 'one feature update, the feature vector and fill model for each of the lit venues, the volatility model, one pool observation and the dark allocation over the pools',
    decisions: opts.decisions,
    lit_venues: s.lit.length,
    dark_pools: s.dark.length,
    models: [{ kind: art.kind, hidden: art.training.hidden, schema: art.schema.version }, { kind: volArt.kind, hidden: volArt.training.hidden, schema: volArt.schema.version }],
    p50_us: p50,
    p90_us: us(0.9),
    p99_us: p99,
    max_us: us(1),
    targets: { p50_us: 10, p99_us: 50 },
    pass: p50 <= 10 && p99 <= 50,
    checksum: Math.round(sink),
  };
}
