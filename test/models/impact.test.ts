import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { tfDense } from '../../src/models/dense.js';
import { evaluateImpact, fitSqrtLaw, IMPACT_FEATURES, ImpactForward, r2, trainImpactModel, type ImpactExample } from '../../src/models/impact.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';
import { marketFacts } from '../../src/tca/backtest.js';
import { impactExamples } from '../../src/tca/impact-data.js';

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
    const facts = marketFacts(scenario, file);
    const spec = { scenario, file, policies: ['rule'], orders: 6, seed: 4, adv: facts.adv, minFraction: 0.01, maxFraction: 0.05, horizonMinutes: 10, profile: facts.profile, warmupMinutes: 2, decisionSeconds: 10, povRate: 0.25, urgency: 2, darkMinQty: 100 };
    const a = await impactExamples(spec, 1);
    const b = await impactExamples(spec, 2);
    expect(b).toEqual(a);
    expect(a.examples).toHaveLength(6);
    for (const e of a.examples) {
      expect(e.x).toHaveLength(IMPACT_FEATURES.length);
      expect(e.x[2]).toBeGreaterThan(0); // expected participation
      expect(e.x[2]).toBeLessThan(1);
    }
    // buying or selling 1–5 % of a day in 10 minutes moves the price against the order
    expect(a.examples.reduce((s, e) => s + e.y, 0) / a.examples.length).toBeGreaterThan(5);
  });
});
