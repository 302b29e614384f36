import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Channel, ConstantLatency, ReplayLatency, SpikyLatency, type LatencyModel } from '../../src/venue/latency.js';

describe('latency models', () => {
  it('replays a recorded series in order and starts over', () => {
    const m: LatencyModel = new ReplayLatency([5, 7, 9]);
    const r = new Rng(1);
    expect(Array.from({ length: 7 }, () => m.sample(r))).toEqual([5, 7, 9, 5, 7, 9, 5]);
  });

  it('spiky latency has a heavy tail that the log-normal body alone lacks', () => {
    const r = new Rng(9);
    const body = new SpikyLatency(50_000, 0.2, 0, 1, 1.5);
    const spiky = new SpikyLatency(50_000, 0.2, 0.01, 200_000, 1.5);
    const q = (m: SpikyLatency) => {
      const xs = Array.from({ length: 50_000 }, () => m.sample(r)).sort((a, b) => a - b);
      return { p50: xs[25_000]!, p999: xs[49_950]! };
    };
    const b = q(body);
    const s = q(spiky);
    expect(s.p50 / b.p50).toBeGreaterThan(0.95);
    expect(s.p50 / b.p50).toBeLessThan(1.05);
    expect(s.p999 / s.p50).toBeGreaterThan(5);
    expect(b.p999 / b.p50).toBeLessThan(2);
  });

  it('a connection delivers in the order sent even when a message is delayed by a spike', () => {
    const ch = new Channel(new ReplayLatency([1000, 10, 10, 10]), new Rng(1), 5);
    const arrivals = [0, 1, 2, 3].map((t) => ch.arrival(t));
    expect(arrivals).toEqual([1005, 1005, 1005, 1005]);
    const plain = new Channel(new ConstantLatency(10), new Rng(1));
    expect([0, 5].map((t) => plain.arrival(t))).toEqual([10, 15]);
  });
});
