import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/core/latency.js';
import { quantile } from '../../src/core/stats.js';
import { Rng } from '../../src/core/rng.js';

describe('LatencyHistogram: fixed memory, percentiles within 2 %', () => {
  it('reads back every percentile of a skewed sample within 2 % of the exact order statistic', () => {
    const rng = new Rng(7);
    const h = new LatencyHistogram();
    const xs: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // log-normal around 300 µs with a long tail, as a service's latencies are
      const x = Math.exp(Math.log(300) + 0.9 * rng.normal());
      xs.push(x);
      h.record(x);
    }
    expect(h.count).toBe(50_000);
    for (const p of [0.01, 0.5, 0.9, 0.99, 0.999]) {
      const exact = quantile(xs, p);
      expect(Math.abs(h.percentile(p) / exact - 1)).toBeLessThanOrEqual(0.02);
    }
    const s = h.summary();
    expect(s.max_us).toBe(Math.max(...xs));
    expect(s.p999_us).toBeLessThanOrEqual(s.max_us);
    expect(s.p50_us).toBeLessThan(s.p90_us);
  });

  it('is empty until something is recorded, and refuses what is not a latency', () => {
    const h = new LatencyHistogram();
    expect(Number.isNaN(h.percentile(0.5))).toBe(true);
    expect(h.summary().n).toBe(0);
    expect(() => h.record(NaN)).toThrow(/µs/);
    expect(() => h.record(-1)).toThrow(/µs/);
    h.record(0.2);
    h.record(5e12); // beyond the last bucket: counted there, the max kept exactly
    expect(h.percentile(0)).toBeLessThanOrEqual(1);
    expect(h.summary().max_us).toBe(5e12);
  });
});
