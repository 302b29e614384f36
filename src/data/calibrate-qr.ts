import { fitHawkes2, immigrantShares } from '../core/hawkes.js';
import { mean, quantile, roundTo } from '../core/stats.js';
import type { SizeDist } from '../sim/cst-flow.js';
import type { QueueReactiveBest, QueueReactiveDeep } from '../sim/qr-flow.js';
import { EMPTY_ASK, EMPTY_BID, twoSidedRow, type LobsterDay } from './lobster.js';

/** Queue buckets in units of the median touch size (HLR bucket queues in units of the average event size). */
export const QUEUE_EDGES = [0.25, 0.5, 1, 2, 4];
/** Spread buckets' upper edges in ticks. */
export const SPREAD_EDGES = [1, 2, 4, 8, 16, 32, 64, 128];
const PLACEMENT_BINS = 10;
/** An improve this soon (seconds) after its side's best fell back is a refill of it; offsets are kept to ±MAX_OFFSET ticks. */
const REFILL_WINDOW = 1;
const MAX_OFFSET = 20;
/** The Hawkes fit's base-rate buckets. */
const PROFILE_SECONDS = 1800;
/**
 * Pseudo-seconds of shrinkage: a state seen for little time borrows from the coarser state (own queue only, then
 * all states), in proportion: rate = (events + C × coarser rate) / (seconds + C).
 */
const SHRINK_SECONDS = 5;

export interface QueueReactiveFit {
  best: QueueReactiveBest;
  deep: QueueReactiveDeep;
  limitSize: SizeDist;
  marketSize: SizeDist;
  observed: {
    /** Events at the best (both sides) by kind, and the seconds the book was two-sided. */
    joins: number;
    cancels: number;
    market_orders: number;
    /** Of the market orders at the best, the expected share that were immigrants under the Hawkes fit (declustering). */
    market_immigrant_share: number;
    improves: number;
    seconds_two_sided: number;
    /** The two-kernel Hawkes fit of market-order arrivals (base rate by half hour): Σ branching, and each kernel's mean delay. */
    hawkes_branching: number;
    hawkes_decay_s: number[];
    /** Depletions (a best price falling back) and the mean gap to the next price then, in ticks. */
    depletions: number;
    mean_depletion_gap_ticks: number;
  };
}

/**
 * Fits the queue-reactive model's best-quote part to a LOBSTER day, the way Huang, Lehalle and Rosenbaum estimate
 * theirs: for each state (own-side queue bucket, opposite queue bucket) the events of each kind at the best divided by
 * the time the book spent in that state, both sides pooled (a bid in state (i, j) is an ask in state (i, j) seen in the
 * mirror). The state of an event is the book on the row before it. An execution stamp (all executions at one
 * timestamp on one side) is one market order. Limit orders inside the spread are counted by spread bucket, with
 * where in the spread they went. Sizes are empirical: round-lot modes as atoms, a log-normal for the rest. Market
 * orders' self-excitation is a Hawkes fit of their arrival times.
 */
export function fitQueueReactive(day: LobsterDay, tick: number, deepCancelRate: number): QueueReactiveFit {
  const W = 4 * day.pair.levels;
  const n = day.n;
  const nb = QUEUE_EDGES.length + 1;
  const ns = SPREAD_EDGES.length + 1;
  // touch sizes over time, to fix the queue unit: the time-weighted median of both best queues
  const touch: { q: number; dt: number }[] = [];
  for (let k = 0; k + 1 < n; k++) {
    const dt = day.timeNs[k + 1]! - day.timeNs[k]!;
    if (dt <= 0 || !twoSidedRow(day, k)) continue;
    touch.push({ q: day.book[k * W + 1]!, dt }, { q: day.book[k * W + 3]!, dt });
  }
  const unit = weightedMedian(touch) || 100;
  const bucket = (q: number) => {
    const u = q / unit;
    let b = 0;
    while (b < QUEUE_EDGES.length && u >= QUEUE_EDGES[b]!) b++;
    return b;
  };
  const spreadBucket = (s: number) => {
    let b = 0;
    while (b < SPREAD_EDGES.length && s > SPREAD_EDGES[b]!) b++;
    return b;
  };
  const time = grid(nb); // seconds in (own, opp), both sides pooled
  const joins = grid(nb);
  const cancels = grid(nb);
  const spreadTime = new Float64Array(ns);
  const improves = new Float64Array(ns);
  const placement = new Float64Array(PLACEMENT_BINS);
  let topSum = 0;
  let topTime = 0;
  let fullCancels = 0;
  let partialCancels = 0;
  let partialFraction = 0;
  let twoSidedSeconds = 0;
  const leaves = new Map<number, number>(); // order id → shares left, for orders added within the file
  const addSizes: number[] = [];
  const mktSizes: number[] = [];
  const mktTimes: number[] = [];
  const mktSides: number[] = [];
  const mktStates: { i: number; own: number; opp: number; spread: number }[] = [];
  let mktT = NaN;
  let mktDir = 0;
  // refills: the last depletion on each side (time, price), until an improve on that side or REFILL_WINDOW passes
  const pendT = [NaN, NaN];
  const pendPx = [NaN, NaN];
  let depletions = 0;
  const refillDelays: number[] = [];
  const refillOffsets = new Float64Array(2 * MAX_OFFSET + 1);
  const spreadSeen: { q: number; dt: number }[] = [];
  const gaps = new Float64Array(MAX_GAP + 1); // depletion gaps in ticks (the last bin: that many or more)
  for (let k = 0; k < n; k++) {
    const type = day.type[k]!;
    const dir = day.direction[k]!;
    const price = day.price[k]!;
    const size = day.size[k]!;
    const id = day.id[k]!;
    const t = day.timeNs[k]!;
    const prev = k > 0 ? k - 1 : 0;
    const known = leaves.get(id);
    if (type === 1) {
      addSizes.push(size);
      leaves.set(id, size);
    }
    if (k > 0 && twoSidedRow(day, prev)) {
      const ask = day.book[prev * W]!;
      const qa = day.book[prev * W + 1]!;
      const bid = day.book[prev * W + 2]!;
      const qb = day.book[prev * W + 3]!;
      const side = dir === 1 ? 0 : 1; // the side of the resting book the event is on (LOBSTER: 1 = buy order)
      const own = side === 0 ? bucket(qb) : bucket(qa);
      const opp = side === 0 ? bucket(qa) : bucket(qb);
      const atBest = side === 0 ? price === bid : price === ask;
      const inside = side === 0 ? price > bid && price < ask : price < ask && price > bid;
      const s = Math.round((ask - bid) / tick);
      if (type === 1 && atBest) joins[own]![opp]!++;
      else if (type === 1 && inside && t / 1e9 - pendT[side]! <= REFILL_WINDOW) {
        // a refill: the price that emptied, moved by the offset (+ toward the other side)
        refillDelays.push(t / 1e9 - pendT[side]!);
        const off = Math.round((side === 0 ? price - pendPx[side]! : pendPx[side]! - price) / tick);
        refillOffsets[Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, off)) + MAX_OFFSET]!++;
        pendT[side] = NaN;
      } else if (type === 1 && inside) {
        improves[spreadBucket(s)]!++;
        pendT[side] = NaN;
        const kIn = side === 0 ? (price - bid) / tick : (ask - price) / tick;
        placement[Math.min(PLACEMENT_BINS - 1, Math.floor((kIn / s) * PLACEMENT_BINS))]!++;
      } else if ((type === 2 || type === 3) && atBest) {
        cancels[own]![opp]!++;
        if (type === 3) fullCancels++;
        else if (known !== undefined && known > 0) {
          partialCancels++;
          partialFraction += Math.min(1, size / known);
        }
      } else if (type === 4 && atBest && !(t === mktT && dir === mktDir)) {
        // this market order is the next entry of mktTimes (below): its state, to weigh it once the Hawkes fit says how
        // likely it was an immigrant
        mktStates.push({ i: mktTimes.length, own, opp, spread: spreadBucket(s) });
      }
    }
    if (type === 4) {
      if (t === mktT && dir === mktDir) mktSizes[mktSizes.length - 1]! += size;
      else {
        mktSizes.push(size);
        mktTimes.push(t / 1e9);
        mktSides.push(dir);
      }
      mktT = t;
      mktDir = dir;
    }
    if (known !== undefined) {
      if (type === 3 || (type === 2 && size >= known) || (type === 4 && size >= known)) leaves.delete(id);
      else if (type === 2 || type === 4) leaves.set(id, known - size);
    }
    if (k > 0) {
      // a best price falling back: the queue there emptied, and the next price shows how far behind the book was
      const b0 = day.book[prev * W + 2]!;
      const b1 = day.book[k * W + 2]!;
      const a0 = day.book[prev * W]!;
      const a1 = day.book[k * W]!;
      if (b0 !== EMPTY_BID && b1 !== EMPTY_BID && day.book[k * W + 3]! > 0 && b1 < b0) gaps[Math.min(MAX_GAP, Math.round((b0 - b1) / tick))]!++;
      if (a0 !== EMPTY_ASK && a1 !== EMPTY_ASK && day.book[k * W + 1]! > 0 && a1 > a0) gaps[Math.min(MAX_GAP, Math.round((a1 - a0) / tick))]!++;
      for (const [side, fell, was] of [
        [0, b0 !== EMPTY_BID && !(b1 >= b0), b0],
        [1, a0 !== EMPTY_ASK && !(a1 <= a0), a0],
      ] as const) {
        if (!fell) continue;
        depletions++;
        pendT[side] = t / 1e9;
        pendPx[side] = was;
      }
    }
    // the book after event k rests until event k + 1
    if (k + 1 < n && twoSidedRow(day, k)) {
      const dt = (day.timeNs[k + 1]! - t) / 1e9;
      if (dt > 0) {
        const qa = day.book[k * W + 1]!;
        const qb = day.book[k * W + 3]!;
        const ba = bucket(qa);
        const bb = bucket(qb);
        time[bb]![ba]! += dt;
        time[ba]![bb]! += dt;
        for (const [q, b] of [
          [qa, ba],
          [qb, bb],
        ] as const) {
          if (b === nb - 1) {
            topSum += (q / unit) * dt;
            topTime += dt;
          }
        }
        const sTicks = Math.round((day.book[k * W]! - day.book[k * W + 2]!) / tick);
        spreadTime[spreadBucket(sTicks)]! += dt;
        spreadSeen.push({ q: sTicks, dt });
        twoSidedSeconds += dt;
      }
    }
  }
  // the base rate follows the day's own trade counts by half hour, so the profile is not read as excitation
  const t0s = mktTimes[0] ?? 0;
  const endS = day.timeNs[n - 1]! / 1e9;
  const nBuckets = Math.max(1, Math.ceil((endS - t0s) / PROFILE_SECONDS));
  const counts = new Array<number>(nBuckets).fill(0);
  for (const x of mktTimes) counts[Math.min(nBuckets - 1, Math.floor((x - t0s) / PROFILE_SECONDS))]!++;
  const meanCount = mean(counts);
  const base = meanCount > 0 ? { profile: counts.map((c) => Math.max(0.01, c / meanCount)), bucketSeconds: PROFILE_SECONDS } : undefined;
  const hawkes = fitHawkes2(mktTimes, t0s, endS, base);
  // The market orders' rates by state are declustered: in the day, the states often reached by a trade are where
  // the next trades come, because trades beget trades, not because of the queue (GOOG: 46 % of the times a best
  // queue comes to 50–99 shares, a trade took part of it; 45 % it is a new best price). Counted as they are, those
  // rates would pay a participant who shows such a queue with the excitation of trades that never happened (a
  // display of 60 shares drew market orders at 4–5 times the rate of one of 100), on top of the simulated Hawkes
  // excitation. So each market order counts with its probability of
  // being an immigrant under the fit (immigrantShares), and a state's rate is its immigrants' rate over
  // 1 − Σ branching: the flow's total where excitation is average, its immigrants' (the simulator's part) exactly.
  const pImmigrant = hawkes ? immigrantShares(mktTimes, t0s, hawkes.mu, hawkes.kernels, base) : null;
  const immigrants = grid(nb);
  const immigrantsBySpread = new Float64Array(ns);
  for (const e of mktStates) {
    const w = pImmigrant ? pImmigrant[e.i]! : 1;
    immigrants[e.own]![e.opp]! += w;
    immigrantsBySpread[e.spread]! += w;
  }
  const keep = 1 - (hawkes?.branching ?? 0);
  const decay = hawkes ? 1 / hawkes.kernels[hawkes.kernels.length - 1]!.beta : 1;
  // a begotten order's side: of consecutive market orders within three decay times, the share on the same side
  let close = 0;
  let sameSide = 0;
  for (let i = 1; i < mktTimes.length; i++) {
    if (mktTimes[i]! - mktTimes[i - 1]! > 3 * decay) continue;
    close++;
    if (mktSides[i] === mktSides[i - 1]) sameSide++;
  }
  const totalJoins = sum2(joins);
  const totalCancels = sum2(cancels);
  const totalMarkets = mktStates.length;
  // both sides were counted in `time`, so a rate per side is events / (pooled seconds)
  const improveRates = Array.from(improves, (c, b) => {
    const all = sumArr(improves) / (2 * twoSidedSeconds);
    return roundTo((c + SHRINK_SECONDS * all) / (2 * spreadTime[b]! + SHRINK_SECONDS), 6);
  });
  // market orders by spread, against their rate over the day: a narrow spread is taken at once (GOOG: 30–50 executions
  // a second while the spread is 1–2 ticks, against 0.3 overall), which the queue states alone do not say
  const marketAll = sumArr(immigrantsBySpread) / (2 * twoSidedSeconds);
  const marketSpreadFactors = Array.from(immigrantsBySpread, (c, b) =>
    marketAll > 0 ? roundTo((c + SHRINK_SECONDS * marketAll) / (2 * spreadTime[b]! + SHRINK_SECONDS) / marketAll, 4) : 1,
  );
  const deep = deepFromGaps(gaps, deepCancelRate);
  const nGaps = sumArr(gaps);
  let gapSum = 0;
  gaps.forEach((c, j) => (gapSum += c * j));
  return {
    deep,
    best: {
      openSpreadTicks: weightedMedian(spreadSeen) || 1,
      queueUnit: unit,
      queueEdges: QUEUE_EDGES,
      joinRates: shrink(joins, time),
      cancelRates: shrink(cancels, time),
      marketRates: shrink(immigrants, time).map((row) => row.map((r) => roundTo(r / keep, 6))),
      topQueueMean: roundTo(topTime > 0 ? topSum / topTime : 2 * QUEUE_EDGES[QUEUE_EDGES.length - 1]!, 4),
      fullCancelShare: roundTo(fullCancels + partialCancels > 0 ? fullCancels / (fullCancels + partialCancels) : 1, 4),
      partialCancelFraction: roundTo(partialCancels > 0 ? partialFraction / partialCancels : 0.5, 4),
      spreadEdges: SPREAD_EDGES,
      improveRates,
      marketSpreadFactors,
      refill: {
        probability: roundTo(depletions > 0 ? refillDelays.length / depletions : 0, 4),
        offsets: Array.from(refillOffsets, (c) => roundTo(c / Math.max(1, refillDelays.length), 5)),
        delaySeconds: Array.from({ length: 21 }, (_, i) => roundTo(quantile(refillDelays, i / 20) || 0, 6)),
      },
      informedImprove: 0,
      improvePlacement: Array.from(placement, (c) => roundTo((c + 1) / (sumArr(placement) + PLACEMENT_BINS), 4)),
      hawkes: {
        kernels: (hawkes?.kernels ?? []).map((k) => ({ branching: roundTo(k.alpha, 4), decaySeconds: roundTo(1 / k.beta, 6) })),
        sameSide: roundTo(close > 0 ? sameSide / close : 0.5, 4),
      },
    },
    limitSize: empiricalSizes(addSizes),
    marketSize: empiricalSizes(mktSizes),
    observed: {
      joins: totalJoins,
      cancels: totalCancels,
      market_orders: totalMarkets,
      market_immigrant_share: roundTo(totalMarkets > 0 ? sumArr(immigrantsBySpread) / totalMarkets : NaN, 4),
      improves: sumArr(improves),
      seconds_two_sided: roundTo(twoSidedSeconds, 3),
      hawkes_branching: roundTo(hawkes?.branching ?? NaN, 4),
      hawkes_decay_s: (hawkes?.kernels ?? []).map((k) => roundTo(1 / k.beta, 6)),
      depletions: nGaps,
      mean_depletion_gap_ticks: roundTo(nGaps > 0 ? gapSum / nGaps : NaN, 4),
    },
  };
}

/** Depletion gaps are counted up to this many ticks. */
const MAX_GAP = 400;
/** A distance behind the best is fitted where at least this many depletions reached it. */
const MIN_AT_RISK = 30;

/**
 * The book behind the best from the depletion gaps: level j behind is occupied with probability p_j, the share of
 * gaps of exactly j among those of j or more (a hazard). Out to the last distance with MIN_AT_RISK gaps; beyond it,
 * out to twice that, the mean of the last five. Each order there is cancelled at θ (`cancelRate`), so λ_j =
 * −θ·ln(1 − p_j) gives occupancy p_j in the steady state.
 */
function deepFromGaps(gaps: Float64Array, cancelRate: number): QueueReactiveDeep {
  const p: number[] = [];
  let atRisk = sumArr(gaps) - gaps[0]!;
  for (let j = 1; j < MAX_GAP && atRisk >= MIN_AT_RISK; j++) {
    p.push(gaps[j]! / atRisk);
    atRisk -= gaps[j]!;
  }
  if (p.length === 0) p.push(0.5);
  const tail = p.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, p.length);
  for (let j = p.length, end = 2 * p.length; j < end; j++) p.push(tail);
  return { limitRates: p.map((x) => roundTo(-cancelRate * Math.log(1 - Math.min(0.99, x)), 6)), cancelRate: roundTo(cancelRate, 6) };
}

/** Sizes as atoms (those with at least 2 % of the orders, at most 8) and a log-normal fitted to the rest. */
export function empiricalSizes(xs: number[]): SizeDist {
  const counts = new Map<number, number>();
  for (const x of xs) if (x > 0) counts.set(x, (counts.get(x) ?? 0) + 1);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const atoms = [...counts]
    .filter(([, c]) => c >= 0.02 * total)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 8)
    .map(([size, c]) => ({ size, p: roundTo(c / total, 4) }));
  const isAtom = new Set(atoms.map((a) => a.size));
  const logs = xs.filter((x) => x > 0 && !isAtom.has(x)).map(Math.log);
  const mu = logs.length > 0 ? mean(logs) : Math.log(quantile(xs, 0.5) || 100);
  const sd = logs.length > 1 ? Math.sqrt(mean(logs.map((l) => (l - mu) ** 2))) : 0;
  return { median: roundTo(Math.exp(mu), 4), sigma: roundTo(sd, 4), lot: 1, ...(atoms.length > 0 ? { atoms } : {}) };
}

function weightedMedian(xs: { q: number; dt: number }[]): number {
  const sorted = xs.filter((x) => x.q > 0).sort((a, b) => a.q - b.q);
  const total = sorted.reduce((a, x) => a + x.dt, 0);
  let c = 0;
  for (const x of sorted) if ((c += x.dt) >= total / 2) return x.q;
  return NaN;
}

function grid(n: number): number[][] {
  return Array.from({ length: n }, () => new Array<number>(n).fill(0));
}

function sumArr(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}

function sum2(g: number[][]): number {
  return g.reduce((a, r) => a + sumArr(r), 0);
}

/**
 * Rates per state, shrunk toward the own-queue rate and that toward the overall rate, so a state seen briefly
 * borrows from its neighbours in proportion to how little it was seen.
 */
function shrink(events: number[][], seconds: number[][]): number[][] {
  const all = sum2(events) / Math.max(1e-9, sum2(seconds));
  return events.map((row, i) => {
    const own = (sumArr(row) + SHRINK_SECONDS * all) / (sumArr(seconds[i]!) + SHRINK_SECONDS);
    return row.map((c, j) => roundTo((c + SHRINK_SECONDS * own) / (seconds[i]![j]! + SHRINK_SECONDS), 6));
  });
}
