import { describe, expect, it } from 'vitest';
import { F } from '../../src/features/engine.js';
import { tfReady } from '../../src/models/tf.js';
import { Rng } from '../../src/core/rng.js';
import { evaluateVol, EWMA_HALF_LIVES_S, fitGarch, qlike, qlikeScale, trainVolModel, VolForward } from '../../src/models/volatility.js';
import { volExamples } from '../../src/backtest/datasets.js';
import { transformInto } from '../../src/models/fill-model.js';
import { N_FEATURES } from '../../src/features/engine.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';

const scenario = loadScenarioFile('scenarios/default.json');
const mk = (seeds: number[]) =>
  volExamples(scenario, { seeds, startMinute: 30, minutes: 150, everyNs: 30e9, horizonNs: 300e9, adv: 706_146, longRunVolBps: 4.85 });

describe('volatility', () => {
  it('fits GARCH(1,1) by quasi-likelihood: recovers the parameters of a simulated series', () => {
    const rng = new Rng(3);
    const series: number[][] = [];
    for (let k = 0; k < 20; k++) {
      const r: number[] = [];
      let h = 1e-6;
      for (let i = 0; i < 1000; i++) {
        const x = Math.sqrt(h) * rng.normal();
        r.push(x);
        h = 1e-6 * (1 - 0.1 - 0.8) + 0.1 * x * x + 0.8 * h;
      }
      series.push(r);
    }
    const g = fitGarch(series);
    expect(Math.abs(g.alpha - 0.1)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(g.beta - 0.8)).toBeLessThanOrEqual(0.05);
    expect(g.longRunBps).toBeCloseTo(10, 0); // √1e-6 = 10 bps
  });

  it('QLIKE is 0 for a perfect forecast and penalises under-forecasts more than over-forecasts', () => {
    expect(qlike([2, 3], [2, 3])).toBe(0);
    const under = qlike([0.5], [1]);
    const over = qlike([2], [1]);
    expect(under).toBeCloseTo(2 - Math.log(2) - 1, 12);
    expect(over).toBeCloseTo(0.5 + Math.log(2) - 1, 12);
    expect(under).toBeGreaterThan(over);
  });

  const train = mk([1, 2, 3, 4]);
  const valid = mk([5]);
  const test = mk([70, 71]);

  it('examples: features, the next 5 minutes’ realised variance, and both baselines, from the seeds alone', () => {
    expect(mk([70, 71])).toEqual(test);
    expect(test.length).toBeGreaterThan(500);
    for (const e of test) {
      expect(e.rv).toBeGreaterThan(0);
      expect(e.y).toBeCloseTo(Math.log(e.rv), 12);
      expect(e.ewma).toBeGreaterThan(0);
      expect(e.garch).toBeCloseTo((e.x[F.garch_bps]! * 1e-4) ** 2 * 5, 15);
      // the EWMAs by half-life; the 5-minute one is the dataset's column
      expect(e.ewmas).toHaveLength(EWMA_HALF_LIVES_S.length);
      expect(e.ewmas![EWMA_HALF_LIVES_S.indexOf(300)]).toBeCloseTo(e.ewma, 12);
    }
  });

  it('the EWMA baseline takes the half-life with the best validation QLIKE, and reports the 5-minute one beside it', async () => {
    const art = await trainVolModel(train, valid, { epochs: 2, horizonNs: 300e9 });
    const m = evaluateVol(art, test, valid);
    const onValid = EWMA_HALF_LIVES_S.map((_, k) => {
      const f = valid.map((e) => e.ewmas![k]!);
      const c = qlikeScale(
        f,
        valid.map((e) => e.rv),
      );
      return qlike(
        f.map((v) => c * v),
        valid.map((e) => e.rv),
      );
    });
    const best = onValid.indexOf(Math.min(...onValid));
    expect(m.ewma_half_life_s).toBe(EWMA_HALF_LIVES_S[best]);
    const k = EWMA_HALF_LIVES_S.indexOf(300);
    const c5 = qlikeScale(
      valid.map((e) => e.ewma),
      valid.map((e) => e.rv),
    );
    expect(m.qlike.ewma_5m).toBeCloseTo(
      qlike(
        test.map((e) => c5 * e.ewmas![k]!),
        test.map((e) => e.rv),
      ),
      5,
    );
  });

  it('baselines get the QLIKE-optimal scale on validation, as the model does; its forward pass matches tfjs', async () => {
    const art = await trainVolModel(train, valid, { epochs: 8, horizonNs: 300e9 });
    const m = evaluateVol(art, test, valid);
    const rv = valid.map((e) => e.rv);
    const k = EWMA_HALF_LIVES_S.indexOf(m.ewma_half_life_s as (typeof EWMA_HALF_LIVES_S)[number]);
    for (const [c, f] of [
      [m.baseline_scales.ewma, (e: (typeof valid)[number]) => e.ewmas![k]!],
      [m.baseline_scales.garch, (e: (typeof valid)[number]) => e.garch],
    ] as const) {
      const at = (k: number) =>
        qlike(
          valid.map((e) => k * f(e)),
          rv,
        );
      expect(at(c)).toBeLessThan(at(c * 1.05));
      expect(at(c)).toBeLessThan(at(c / 1.05));
    }
    const fwd0 = new VolForward(art);
    const at = (k: number) =>
      qlike(
        valid.map((e) => k * Math.exp(fwd0.raw(e.x))),
        rv,
      );
    expect(at(art.scale)).toBeLessThan(at(art.scale * 1.05));
    expect(at(art.scale)).toBeLessThan(at(art.scale / 1.05));
    const tf = await tfReady();
    const xs = test.slice(0, 200);
    const X = new Float32Array(xs.length * N_FEATURES);
    xs.forEach((e, i) => transformInto(art.transform, e.x, X, i * N_FEATURES));
    const h = tf.tensor2d(X, [xs.length, N_FEATURES]).matMul(tf.tensor2d(art.layers[0]!.w)).add(tf.tensor1d(art.layers[0]!.b)).tanh();
    const out = h.matMul(tf.tensor2d(art.layers[1]!.w)).add(tf.tensor1d(art.layers[1]!.b)).dataSync();
    const fwd = new VolForward(art);
    let worst = 0;
    xs.forEach((e, i) => (worst = Math.max(worst, Math.abs(fwd.raw(e.x) - out[i]!))));
    expect(worst).toBeLessThan(1e-5);
  });

  it('trained by QLIKE, it forecasts a variance that depends on the features, where a constant cannot', async () => {
    // realised variance exponential around exp(1.5·rv_5m): a baseline that ignores the features is the constant mean
    const make = (n: number, seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: n }, (_, i) => {
        const x = new Float64Array(N_FEATURES);
        for (let j = 0; j < N_FEATURES; j++) x[j] = rng.normal();
        x[F.side_sign] = 1;
        const rv = Math.exp(1.5 * x[F.rv_5m_bps]!) * rng.exponential(1);
        return { t: i, x, y: Math.log(rv), rv, ewma: 1, garch: 1 };
      });
    };
    const art = await trainVolModel(make(3000, 1), make(1000, 2), { horizonNs: 300e9, epochs: 30 });
    const m = evaluateVol(art, make(1000, 3), make(1000, 2));
    expect(m.improvement_vs_ewma).toBeGreaterThan(0.3);
  });
});
