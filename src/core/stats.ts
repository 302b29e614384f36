/** Small statistics shared by calibration, realism reports, experiments and benchmarks. */

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length > 0 ? s / xs.length : NaN;
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The value below which a share p of the sample lies (the order statistic at ⌊p·n⌋), NaN if empty. */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

export function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Least squares of y on x, weighted by the optional third element (1 if absent); r2 is the weighted R². */
export function ols(pts: readonly (readonly [number, number, number?])[]): { slope: number; intercept: number; r2: number } {
  if (pts.length < 2) return { slope: NaN, intercept: NaN, r2: NaN };
  let sw = 0;
  let mx = 0;
  let my = 0;
  for (const [x, y, w = 1] of pts) {
    sw += w;
    mx += w * x;
    my += w * y;
  }
  mx /= sw;
  my /= sw;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y, w = 1] of pts) {
    sxy += w * (x - mx) * (y - my);
    sxx += w * (x - mx) ** 2;
    syy += w * (y - my) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 1 };
}
