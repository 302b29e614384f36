import { describe, expect, it } from 'vitest';
import { F } from '../../src/features/engine.js';
import { tfReady } from '../../src/models/tf.js';
import { evaluateVol, qlike, trainVolModel, VolForward, volExamples } from '../../src/models/volatility.js';
import { transformInto } from '../../src/models/fill-model.js';
import { N_FEATURES } from '../../src/features/engine.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';

const scenario = loadScenarioFile('scenarios/default.json');
const mk = (seeds: number[]) => volExamples(scenario, { seeds, startMinute: 30, minutes: 150, everyNs: 30e9, horizonNs: 300e9, adv: 706_146, longRunVolBps: 4.85 });

describe('volatility', () => {
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
    }
  });

  it('the model beats EWMA on held-out seeds by QLIKE, and its forward pass matches tfjs', async () => {
    const art = await trainVolModel(train, valid, { epochs: 8, horizonNs: 300e9 });
    const m = evaluateVol(art, test);
    expect(m.qlike.model).toBeLessThan(m.qlike.ewma);
    expect(art.scale).toBeGreaterThan(0);
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
});
