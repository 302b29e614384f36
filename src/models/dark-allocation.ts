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
