import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';

describe('Rng', () => {
  it('gives the same sequence for the same seed and stream, and different ones otherwise', () => {
    const draw = (r: Rng) => Array.from({ length: 8 }, () => r.nextU32());
    expect(draw(Rng.stream(42, 'a'))).toEqual(draw(Rng.stream(42, 'a')));
    expect(draw(Rng.stream(42, 'a'))).not.toEqual(draw(Rng.stream(42, 'b')));
    expect(draw(Rng.stream(42, 'a'))).not.toEqual(draw(Rng.stream(43, 'a')));
    expect(draw(new Rng(2 ** 33))).not.toEqual(draw(new Rng(0)));
  });

  it('draws uniforms in [0,1) and moments that match their distributions', () => {
    const r = new Rng(1);
    const n = 200_000;
    let u = 0;
    let e = 0;
    let z = 0;
    let z2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.float();
      expect(x >= 0 && x < 1).toBe(true);
      u += x;
      e += r.exponential(4);
      const g = r.normal();
      z += g;
      z2 += g * g;
    }
    expect(u / n).toBeCloseTo(0.5, 2);
    expect(e / n).toBeCloseTo(0.25, 2);
    expect(z / n).toBeCloseTo(0, 2);
    expect(z2 / n).toBeCloseTo(1, 1);
  });

  it('picks weighted indices in proportion', () => {
    const r = new Rng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[r.weighted([1, 2, 3], 6)]!++;
    expect(counts[0]! / 60_000).toBeCloseTo(1 / 6, 1);
    expect(counts[2]! / 60_000).toBeCloseTo(3 / 6, 1);
  });
});
