import { Hash64 } from '../core/hash.js';
/**
 * Dark-pool allocation learned from censored fills, after K. Ganchev, Y. Nevmyvaka, M. Kearns and J. W. Vaughan,
 * "Censored exploration and the dark pool problem" (Communications of the ACM 53(5), 2010; UAI 2009). A router
 * sees only its own fills: when it sends v shares to a pool and f < v fill, the pool had exactly f to give; when
 * all v fill, it had at least v (a censored observation). Per pool, the Kaplan–Meier estimator turns these into
 * the tail T(s) = P(liquidity ≥ s); the allocation is greedy: each next lot goes to the pool whose estimated chance
 * of filling it, T(allocated + lot), is highest, while that chance is worth the lot. Pools never tried are
 * optimistic (T = 1), which is the exploration the paper's algorithm relies on.
 */
export class CensoredLiquidity {
  /** Per bin of `lot` shares: exact observations ending in it, and censored ones at it. */
  private readonly exact: Float64Array;
  private readonly censored: Float64Array;
  private readonly tail: Float64Array;
  private dirty = true;
  /**
   * The weight of the newest observation. Forgetting is done by weighting each new observation 1/decay more than
   * the one before, not by shrinking every bin: an observation costs O(1), and Kaplan–Meier's ratios are the same.
   */
  private weight = 1;
  observations = 0;

  constructor(
    readonly lot: number,
    readonly bins: number,
    /** Forgetting per observation (1 = none): old evidence fades, so the estimate follows a changing pool. */
    readonly decay = 0.995,
    /**
     * Optimism: this many pseudo-observations censored at the largest size, which never fade. A pool that once
     * gave nothing is not written off (T stays above prior / (observations + prior)): the exploration that the
     * paper's algorithm needs, and a pool that comes back is found again.
     */
    readonly prior = 1,
  ) {
    this.exact = new Float64Array(bins + 1);
    this.censored = new Float64Array(bins + 1);
    this.tail = new Float64Array(bins + 2);
  }

  /** One ping: `sent` shares offered, `filled` of them filled. */
  observe(sent: number, filled: number): void {
    if (!(sent > 0)) return;
    if (this.observations > 0) this.weight /= this.decay;
    if (this.weight > 1e200) {
      // bring the weights back to scale (rarely: after ~90,000 observations at decay 0.995)
      for (let i = 0; i <= this.bins; i++) {
        this.exact[i]! /= this.weight;
        this.censored[i]! /= this.weight;
      }
      this.weight = 1;
    }
    const b = (x: number) => Math.min(this.bins, Math.floor(x / this.lot));
    if (filled >= sent) this.censored[b(sent)]! += this.weight;
    else this.exact[b(filled)]! += this.weight;
    this.observations++;
    this.dirty = true;
  }

  /**
   * Kaplan–Meier: T(k) = Π_{j < k} (1 − d_j / n_j), with d_j the exact observations in bin j and n_j the
   * observations still "at risk" there (those ending in bin j or later, censored ones included up to their bin).
   */
  private refresh(): void {
    let atRisk = this.prior * this.weight; // the prior never fades: it keeps the newest observation's weight
    for (let i = 0; i <= this.bins; i++) atRisk += this.exact[i]! + this.censored[i]!;
    let t = 1;
    this.tail[0] = 1;
    for (let j = 0; j <= this.bins; j++) {
      const d = this.exact[j]!;
      if (atRisk > 1e-12) t *= 1 - d / atRisk;
      this.tail[j + 1] = t;
      // a censored observation at bin j had at least j lots: it leaves the risk set after bin j
      atRisk -= d + this.censored[j]!;
    }
    this.dirty = false;
  }

  /**
   * A pool's estimate learnt elsewhere (offline, across many orders) as the starting point of this one: its tail
   * becomes `strength` pseudo-observations (exact ones in each bin by the tail's drops, the rest censored at the
   * largest size), which fade like any other as this estimate learns.
   */
  static fromTail(tail: readonly number[], lot: number, strength: number, decay = 0.995, prior = 1): CensoredLiquidity {
    const bins = tail.length - 2;
    const c = new CensoredLiquidity(lot, bins, decay, prior);
    for (let j = 0; j <= bins; j++) c.exact[j] = strength * Math.max(0, tail[j]! - tail[j + 1]!);
    c.censored[bins] = strength * tail[bins + 1]!;
    c.observations = Math.max(1, Math.round(strength));
    c.dirty = true;
    return c;
  }

  /** The estimated tail T(k lots) for k = 0 … bins + 1 (what fromTail takes back). */
  tailArray(): number[] {
    if (this.dirty) this.refresh();
    return Array.from(this.tail);
  }

  /** The expected fill of a ping of `s` shares: E[min(liquidity, s)] = Σ_k lot · T(k lots), k = 1 … s / lot. */
  expectedFill(s: number): number {
    let e = 0;
    for (let k = 1; k * this.lot <= s; k++) e += this.lot * this.tailAt(k * this.lot);
    return e;
  }

  /** P(liquidity ≥ s shares), estimated; 1 before any observation. */
  tailAt(s: number): number {
    if (this.observations === 0) return 1;
    if (this.dirty) this.refresh();
    const k = Math.ceil(s / this.lot);
    return this.tail[Math.min(this.bins + 1, Math.max(0, k))]!;
  }
}

export interface DarkAllocation {
  pool: number;
  qty: number;
}

/**
 * Greedy allocation of up to `total` shares over pools in lots: the next lot goes where T(allocated + lot) × value
 * is highest; allocation stops when no lot is worth sending (estimated fill chance × value per share below
 * `minValue`). `value[i]` is what a share filled in pool i is worth against trading it on the lit books (bps:
 * spread and impact saved, less the pool's fee and adverse selection); a pool worth nothing gets nothing.
 */
export function allocateDark(est: readonly CensoredLiquidity[], total: number, lot: number, value: readonly number[], minValue: number): DarkAllocation[] {
  const alloc = est.map(() => 0);
  let left = total;
  while (left >= lot) {
    let best = -1;
    let bestScore = minValue;
    for (let i = 0; i < est.length; i++) {
      if (!(value[i]! > 0)) continue;
      const score = est[i]!.tailAt(alloc[i]! + lot) * value[i]!;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) break;
    alloc[best]! += lot;
    left -= lot;
  }
  return alloc.map((qty, pool) => ({ pool, qty })).filter((a) => a.qty > 0);
}

/** One dark ping as a pool model learns from it. */
export interface PingObservation {
  venue: string;
  sent: number;
  filled: number;
}

/**
 * The dark pools' liquidity learnt offline, across many orders' pings (no forgetting): per pool, the Kaplan–Meier
 * tail a router starts each order from (CensoredLiquidity.fromTail), instead of knowing nothing.
 */
export interface DarkPoolModelArtifact {
  kind: 'dark-liquidity';
  format: 1;
  lot: number;
  bins: number;
  pools: Record<string, { tail: number[]; observations: number }>;
  schema: { version: number; hash: string };
  training: { data_hash: string; rows: number };
}

export function fitDarkPools(pings: readonly PingObservation[], lot = 50, bins = 200): DarkPoolModelArtifact {
  const est = new Map<string, CensoredLiquidity>();
  const h = new Hash64();
  for (const p of pings) {
    let e = est.get(p.venue);
    if (!e) est.set(p.venue, (e = new CensoredLiquidity(lot, bins, 1, 0)));
    e.observe(p.sent, p.filled);
    for (let i = 0; i < p.venue.length; i++) h.word(p.venue.charCodeAt(i));
    h.num(p.sent);
    h.num(p.filled);
  }
  return {
    kind: 'dark-liquidity',
    format: 1,
    lot,
    bins,
    pools: Object.fromEntries([...est].sort(([a], [b]) => (a < b ? -1 : 1)).map(([v, e]) => [v, { tail: e.tailArray(), observations: e.observations }])),
    schema: { version: 1, hash: 'dark-pings-v1' },
    training: { data_hash: h.hex(), rows: pings.length },
  };
}

/**
 * Held-out pings: the expected fill the pool model predicts for each (E[min(liquidity, sent)]) against what
 * filled, beside the baseline a router without the censoring model would use, each pool's mean fill rate on the
 * training pings times the size sent. Mean squared error per ping, and the ratio of predicted to filled shares.
 */
export function evaluateDarkPools(art: DarkPoolModelArtifact, train: readonly PingObservation[], test: readonly PingObservation[]) {
  const est = new Map(Object.entries(art.pools).map(([v, p]) => [v, CensoredLiquidity.fromTail(p.tail, art.lot, p.observations, 1, 0)]));
  const rate = new Map<string, { s: number; f: number }>();
  for (const p of train) {
    const r = rate.get(p.venue) ?? { s: 0, f: 0 };
    r.s += p.sent;
    r.f += p.filled;
    rate.set(p.venue, r);
  }
  let seM = 0;
  let seB = 0;
  let predM = 0;
  let predB = 0;
  let filled = 0;
  for (const p of test) {
    const m = est.get(p.venue)?.expectedFill(p.sent) ?? 0;
    const r = rate.get(p.venue);
    const b = r && r.s > 0 ? (p.sent * r.f) / r.s : 0;
    seM += (m - p.filled) ** 2;
    seB += (b - p.filled) ** 2;
    predM += m;
    predB += b;
    filled += p.filled;
  }
  const n = Math.max(1, test.length);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    mse: { model: round(seM / n), fill_rate: round(seB / n) },
    improvement_vs_fill_rate: round(1 - seM / seB),
    predicted_over_filled: { model: round(predM / filled), fill_rate: round(predB / filled) },
    pools: Object.fromEntries(
      Object.entries(art.pools).map(([v, p]) => [v, { observations: p.observations, p_fill_one_lot: round(p.tail[1]!), p_fill_ten_lots: round(p.tail[10]!) }]),
    ),
    n: test.length,
  };
}
