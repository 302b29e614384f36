import { describe, expect, it } from 'vitest';
import { fitHawkes, fitHawkes2, hawkesLogLikelihood, hawkesMultiLogLikelihood, immigrantShares, type HawkesKernel } from '../../src/core/hawkes.js';
import { Rng } from '../../src/core/rng.js';

/** A Hawkes process with an exponential kernel simulated by Ogata's thinning, on [0, T]. */
function simulate(mu: number, alpha: number, beta: number, T: number, rng: Rng): number[] {
  const out: number[] = [];
  let t = 0;
  let excite = 0; // Σ αβ e^{−β(t − tᵢ)} at t
  while (true) {
    const bound = mu + excite;
    const dt = rng.exponential(bound);
    t += dt;
    if (t > T) return out;
    excite *= Math.exp(-beta * dt);
    if (rng.float() * bound <= mu + excite) {
      out.push(t);
      excite += alpha * beta;
    }
  }
}

/** A two-kernel Hawkes process whose base rate is μ × profile[b] in buckets of `bucket` seconds, by thinning. */
function simulate2(mu: number, ks: HawkesKernel[], profile: number[], bucket: number, T: number, rng: Rng): number[] {
  const out: number[] = [];
  const ex = ks.map(() => 0);
  const peak = mu * Math.max(...profile);
  const base = (t: number) => mu * profile[Math.min(profile.length - 1, Math.floor(t / bucket))]!;
  let t = 0;
  while (true) {
    const bound = peak + ex.reduce((a, b) => a + b, 0);
    const dt = rng.exponential(bound);
    t += dt;
    if (t > T) return out;
    ks.forEach((k, i) => (ex[i]! *= Math.exp(-k.beta * dt)));
    if (rng.float() * bound <= base(t) + ex.reduce((a, b) => a + b, 0)) {
      out.push(t);
      ks.forEach((k, i) => (ex[i]! += k.alpha * k.beta));
    }
  }
}

/** The cluster representation: immigrants at rate μ, each event begetting Poisson(α_k) children after Exp(β_k) delays; labelled. */
function simulateClusters(mu: number, ks: HawkesKernel[], T: number, rng: Rng): { t: number; immigrant: boolean }[] {
  const out: { t: number; immigrant: boolean }[] = [];
  const queue: number[] = [];
  for (let t = rng.exponential(mu); t < T; t += rng.exponential(mu)) {
    out.push({ t, immigrant: true });
    queue.push(t);
  }
  const poisson = (m: number) => {
    let k = 0;
    for (let p = Math.exp(-m), u = rng.float(), c = p; u > c; c += p) p *= m / ++k;
    return k;
  };
  while (queue.length > 0) {
    const parent = queue.pop()!;
    for (const { alpha, beta } of ks)
      for (let n = poisson(alpha); n > 0; n--) {
        const t = parent + rng.exponential(beta);
        if (t >= T) continue;
        out.push({ t, immigrant: false });
        queue.push(t);
      }
  }
  return out.sort((a, b) => a.t - b.t);
}

describe('Hawkes declustering', () => {
  it("gives each event its probability of being an immigrant: they average the immigrants' share, and agree with who was", () => {
    const ks = [
      { alpha: 0.35, beta: 50 },
      { alpha: 0.2, beta: 0.5 },
    ];
    const ev = simulateClusters(0.2, ks, 20_000, Rng.stream(5, 'hawkes:clusters'));
    const p = immigrantShares(
      ev.map((e) => e.t),
      0,
      0.2,
      ks,
    );
    const truth = ev.filter((e) => e.immigrant).length / ev.length; // ≈ 1 − 0.55
    const mean = p.reduce((a, b) => a + b, 0) / p.length;
    expect(Math.abs(truth - 0.45)).toBeLessThan(0.03);
    expect(Math.abs(mean - truth)).toBeLessThan(0.02);
    // calibrated: in each fifth of the probabilities, the share of real immigrants is near the mean probability there
    let checked = 0;
    for (let b = 0; b < 5; b++) {
      const idx = [...p.keys()].filter((i) => p[i]! >= b / 5 && p[i]! < (b + 1) / 5);
      if (idx.length < 200) continue;
      const said = idx.reduce((a, i) => a + p[i]!, 0) / idx.length;
      const were = idx.filter((i) => ev[i]!.immigrant).length / idx.length;
      expect(Math.abs(said - were)).toBeLessThan(0.05);
      checked++;
    }
    // the probabilities spread over most of [0, 1]: a calibration check on one fifth alone would say little
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});

describe('Hawkes process (exponential kernel), maximum likelihood', () => {
  it('two kernels and a base profile: recovers a millisecond kernel and a seconds one, and reads the profile as no excitation', () => {
    // like trades: bursts within milliseconds (α 0.35, 2 ms) and follow-ups over seconds (α 0.2, 5 s), a busier first hour
    const ks = [
      { alpha: 0.35, beta: 500 },
      { alpha: 0.2, beta: 0.2 },
    ];
    const profile = [2, 1, 1, 1.5];
    const T = 4 * 3600;
    const times = simulate2(0.1, ks, profile, 3600, T, Rng.stream(11, 'hawkes2'));
    const base = { profile, bucketSeconds: 3600 };
    const fit = fitHawkes2(times, 0, T, base)!;
    expect(fit.events).toBe(times.length);
    expect(Math.abs(fit.branching - 0.55)).toBeLessThan(0.06);
    expect(Math.abs(fit.kernels[0]!.alpha - 0.35)).toBeLessThan(0.06);
    expect(1 / fit.kernels[0]!.beta).toBeGreaterThan(0.001);
    expect(1 / fit.kernels[0]!.beta).toBeLessThan(0.004);
    expect(1 / fit.kernels[1]!.beta).toBeGreaterThan(2);
    expect(1 / fit.kernels[1]!.beta).toBeLessThan(12);
    expect(fit.mu / 0.1).toBeGreaterThan(0.8);
    expect(fit.mu / 0.1).toBeLessThan(1.25);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(hawkesMultiLogLikelihood(times, 0, T, 0.1, ks, base) - 1e-6);
  });

  it('the likelihood of a Poisson process (α = 0) is n log μ − μT', () => {
    const times = [1, 2.5, 4, 7];
    expect(hawkesLogLikelihood(times, 0, 10, 0.4, 0, 1)).toBeCloseTo(4 * Math.log(0.4) - 4, 10);
  });

  for (const [mu, alpha, beta] of [
    [0.5, 0.6, 2],
    [1, 0.3, 10],
    [0.2, 0.85, 0.5],
  ] as const) {
    it(`recovers μ ${mu}, α ${alpha}, β ${beta} from a simulated path`, () => {
      const T = 40_000 / (mu / (1 - alpha));
      const times = simulate(mu, alpha, beta, T, Rng.stream(7, `hawkes:${alpha}`));
      const fit = fitHawkes(times, 0, T)!;
      expect(fit.events).toBe(times.length);
      expect(Math.abs(fit.branching - alpha)).toBeLessThan(0.05);
      expect(fit.beta / beta).toBeGreaterThan(0.8);
      expect(fit.beta / beta).toBeLessThan(1.25);
      expect(fit.mu / mu).toBeGreaterThan(0.8);
      expect(fit.mu / mu).toBeLessThan(1.25);
      // the fit is at least as likely as the truth
      expect(fit.logLikelihood).toBeGreaterThanOrEqual(hawkesLogLikelihood(times, 0, T, mu, alpha, beta) - 1e-6);
    });
  }

  it('finds no excitation in a Poisson process', () => {
    const rng = Rng.stream(3, 'poisson');
    const times: number[] = [];
    for (let t = rng.exponential(2); t < 10_000; t += rng.exponential(2)) times.push(t);
    const fit = fitHawkes(times, 0, 10_000)!;
    // (α near 0 leaves β unidentified: what remains is noise, small; and no worse than the Poisson fit itself)
    expect(fit.branching).toBeLessThan(0.1);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(hawkesLogLikelihood(times, 0, 10_000, times.length / 10_000, 0, 1) - 1e-6);
  });
});
