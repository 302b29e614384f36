import { describe, expect, it } from 'vitest';
import { BUY, NS_PER_SECOND, SELL } from '../../src/core/types.js';
import { PowerLawPropagator, gamma, sqrtLawPropagator } from '../../src/sim/impact.js';
import { metaorderExperiment } from '../../src/backtest/metaorder.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';

describe('power-law propagator', () => {
  it('its sum of exponentials stays within 1 % of (1 + τ/τ0)^−β over six decades', () => {
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 10);
    expect(gamma(5)).toBeCloseTo(24, 8);
    for (const beta of [0.3, 0.5, 0.7]) {
      const p = new PowerLawPropagator({ beta, tau0Seconds: 2, kPerShare: 1 });
      for (let e = -3; e <= 6; e += 0.5) {
        const tau = 2 * 10 ** e;
        expect(Math.abs(p.kernel(tau) / (1 + tau / 2) ** -beta - 1)).toBeLessThan(0.01);
      }
    }
  });

  it('adds trades linearly, signed, and decays between them', () => {
    const p = new PowerLawPropagator({ beta: 0.5, tau0Seconds: 1, kPerShare: 0.5 });
    expect(p.offset(0)).toBe(0);
    p.onTrade(0, BUY, 100);
    expect(p.offset(0)).toBeCloseTo(50, 1);
    expect(p.offset(3 * NS_PER_SECOND)).toBeCloseTo(50 * (1 + 3) ** -0.5, 1);
    p.onTrade(3 * NS_PER_SECOND, SELL, 100);
    expect(p.offset(3 * NS_PER_SECOND)).toBeCloseTo(50 * 0.5 - 50, 1);
  });

  it('calibrated to the square-root law: a steady programme moves the price Y·σ·√(Q/V) by its end', () => {
    const law = {
      Y: 0.8,
      dailyVolatilityBps: 100,
      price: 1_000_000,
      dailyVolume: 1_000_000,
      sessionSeconds: 23_400,
      participation: 0.1,
      referenceFraction: 0.01,
      beta: 0.5,
      tau0Seconds: 1,
    };
    const ref =
      (Math.sqrt(1 + (0.01 * law.dailyVolume) / (law.participation * (law.dailyVolume / law.sessionSeconds))) - 1) /
      Math.sqrt((0.01 * law.dailyVolume) / (law.participation * (law.dailyVolume / law.sessionSeconds)));
    for (const f of [0.001, 0.01, 0.1]) {
      const p = sqrtLawPropagator(law);
      const Q = f * law.dailyVolume;
      const rate = law.participation * (law.dailyVolume / law.sessionSeconds); // shares per second
      const T = Q / rate;
      const step = 1; // a child every second
      for (let t = 0; t < T; t += step) p.onTrade(t * NS_PER_SECOND, BUY, rate * step);
      const bps = (p.offset(T * NS_PER_SECOND) / law.price) * 1e4;
      // the law holds for T ≫ τ0; at finite T the model gives it times (√(1 + T/τ0) − 1) / √(T/τ0), relative to the
      // reference programme where k was set
      const finite = (Math.sqrt(1 + T / law.tau0Seconds) - 1) / Math.sqrt(T / law.tau0Seconds);
      const expected = (law.Y * law.dailyVolatilityBps * Math.sqrt(f) * finite) / ref; // exact at the reference size
      expect(Math.abs(bps / expected - 1)).toBeLessThan(0.02);
    }
  });
});

describe('metaorders in the calibrated GOOG market', () => {
  const scenario = loadScenarioFile('scenarios/default.json');
  const V = scenario.impact!['dailyVolume'] as number;
  const design = {
    fractions: [0.001, 0.003, 0.01, 0.03, 0.1],
    seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    dailyVolume: V,
    participation: 0.1,
    startMinute: 5,
    sliceSeconds: 10,
  };

  it('follow the square-root law: fitted exponent in [0.4, 0.7]; without the impact model they barely move the price', () => {
    const withImpact = metaorderExperiment(scenario, design);
    expect(withImpact.exponent).toBeGreaterThanOrEqual(0.4);
    expect(withImpact.exponent).toBeLessThanOrEqual(0.7);
    const big = withImpact.results[4]!;
    expect(big.fill_rate).toBeGreaterThan(0.99);
    const law = (scenario.impact!['dailyVolatilityBps'] as number) * Math.sqrt(0.1);
    expect(big.impact_bps).toBeGreaterThan(law / 2);
    expect(big.impact_bps).toBeLessThan(law * 2);
    // the control: the same programmes with no impact model (the books alone absorb them)
    const { impact: _drop, ...bare } = scenario;
    const without = metaorderExperiment(bare, { ...design, fractions: [0.1] });
    expect(without.results[0]!.impact_bps).toBeLessThan(big.impact_bps / 3);
  });
});
