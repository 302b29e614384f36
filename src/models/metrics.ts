/** Scores of probabilistic forecasts p of binary outcomes y (0/1). */

export function brier(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / p.length;
}

/** Mean negative log-likelihood, probabilities clipped to [1e-7, 1 − 1e-7]. */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]!));
    s -= y[i]! ? Math.log(q) : Math.log(1 - q);
  }
  return s / p.length;
}

/** Area under the ROC curve: the probability that a random positive scores above a random negative (ties half). */
export function auc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]!] === p[idx[i]!]) j++;
    const mid = (i + j) / 2 + 1; // average rank of the tie group, from 1
    for (let k = i; k <= j; k++)
      if (y[idx[k]!]) {
        rankSum += mid;
        pos++;
      }
    i = j + 1;
  }
  const neg = p.length - pos;
  return pos > 0 && neg > 0 ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

/** Expected calibration error: |mean forecast − outcome rate| over equal-width bins, weighted by bin size. */
export function calibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  const n = new Float64Array(bins);
  const sp = new Float64Array(bins);
  const sy = new Float64Array(bins);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.floor(p[i]! * bins));
    n[b]!++;
    sp[b]! += p[i]!;
    sy[b]! += y[i]!;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (n[b]! > 0) e += Math.abs(sp[b]! - sy[b]!);
  return e / p.length;
}

export function scores(p: ArrayLike<number>, y: ArrayLike<number>) {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return { brier: r(brier(p, y)), log_loss: r(logLoss(p, y)), auc: r(auc(p, y)), calibration_error: r(calibrationError(p, y)), n: p.length };
}
