import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { tfDense } from '../../src/models/dense.js';
import {
  evaluateChannels,
  evaluateImpact,
  fitChannels,
  fitSqrtLaw,
  IMPACT_FEATURES,
  ImpactForward,
  r2,
  trainImpactModel,
  type ChannelExample,
  type ImpactExample,
} from '../../src/models/impact.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';
import { standardSpec } from '../../src/backtest/spec.js';
import { impactExamples } from '../../src/backtest/impact-data.js';

/** Impact that follows the square-root law in size and rises with participation, plus noise. */
function synthetic(n: number, seed: number): ImpactExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const f = 0.01 + 0.04 * rng.float();
    const part = 0.1 + 0.5 * rng.float();
    const y = 150 * Math.sqrt(f) + 40 * part + 2 * rng.normal();
    return { x: [Math.sqrt(f), f, part, 3 + rng.float(), rng.float(), rng.float() < 0.5 ? 1 : -1], y };
  });
}

describe('impact model', () => {
  it('R² and the square-root fit on known data', () => {
    expect(r2([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(r2([2, 2, 2], [1, 2, 3])).toBe(0);
    const ex = [0.01, 0.04, 0.09].map((f) => ({ x: [Math.sqrt(f), f, 0, 0, 0, 1], y: 200 * Math.sqrt(f) }));
    expect(fitSqrtLaw(ex)).toBeCloseTo(200, 9);
  });

  it('learns what the square-root law leaves out (here participation), out of sample; its forward pass matches tfjs', async () => {
    const art = await trainImpactModel(synthetic(400, 1), { dataHash: 'x', schema: { version: 1, hash: 'impact-features-v1' }, epochs: 150 });
    const m = evaluateImpact(art, synthetic(200, 2));
    expect(m.r2.model).toBeGreaterThan(m.r2.sqrt_law + 0.1);
    expect(m.r2.model).toBeGreaterThan(0.8);
    const test = synthetic(50, 3);
    const n = IMPACT_FEATURES.length;
    const X = new Float32Array(test.length * n);
    test.forEach((e, i) => e.x.forEach((v, j) => (X[i * n + j] = (v - art.mean[j]!) / art.sd[j]!)));
    const tf = await tfDense(art, X, n);
    const fwd = new ImpactForward(art);
    let worst = 0;
    test.forEach((e, i) => (worst = Math.max(worst, Math.abs(fwd.predict(e.x) - tf[i]!))));
    expect(worst).toBeLessThan(1e-3); // bps; float32 with outputs of tens of bps
  });

  it('examples come from backtests: each order against its own market without it, features known at the start', async () => {
    const file = 'scenarios/default.json';
    const scenario = loadScenarioFile(file);
    // the standard batch, shorter: 6 orders of 10 minutes, 2 minutes of warm-up
    const spec = { ...standardSpec(scenario, file, ['rule'], 6, 4), horizonMinutes: 10, warmupMinutes: 2 };
    const a = await impactExamples({ ...spec, policies: ['rule', 'twap'] }, 1);
    const b = await impactExamples({ ...spec, policies: ['rule', 'twap'] }, 2);
    expect(b).toEqual(a);
    expect(a.examples).toHaveLength(6);
    // the channels: every run of both policies; twap rests, rule does not
    expect(a.channels).toHaveLength(12);
    expect(a.channels.filter((_, i) => i % 2 === 0).every((e) => e.x[1] === 0)).toBe(true);
    expect(a.channels.filter((_, i) => i % 2 === 1).some((e) => e.x[1] > 0)).toBe(true);
    for (const e of a.examples) {
      expect(e.x).toHaveLength(IMPACT_FEATURES.length);
      expect(e.x[2]).toBeGreaterThan(0); // expected participation
      expect(e.x[2]).toBeLessThan(1);
    }
    // buying or selling 1–5 % of a day in 10 minutes moves the price against the order
    expect(a.examples.reduce((s, e) => s + e.y, 0) / a.examples.length).toBeGreaterThan(5);
  });

  it('impact by channel: least squares recovers what each way of filling costs, and beats one law for all fills', () => {
    const rng = new Rng(5);
    const make = (n: number): ChannelExample[] =>
      Array.from({ length: n }, () => {
        const q = 0.01 + 0.04 * rng.float();
        const w = [rng.float(), rng.float(), rng.float()];
        const sum = w[0]! + w[1]! + w[2]!;
        const x = w.map((v) => (v / sum) * Math.sqrt(q)) as [number, number, number]; // Q_c / √(Q·V) with V = 1
        return { x, y: 200 * x[0] + 120 * x[1] - 10 * x[2] + rng.normal() };
      });
    const train = make(400);
    const c = fitChannels(train);
    expect(c.take).toBeCloseTo(200, -1);
    expect(c.post).toBeCloseTo(120, -1);
    expect(c.dark).toBeCloseTo(-10, -1);
    const m = evaluateChannels(c, train, make(200));
    expect(m.r2.channels).toBeGreaterThan(m.r2.sqrt_law_all_fills + 0.2);
    // a channel no run used gets 0, not a division by zero
    expect(fitChannels(train.map((e) => ({ x: [e.x[0], e.x[1], 0], y: e.y })))).toMatchObject({ dark: 0 });
  });
});
