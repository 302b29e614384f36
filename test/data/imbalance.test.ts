import { describe, expect, it } from 'vitest';
import { Collector, imbalanceBucket } from '../../src/data/realism.js';

describe('the imbalance → next mid move curve', () => {
  it('buckets an imbalance by the edges −1, −0.6, −0.2, 0.2, 0.6, 1', () => {
    expect([-1, -0.61, -0.6, -0.2, 0, 0.2, 0.59, 0.6, 1].map(imbalanceBucket)).toEqual([0, 0, 1, 2, 2, 3, 3, 4, 4]);
  });

  it('labels every state since the mid last moved with that move, ignoring repeats and one-sided quotes', () => {
    const c = new Collector(0, 100);
    c.quote(100, 900, 200, 100); // imbalance 0.8 → bucket 4
    c.quote(100, 900, 200, 100); // a repeat: not a new state
    c.quote(100, 500, 200, 500); // 0 → bucket 2
    c.quote(100, 0, 200, 500); // one-sided: not a state
    c.quote(200, 100, 300, 100); // the mid moved up: the two states before it were followed by an up move; 0 → 2
    c.quote(200, 100, 300, 900); // −0.8 → bucket 0
    c.quote(100, 100, 200, 100); // down: the two states before it (buckets 2 and 0) were followed by a down move
    c.quote(100, 100, 150, 100); // down again: the one state before it (bucket 2)
    const r = c.result(60e9).imbalance_next_move;
    expect(r.n).toEqual([1, 0, 3, 0, 1]);
    expect(r.p_up[0]).toBe(0);
    expect(r.p_up[1]).toBeNaN();
    expect(r.p_up[2]).toBeCloseTo(1 / 3, 4);
    expect(r.p_up[4]).toBe(1);
  });
});
