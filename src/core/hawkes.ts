/**
 * A self-exciting (Hawkes) point process with an exponential kernel: intensity λ(t) = μ + Σ_{tᵢ<t} α·β·e^{−β(t−tᵢ)},
 * so that each event begets α more on average (α, the branching ratio, < 1 for a stationary process), after a mean
 * delay of 1/β. Fitted by maximum likelihood, the log-likelihood over [t₀, T] being
 *   Σᵢ log λ(tᵢ) − μ(T − t₀) − α Σᵢ (1 − e^{−β(T − tᵢ)}),
 * computed in one pass with Ozaki's recursion Aᵢ = e^{−β(tᵢ − tᵢ₋₁)}(1 + Aᵢ₋₁), λ(tᵢ) = μ + αβAᵢ, and maximised by
 * Nelder–Mead over (log μ, logit α, log β) from several starts. Times in seconds.
 */
export interface HawkesFit {
  mu: number;
  alpha: number;
  beta: number;
  /** The branching ratio (= alpha): the share of events triggered by earlier ones. */
  branching: number;
  logLikelihood: number;
  events: number;
}

/** The exponential-kernel Hawkes log-likelihood of sorted event times on [t0, end]. */
export function hawkesLogLikelihood(times: ArrayLike<number>, t0: number, end: number, mu: number, alpha: number, beta: number): number {
  if (!(mu > 0 && alpha >= 0 && beta > 0)) return -Infinity;
  let ll = 0;
  let a = 0;
  let compensator = 0;
  let prev = NaN;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    a = prev === prev ? Math.exp(-beta * (t - prev)) * (1 + a) : 0;
    ll += Math.log(mu + alpha * beta * a);
    compensator += 1 - Math.exp(-beta * (end - t));
    prev = t;
  }
  return ll - mu * (end - t0) - alpha * compensator;
}

/** Nelder–Mead minimisation of f from x0 with initial steps `step`. */
function nelderMead(f: (x: number[]) => number, x0: number[], step: number, iterations = 600): { x: number[]; fx: number } {
  const n = x0.length;
  const pts = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))].map((x) => ({ x, fx: f(x) }));
  for (let it = 0; it < iterations; it++) {
    pts.sort((p, q) => p.fx - q.fx);
    const best = pts[0]!;
    const worst = pts[n]!;
    if (Math.abs(worst.fx - best.fx) < 1e-9 * (1 + Math.abs(best.fx))) break;
    const c = Array.from({ length: n }, (_, j) => pts.slice(0, n).reduce((s, p) => s + p.x[j]!, 0) / n);
    const at = (k: number) => c.map((v, j) => v + k * (worst.x[j]! - v));
    const r = { x: at(-1), fx: 0 };
    r.fx = f(r.x);
    if (r.fx < best.fx) {
      const e = { x: at(-2), fx: 0 };
      e.fx = f(e.x);
      pts[n] = e.fx < r.fx ? e : r;
    } else if (r.fx < pts[n - 1]!.fx) pts[n] = r;
    else {
      const k = { x: at(r.fx < worst.fx ? -0.5 : 0.5), fx: 0 };
      k.fx = f(k.x);
      if (k.fx < Math.min(r.fx, worst.fx)) pts[n] = k;
      else
        for (let i = 1; i <= n; i++) {
          // shrink towards the best
          const x = pts[i]!.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!));
          pts[i] = { x, fx: f(x) };
        }
    }
  }
  pts.sort((p, q) => p.fx - q.fx);
  return pts[0]!;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The maximum-likelihood fit to sorted event times (seconds) observed on [t0, end]; null with fewer than 20 events.
 * The branching ratio is kept below 0.999 (a stationary process).
 */
export function fitHawkes(times: ArrayLike<number>, t0: number, end: number): HawkesFit | null {
  const n = times.length;
  if (n < 20 || !(end > t0)) return null;
  const rate = n / (end - t0);
  const param = (x: number[]) => ({ mu: Math.exp(x[0]!), alpha: 0.999 * sigmoid(x[1]!), beta: Math.exp(x[2]!) });
  const nll = (x: number[]) => {
    const p = param(x);
    const ll = hawkesLogLikelihood(times, t0, end, p.mu, p.alpha, p.beta);
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  let best: { x: number[]; fx: number } | null = null;
  // starts: little and much excitation, slow and fast decay (relative to the mean gap)
  for (const a of [0.2, 0.7])
    for (const bScale of [0.1, 10]) {
      const x0 = [Math.log(rate * (1 - a)), Math.log(a / (0.999 - a)), Math.log(rate * bScale)];
      const r = nelderMead(nll, x0, 0.5);
      if (!best || r.fx < best.fx) best = r;
    }
  const p = param(best!.x);
  return { ...p, branching: p.alpha, logLikelihood: -best!.fx, events: n };
}

/** One exponential kernel of a multi-kernel Hawkes process: it begets `alpha` events per event after a mean 1/beta. */
export interface HawkesKernel {
  alpha: number;
  beta: number;
}

/** A base rate that varies by time of day: μ × profile[b] in bucket b of `bucketSeconds` from t0 (the last bucket runs on). */
export interface BaseProfile {
  profile: number[];
  bucketSeconds: number;
}

/**
 * The log-likelihood with a sum of exponential kernels, λ(t) = μ·m(t) + Σ_k Σ_{tᵢ<t} α_k·β_k·e^{−β_k(t−tᵢ)}, m(t) the
 * base profile (1 without one): Ozaki's recursion per kernel, the base's compensator summed bucket by bucket.
 */
export function hawkesMultiLogLikelihood(times: ArrayLike<number>, t0: number, end: number, mu: number, kernels: HawkesKernel[], base?: BaseProfile): number {
  if (!(mu > 0) || kernels.some((k) => !(k.alpha >= 0 && k.beta > 0))) return -Infinity;
  let ll = 0;
  let compensator = 0;
  eachIntensity(times, t0, mu, kernels, base, (i, _immigrant, lam) => {
    const t = times[i]!;
    for (const { alpha, beta } of kernels) compensator += alpha * (1 - Math.exp(-beta * (end - t)));
    ll += Math.log(lam);
  });
  let baseInt = end - t0;
  if (base) {
    baseInt = 0;
    for (let b = 0; ; b++) {
      const from = t0 + b * base.bucketSeconds;
      if (from >= end) break;
      const to = b === base.profile.length - 1 ? end : Math.min(end, from + base.bucketSeconds);
      baseInt += base.profile[Math.min(b, base.profile.length - 1)]! * (to - from);
      if (to >= end) break;
    }
  }
  return ll - mu * baseInt - compensator;
}

/**
 * Stochastic declustering (Zhuang, Ogata and Vere-Jones 2002): for each event, the probability that it is an
 * immigrant (begotten by the base rate, not by an earlier event) under a fitted process, μ·m(tᵢ) / λ(tᵢ), with the same
 * intensity as hawkesMultiLogLikelihood.
 */
export function immigrantShares(times: ArrayLike<number>, t0: number, mu: number, kernels: readonly HawkesKernel[], base?: BaseProfile): Float64Array {
  const out = new Float64Array(times.length);
  eachIntensity(times, t0, mu, kernels, base, (i, immigrant, lam) => (out[i] = lam > 0 ? immigrant / lam : 1));
  return out;
}

/**
 * The intensity at each event, λ(tᵢ) = μ·m(tᵢ) + Σ_k α_k·β_k·Σ_{j<i} e^{−β_k(tᵢ−tⱼ)}, by Ozaki's recursion per kernel:
 * `at(i, μ·m(tᵢ), λ(tᵢ))`, event by event.
 */
function eachIntensity(
  times: ArrayLike<number>,
  t0: number,
  mu: number,
  kernels: readonly HawkesKernel[],
  base: BaseProfile | undefined,
  at: (i: number, immigrant: number, lam: number) => void,
): void {
  const K = kernels.length;
  const a = new Float64Array(K);
  const m = (t: number) => (base ? base.profile[Math.min(base.profile.length - 1, Math.max(0, Math.floor((t - t0) / base.bucketSeconds)))]! : 1);
  let prev = NaN;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    const immigrant = mu * m(t);
    let lam = immigrant;
    for (let k = 0; k < K; k++) {
      const { alpha, beta } = kernels[k]!;
      a[k] = prev === prev ? Math.exp(-beta * (t - prev)) * (1 + a[k]!) : 0;
      lam += alpha * beta * a[k]!;
    }
    at(i, immigrant, lam);
    prev = t;
  }
}

export interface HawkesMultiFit {
  mu: number;
  /** Fastest first. */
  kernels: HawkesKernel[];
  /** Σ α_k: the share of events begotten by earlier ones. */
  branching: number;
  logLikelihood: number;
  events: number;
}

/**
 * Maximum-likelihood fit of a two-kernel Hawkes process (a fast and a slow exponential: trades cluster over
 * milliseconds and over seconds, which one exponential cannot both hold), the base rate following `base` when given
 * (so that the day's profile is not read as excitation). Starts from the one-kernel fit as the fast kernel with a
 * slow one added. Null with fewer than 20 events.
 */
export function fitHawkes2(times: ArrayLike<number>, t0: number, end: number, base?: BaseProfile): HawkesMultiFit | null {
  const one = fitHawkes(times, t0, end);
  if (!one) return null;
  const n = times.length;
  const rate = n / (end - t0);
  // x = (log μ, logit of the total branching, logit of the fast kernel's part of it, log β fast, log β slow)
  const param = (x: number[]) => {
    const total = 0.999 * sigmoid(x[1]!);
    const fast = sigmoid(x[2]!);
    return {
      mu: Math.exp(x[0]!),
      kernels: [
        { alpha: total * fast, beta: Math.exp(x[3]!) },
        { alpha: total * (1 - fast), beta: Math.exp(x[4]!) },
      ],
    };
  };
  const nll = (x: number[]) => {
    const p = param(x);
    const ll = hawkesMultiLogLikelihood(times, t0, end, p.mu, p.kernels, base);
    return Number.isFinite(ll) ? -ll : 1e300;
  };
  const logit = (p: number) => Math.log(p / (1 - p));
  let best: { x: number[]; fx: number } | null = null;
  for (const slowAlpha of [0.1, 0.3])
    for (const slowDecay of [0.3, 3]) {
      const total = Math.min(0.95, one.alpha + slowAlpha);
      const x0 = [Math.log(rate * (1 - total)), logit(total / 0.999), logit(one.alpha / total), Math.log(one.beta), Math.log(1 / slowDecay)];
      const r = nelderMead(nll, x0, 0.5, 1500);
      if (!best || r.fx < best.fx) best = r;
    }
  const p = param(best!.x);
  const kernels = [...p.kernels].sort((a, b) => b.beta - a.beta);
  return { mu: p.mu, kernels, branching: kernels[0]!.alpha + kernels[1]!.alpha, logLikelihood: -best!.fx, events: n };
}
