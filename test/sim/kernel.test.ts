import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Handler } from '../../src/core/scheduler.js';
import { Kernel } from '../../src/sim/kernel.js';

describe('Kernel', () => {
  it('runs events by time, and events at the same time in the order scheduled', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 300, size: 'max' }), (times) => {
        const k = new Kernel(0);
        const seen: { t: number; i: number }[] = [];
        const h: Handler<number> = { handle: (t, i) => seen.push({ t, i }) };
        times.forEach((t, i) => k.at(t, h, i));
        k.run(Infinity);
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
        expect(seen).toEqual(expected);
      }),
    );
  });

  it('lets handlers schedule more events, stops at the horizon and keeps the rest', () => {
    const k = new Kernel(100);
    const seen: number[] = [];
    const h: Handler<number> = {
      handle(t, n) {
        seen.push(t);
        if (n > 0) k.at(t + 10, h, n - 1);
      },
    };
    k.at(100, h, 5);
    k.run(130);
    expect(seen).toEqual([100, 110, 120, 130]);
    expect(k.now()).toBe(130);
    expect(k.pending).toBe(1);
    k.run(1000);
    expect(seen).toEqual([100, 110, 120, 130, 140, 150]);
    expect(k.now()).toBe(1000);
  });

  it('refuses an event in the past', () => {
    const k = new Kernel(50);
    expect(() => k.at(49, { handle() {} }, null)).toThrow(/past/);
  });
});
