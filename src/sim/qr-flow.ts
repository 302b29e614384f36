import type { Handler } from '../core/scheduler.js';
import { BUY, NS_PER_SECOND, SELL, type Side } from '../core/types.js';
import { CstFlow, type CstContext, type CstParams } from './cst-flow.js';

/**
 * What happens at the best quotes, as functions of the queues there: the queue-reactive model of Huang, Lehalle and
 * Rosenbaum (2015, "Simulating and analyzing order book data: the queue-reactive model", JASA 110(509)). Rates are
 * per side and per second; a state is the queue at the side's own best and the queue at the opposite best, each in
 * units of `queueUnit` shares and bucketed by `queueEdges`.
 */
export interface QueueReactiveBest {
  /** The spread the books open with, in ticks (the calibrated day's median). */
  openSpreadTicks: number;
  /** Shares in one queue unit (the calibrated day's median touch size). */
  queueUnit: number;
  /** Ascending bucket edges in units: bucket b holds queues in [edges[b−1], edges[b]) (the first from 0, the last to ∞). */
  queueEdges: number[];
  /**
   * Limit orders joining the best, cancels at the best and market orders hitting it: [own bucket][opposite bucket].
   * The market rates are the immigrants' rate in the state over 1 − Σ branching (`sor calibrate` declusters the day's
   * market orders by the Hawkes fit): the state's own pull, the excitation of recent trades coming from `hawkes`.
   */
  joinRates: number[][];
  cancelRates: number[][];
  marketRates: number[][];
  /** Mean queue (units) in the top own bucket: there the cancel rate grows in proportion to the queue, so no queue grows without bound. */
  topQueueMean: number;
  /** Share of cancels at the best that remove the whole order; the others take `partialCancelFraction` of what is left. */
  fullCancelShare: number;
  partialCancelFraction: number;
  /** Spread buckets' upper edges in ticks (ascending; a last bucket runs to ∞) and the rate of limit orders placed inside the spread, per side. */
  spreadEdges: number[];
  improveRates: number[];
  /** Market-order rates at the best are multiplied by these, by spread bucket (absent: 1 everywhere). */
  marketSpreadFactors?: number[] | undefined;
  /** The share of improving orders placed by traders who know the fair value (not identifiable from the data: a choice). */
  informedImprove: number;
  /** Where inside the spread an improving order goes: a histogram over (0, 1) of (ticks inside the best) / spread. */
  improvePlacement: number[];
  /**
   * After a best price falls back, a refill follows with `probability`: a limit order at the emptied price moved by
   * an offset in ticks (`offsets`: probabilities of −R … +R, + toward the other side), after a delay (`delaySeconds`:
   * the delay's quantiles at evenly spaced levels from 0 to 1).
   */
  refill: { probability: number; offsets: number[]; delaySeconds: number[] };
  /**
   * Market orders excite more (a Hawkes process with a sum of exponential kernels): through kernel k each begets
   * `branching` more on average after a mean `decaySeconds`; a begotten order is on its parent's side with probability
   * `sameSide`. The state's market rates are the total, so the immigrants arrive at (1 − Σ branching) of them.
   */
  hawkes: { kernels: { branching: number; decaySeconds: number }[]; sameSide: number };
}

/**
 * The book behind the best: limit orders arrive at j = 1, 2, … ticks behind the same side's best at `limitRates[j − 1]`
 * per second per side, and every order there is cancelled at `cancelRate` per second. A level j behind is then
 * occupied with probability 1 − exp(−λ_j/θ) in the steady state, which is how `sor calibrate` sets λ_j: from the
 * day's depletions (the gap to the next price when a best queue empties: the share of gaps of j among those of j or
 * more is the chance level j is occupied), which a level-1 file shows as well as a level-10 one.
 */
export interface QueueReactiveDeep {
  limitRates: number[];
  cancelRate: number;
}

export interface QrParams extends Omit<CstParams, 'marketRate' | 'limitRates' | 'cancelRates'> {
  best: QueueReactiveBest;
  deep: QueueReactiveDeep;
}

/**
 * Queue-reactive order flow. At the best quotes, joins, cancels and market orders arrive at rates read from the
 * queues on both sides (every displayed share there counts, participants' included: a large displayed bid changes
 * what the flow does next, as displayed size does in real books); limit orders inside the spread arrive at rates by
 * spread. Behind the best, orders arrive at rates by their distance behind the same side's best and are cancelled
 * at a constant rate each (QueueReactiveDeep). Market orders self-excite (Hawkes). The latent fair value, its informed traders and participants' impact
 * are CstFlow's.
 *
 * Simulated exactly: the state-dependent rates are constant between changes of the best quotes, and the Hawkes
 * part only decays, so the next event is drawn at the current total rate and thinned (Ogata) by the decay; a change
 * of the best quotes made by anyone else (a participant's order, a trade against it) redraws the next event at the
 * new rates (memorylessness makes that exact), stale draws being recognised by a generation number.
 */
export class QrFlow extends CstFlow {
  private readonly q: QueueReactiveBest;
  private readonly nb: number;
  private readonly depthMul: number;
  /** Per kernel: decay rate (per second) and the intensity each market order adds (per second). */
  private readonly hawkesBeta: Float64Array;
  private readonly hawkesJump: Float64Array;
  private readonly branching: number;
  // rates drawn at the last schedule, per side (0 = bid, 1 = ask), and their total with the Hawkes part then
  private readonly rJoin = new Float64Array(2);
  private readonly rCancel = new Float64Array(2);
  private readonly rMarket = new Float64Array(2);
  private readonly rImprove = new Float64Array(2);
  private rDeepLimit = 0;
  private rDeepCancel = 0;
  private rTotal = 0;
  private spreadTicks = 1;
  /** Hawkes intensities begotten by buy and by sell market orders, per kernel (per second), as of `hawkesT`. */
  private readonly hBuyK: Float64Array;
  private readonly hSellK: Float64Array;
  private hBuy = 0;
  private hSell = 0;
  private hawkesT = 0;
  private gen = 0;
  private inEvent = false;
  /** Display-only size added to the best queues as the flow sees them (the exposure experiment). */
  private readonly extra = new Float64Array(2);
  private readonly onTick: Handler<number>;
  private started = false;
  private readonly onRefill: Handler<{ side: 0 | 1; price: number }>;
  private lastBid = NaN;
  private lastAsk = NaN;
  private readonly offsetTotal: number;
  private readonly boundary: Handler<number>;
  private readonly placementCum: Float64Array;

  constructor(p: QrParams, ctx: CstContext) {
    super({ ...p, marketRate: 0, limitRates: p.deep.limitRates, cancelRates: [p.deep.cancelRate] }, ctx);
    this.q = p.best;
    this.nb = p.best.queueEdges.length + 1;
    this.depthMul = this.regime.depth;
    // the day's depth acts on the queues at the best (their joins), not on the book behind it: undo CstFlow's scaling
    let c = 0;
    for (let i = 0; i < this.lambda.length; i++) {
      this.lambda[i] = p.deep.limitRates[i]! * p.intensity;
      this.lambdaCum[i] = c += this.lambda[i]!;
    }
    this.lambdaTotal = c;
    const ks = p.best.hawkes.kernels;
    this.hawkesBeta = Float64Array.from(ks, (k) => 1 / k.decaySeconds);
    this.hawkesJump = Float64Array.from(ks, (k) => k.branching / k.decaySeconds);
    this.branching = ks.reduce((a, k) => a + k.branching, 0);
    this.hBuyK = new Float64Array(ks.length);
    this.hSellK = new Float64Array(ks.length);
    const cum = new Float64Array(p.best.improvePlacement.length);
    c = 0;
    p.best.improvePlacement.forEach((x, i) => (cum[i] = c += x));
    this.placementCum = cum.map((x) => x / c);
    this.offsetTotal = p.best.refill.offsets.reduce((a, b) => a + b, 0);
    this.onTick = { handle: (now, g) => g === this.gen && this.event(now) };
    this.boundary = { handle: (now, g) => g === this.gen && this.schedule(now) };
    this.onRefill = { handle: (now, r) => this.refill(now, r) };
    ctx.nbbo.onAnyTopChange(() => {
      if (!this.started) return;
      this.watchDepletions();
      if (this.inEvent) return;
      this.gen++;
      this.schedule(this.ctx.sched.now());
    });
  }

  /**
   * A best price falling back (its queue emptied: traded, cancelled or pulled) is followed, with the day's probability,
   * by a refill: a limit order back near the price that emptied, after the day's delay (quotes are moved, not only
   * eaten; without refills, the quotes would drift where the last pennying took them).
   */
  private watchDepletions(): void {
    const { bid, ask } = this.ctx.nbbo;
    if (this.lastBid === this.lastBid && !(bid >= this.lastBid)) this.maybeRefill(0, this.lastBid);
    if (this.lastAsk === this.lastAsk && !(ask <= this.lastAsk)) this.maybeRefill(1, this.lastAsk);
    this.lastBid = bid;
    this.lastAsk = ask;
  }

  private maybeRefill(side: 0 | 1, price: number): void {
    const { rng, sched } = this.ctx;
    const r = this.q.refill;
    if (!(rng.float() < r.probability)) return;
    const d = r.delaySeconds;
    const x = rng.float() * (d.length - 1);
    const i = Math.floor(x);
    const delay = d[i]! + (x - i) * ((d[Math.min(d.length - 1, i + 1)] ?? d[i]!) - d[i]!);
    sched.at(sched.now() + Math.max(1, Math.round(delay * NS_PER_SECOND)), this.onRefill, { side, price });
  }

  /** The refill: at the emptied price moved by the day's offset (+ = toward the other side), never crossing. */
  private refill(_now: number, r: { side: 0 | 1; price: number }): void {
    const { rng, venues, shares, nbbo, tick } = this.ctx;
    const off = this.q.refill.offsets;
    const k = rng.weighted(off, this.offsetTotal) - (off.length - 1) / 2;
    const side: Side = r.side === 0 ? BUY : SELL;
    let price = side === BUY ? r.price + k * tick : r.price - k * tick;
    if (side === BUY && nbbo.ask === nbbo.ask && price >= nbbo.ask) price = nbbo.ask - tick;
    if (side === SELL && nbbo.bid === nbbo.bid && price <= nbbo.bid) price = nbbo.bid + tick;
    if (price <= 0 || (side === BUY ? price >= nbbo.ask : price <= nbbo.bid)) return;
    const v = rng.weighted(shares, this.shareTotal);
    this.addLive(v, side, venues[v]!.flowLimit(side, price, this.size(this.p.limitSize)));
  }

  /** Shows `qty` more shares at a side's best (0 = bid, 1 = ask) to the flow alone: they never trade. */
  showExtra(side: 0 | 1, qty: number): void {
    this.extra[side] = qty;
    if (!this.started) return;
    this.gen++;
    this.schedule(this.ctx.sched.now());
  }

  /**
   * The books at the open as the day usually looks: a spread of `openSpreadTicks` around the opening price, a queue
   * of about one queue unit at each best, and behind each best every level j occupied by Poisson(λ_j/θ) orders (the
   * steady state of the book behind), each order to a venue by market share.
   */
  protected override openBook(): void {
    const { tick, initialPrice, venues, shares, rng } = this.ctx;
    const s0 = Math.max(1, Math.round(this.q.openSpreadTicks));
    const bid0 = Math.floor((initialPrice - (s0 * tick) / 2) / tick) * tick;
    const ask0 = bid0 + s0 * tick;
    const place = (side: Side, price: number) => {
      const v = rng.weighted(shares, this.shareTotal);
      this.addLive(v, side, venues[v]!.flowLimit(side, price, this.size(this.p.limitSize)));
    };
    for (const side of [BUY, SELL] as const) {
      const best = side === BUY ? bid0 : ask0;
      for (let q = 0; q < this.q.queueUnit;) {
        const before = this.nLive;
        place(side, best);
        const id = this.liveId[this.nLive - 1]!;
        const v = this.liveVenue[this.nLive - 1]! >> 1;
        q += before < this.nLive ? venues[v]!.book.leaves(id) : this.q.queueUnit;
      }
      for (let j = 1; j <= this.lambda.length; j++) {
        const price = side === BUY ? best - j * tick : best + j * tick;
        if (price <= 0) break;
        // Poisson by inversion (the means are small)
        const mean = this.lambda[j - 1]! / this.thetaMax;
        let n = 0;
        for (let p = Math.exp(-mean), c = p, u = rng.float(); u > c && n < 1000;) {
          n++;
          p *= mean / n;
          c += p;
        }
        for (let k = 0; k < n; k++) place(side, price);
      }
    }
  }

  protected override scheduleNext(now: number): void {
    // CstFlow.start opens the books, then asks for the first event: from here on the flow hears the quotes
    if (!this.started) {
      this.started = true;
      this.hawkesT = now;
    }
    this.schedule(now);
  }

  private bucket(shares: number): number {
    const u = shares / this.q.queueUnit;
    const e = this.q.queueEdges;
    let b = 0;
    while (b < e.length && u >= e[b]!) b++;
    return b;
  }

  /** The background flow's displayed shares at a price, in queue units. */
  private anonymousUnits(side: Side, price: number): number {
    let q = 0;
    for (const v of this.ctx.venues) q += v.book.visibleAt(side, price) - v.book.visibleOwnedAt(side, price);
    return q / this.q.queueUnit;
  }

  private decayHawkes(now: number): void {
    if (now > this.hawkesT) {
      const dt = (now - this.hawkesT) / NS_PER_SECOND;
      let b = 0;
      let s = 0;
      for (let k = 0; k < this.hawkesBeta.length; k++) {
        const f = Math.exp(-this.hawkesBeta[k]! * dt);
        b += this.hBuyK[k]! *= f;
        s += this.hSellK[k]! *= f;
      }
      this.hBuy = b;
      this.hSell = s;
      this.hawkesT = now;
    }
  }

  /** Recomputes every rate from the book now and draws the next event. */
  private schedule(now: number): void {
    const { nbbo } = this.ctx;
    this.decayHawkes(now);
    const { m, until } = this.profileAt(now);
    const q = this.q;
    const bid = nbbo.bid;
    const ask = nbbo.ask;
    const qb = bid === bid ? nbbo.bestQty(0) + this.extra[0]! : 0;
    const qa = ask === ask ? nbbo.bestQty(1) + this.extra[1]! : 0;
    const bb = this.bucket(qb);
    const ba = this.bucket(qa);
    const immigrants = 1 - this.branching;
    const s = bid === bid && ask === ask ? Math.max(1, Math.round((ask - bid) / this.ctx.tick)) : 0;
    this.spreadTicks = s;
    let sb = 0;
    while (sb < q.spreadEdges.length && s > q.spreadEdges[sb]!) sb++;
    const improve = s > 1 ? m * q.improveRates[sb]! : 0;
    let best = 0;
    for (let side = 0; side < 2; side++) {
      const own = side === 0 ? bb : ba;
      const opp = side === 0 ? ba : bb;
      const present = side === 0 ? qb > 0 && bid === bid : qa > 0 && ask === ask;
      if (!present) {
        this.rJoin[side] = this.rCancel[side] = this.rMarket[side] = this.rImprove[side] = 0;
        continue;
      }
      // the top bucket's cancels grow with what the flow itself can cancel there (participants' shares and display-only
      // ones hold the queue up; they do not make the flow cancel faster)
      // the day's depth regime is how long a queue the top bucket holds: a deeper day's queues are longer in proportion
      // (scaling the joins instead would move the balance of joins against cancels, and the queue with it, far more)
      const topMean = q.topQueueMean * this.depthMul;
      const topScale = own === this.nb - 1 ? Math.max(1, this.anonymousUnits(side === 0 ? BUY : SELL, side === 0 ? bid : ask) / topMean) : 1;
      this.rJoin[side] = m * q.joinRates[own]![opp]!;
      this.rCancel[side] = m * q.cancelRates[own]![opp]! * topScale;
      this.rMarket[side] = m * immigrants * q.marketRates[own]![opp]! * (q.marketSpreadFactors?.[sb] ?? 1);
      this.rImprove[side] = s > 1 ? improve : 0;
      best += this.rJoin[side]! + this.rCancel[side]! + this.rMarket[side]! + this.rImprove[side]!;
    }
    this.rDeepLimit = m * 2 * this.lambdaTotal;
    this.rDeepCancel = m * this.thetaMax * this.nLive;
    // market orders may hit only a side that is there: the Hawkes part is thinned to it when the event comes
    this.rTotal = best + this.rDeepLimit + this.rDeepCancel + this.hBuy + this.hSell;
    if (!(this.rTotal > 0)) {
      if (until < Infinity) this.ctx.sched.at(until, this.boundary, this.gen);
      return;
    }
    const at = now + Math.max(1, Math.round(this.ctx.rng.exponential(this.rTotal) * NS_PER_SECOND));
    if (at >= until) this.ctx.sched.at(until, this.boundary, this.gen);
    else this.ctx.sched.at(at, this.onTick, this.gen);
  }

  private event(now: number): void {
    const rng = this.ctx.rng;
    const hBefore = this.hBuy + this.hSell;
    this.decayHawkes(now);
    const hNow = this.hBuy + this.hSell;
    // the rate now is lower than the one drawn at by the Hawkes part's decay: thin
    let x = rng.float() * this.rTotal;
    this.inEvent = true;
    try {
      if (x >= this.rTotal - hBefore + hNow) return; // a candidate the decay rejects
      for (let side = 0; side < 2; side++) {
        if ((x -= this.rJoin[side]!) < 0) return this.join(side as Side);
        if ((x -= this.rCancel[side]!) < 0) return this.cancelAtBest(side as Side);
        if ((x -= this.rMarket[side]!) < 0) return this.marketHitting(side as Side);
        if ((x -= this.rImprove[side]!) < 0) return this.improve(side as Side);
      }
      if ((x -= this.rDeepLimit) < 0) return this.deepArrival(x + this.rDeepLimit < this.rDeepLimit / 2 ? BUY : SELL);
      if ((x -= this.rDeepCancel) < 0) return this.deepCancel();
      // the Hawkes part: a begotten market order, on its parent's side with probability sameSide
      const same = this.q.hawkes.sameSide;
      const pBuy = hNow > 0 ? (same * this.hBuy + (1 - same) * this.hSell) / hNow : 0.5;
      const side: Side = rng.float() < pBuy ? BUY : SELL;
      // a buy hits the ask (side 1), a sell the bid (side 0)
      if (side === BUY ? this.ctx.nbbo.ask === this.ctx.nbbo.ask : this.ctx.nbbo.bid === this.ctx.nbbo.bid) this.market(side);
    } finally {
      this.inEvent = false;
      this.schedule(now);
    }
  }

  /** A limit order at the side's best price (side 0 = bid: a buy). */
  private join(side: Side): void {
    const { rng, venues, shares, nbbo } = this.ctx;
    const price = side === BUY ? nbbo.bid : nbbo.ask;
    const v = rng.weighted(shares, this.shareTotal);
    this.addLive(v, side, venues[v]!.flowLimit(side, price, this.size(this.p.limitSize)));
  }

  /**
   * A limit order inside the spread, placed by the day's histogram. An informed one (`best.informedImprove` of them)
   * improves the side the fair value is toward, when the value lies outside the spread's middle half: liquidity
   * providers who know the value step up on its side, which keeps the quotes around it.
   */
  private improve(side: Side): void {
    const { rng, venues, shares, nbbo, tick } = this.ctx;
    const s = this.spreadTicks;
    let price = NaN;
    if (rng.float() < this.q.informedImprove) {
      // it steps up on the side the value is toward, when the value is outside the spread's middle half
      const gap = this.fairValue(this.ctx.sched.now()) - (nbbo.bid + nbbo.ask) / 2;
      if (Math.abs(gap) > (nbbo.ask - nbbo.bid) / 4) side = gap > 0 ? BUY : SELL;
    }
    if (price !== price) {
      const u = rng.float();
      let b = 0;
      while (b < this.placementCum.length - 1 && this.placementCum[b]! <= u) b++;
      const frac = (b + rng.float()) / this.placementCum.length;
      const k = Math.min(s - 1, Math.max(1, Math.round(frac * s)));
      price = side === BUY ? nbbo.bid + k * tick : nbbo.ask - k * tick;
    }
    const v = rng.weighted(shares, this.shareTotal);
    this.addLive(v, side, venues[v]!.flowLimit(side, price, this.size(this.p.limitSize)));
  }

  /** Cancels (all or part of) a background order at the side's best, drawn uniformly from those there. */
  private cancelAtBest(side: Side): void {
    const { rng, venues, nbbo } = this.ctx;
    const price = side === BUY ? nbbo.bid : nbbo.ask;
    let n = 0;
    for (const venue of venues) n += venue.book.anonymousAt(side, price);
    if (n === 0) return; // only participants' orders are there: the flow cannot cancel them
    let k = rng.int(n);
    for (const venue of venues) {
      const here = venue.book.anonymousAt(side, price);
      if (k >= here) {
        k -= here;
        continue;
      }
      const id = venue.book.anonymousOrderAt(side, price, k);
      const leaves = venue.book.leaves(id);
      if (rng.float() < this.q.fullCancelShare) venue.flowCancel(id);
      else venue.flowReduce(id, Math.max(1, Math.min(leaves, Math.round(leaves * this.q.partialCancelFraction))));
      return;
    }
  }

  /** A market order hitting the side's best (side 0 = bid: a sell). */
  private marketHitting(side: Side): void {
    this.market(side === BUY ? SELL : BUY);
  }

  /** A market order of the given side; informed ones trade toward the fair value (CstFlow). It begets more. */
  private market(side: Side): void {
    const { rng, nbbo } = this.ctx;
    if (rng.float() < this.p.informedMarketFraction && nbbo.bid < nbbo.ask) {
      const gap = this.fairValue(this.ctx.sched.now()) - (nbbo.bid + nbbo.ask) / 2;
      if (Math.abs(gap) > (nbbo.ask - nbbo.bid) / 2) side = gap > 0 ? BUY : SELL;
    }
    this.sweep(side, this.size(this.p.marketSize));
    const h = side === BUY ? this.hBuyK : this.hSellK;
    let total = 0;
    for (let k = 0; k < h.length; k++) total += h[k]! += this.hawkesJump[k]!;
    if (side === BUY) this.hBuy = total;
    else this.hSell = total;
  }

  /** An arrival j ticks behind the same side's best (behind where the opposite best would put it, if the side is empty). */
  private deepArrival(side: Side): void {
    const { rng, tick, venues, shares, nbbo } = this.ctx;
    const u = rng.float() * this.lambdaTotal;
    let i = 0;
    while (i < this.lambdaCum.length - 1 && this.lambdaCum[i]! <= u) i++;
    const same = side === BUY ? nbbo.bid : nbbo.ask;
    const ref = same === same ? same : side === BUY ? this.reference(side) - tick : this.reference(side) + tick;
    const j = same === same ? i + 1 : i;
    const price = side === BUY ? ref - j * tick : ref + j * tick;
    if (price <= 0) return;
    const v = rng.weighted(shares, this.shareTotal);
    this.addLive(v, side, venues[v]!.flowLimit(side, price, this.size(this.p.limitSize)));
  }

  /** The per-order cancel of the book behind the best (orders at the best are cancelled at the queue's own rate). */
  private deepCancel(): void {
    if (this.nLive === 0) return;
    const { rng, venues, nbbo } = this.ctx;
    const k = rng.int(this.nLive);
    const v = this.liveVenue[k]! >> 1;
    const side = this.liveVenue[k]! & 1;
    const id = this.liveId[k]!;
    const venue = venues[v]!;
    const price = venue.book.priceOf(id);
    if (price !== price) {
      this.removeLive(k);
      return;
    }
    if (price === (side === BUY ? nbbo.bid : nbbo.ask)) return;
    venue.flowCancel(id);
    this.removeLive(k);
  }
}
