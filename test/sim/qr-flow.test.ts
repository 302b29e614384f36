import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../src/backtest/world.js';
import { exposureExperiment, EXPOSURE_DESIGN } from '../../src/backtest/exposure.js';
import { NS_PER_MINUTE } from '../../src/core/types.js';
import { parseScenario, loadScenarioFile } from '../../src/sim/scenario.js';

const file = 'scenarios/default.json';
const text = readFileSync(file, 'utf8');
const market = { scenario: loadScenarioFile(file), file };

/** Ten simulated minutes of a seed: the NBBO every 10 s and the trade count. */
function path(seed: number, show = 0): string[] {
  const w = buildWorld({ market, seed });
  w.start();
  const out: string[] = [];
  if (show > 0) w.session.flow.showExtra!(0, show);
  for (let k = 1; k <= 60; k++) {
    w.run(w.session.t0 + (k * NS_PER_MINUTE) / 6);
    out.push(`${w.session.nbbo.bid}/${w.session.nbbo.ask}`);
  }
  return out;
}

describe('queue-reactive flow', () => {
  it('is deterministic, two-sided, and reacts to size shown at the best (the cst flow cannot)', async () => {
    const a = path(5);
    expect(a).toEqual(path(5));
    expect(a).not.toEqual(path(6));
    expect(a.every((q) => !q.includes('NaN'))).toBe(true);
    // a display-only bid changes what the flow does from the start
    expect(path(5, 800)).not.toEqual(a);
    const cst = await exposureExperiment(
      { scenario: loadScenarioFile('scenarios/cst-goog.json'), file: 'scenarios/cst-goog.json' },
      { ...EXPOSURE_DESIGN, trials: 2 },
    );
    expect(cst).toMatch(/does not read the queues/);
  });

  it('moves the mid away from a display it sees: 8 × the touch, shown and never filled, drifts the mid against it over 60 s', async () => {
    const r = await exposureExperiment(market, { ...EXPOSURE_DESIGN, multiples: [0.5, 8], horizons: [60], trials: 400 }, { workers: 2 });
    if (typeof r === 'string') throw new Error(r);
    const [small, large] = r.rows;
    // 400 paired trials: 0.57 [0.12, 1.04] bp (the README's table, 1,600 trials: 0.63 [0.39, 0.88]); half a round lot
    // is within noise of nothing
    expect(large!.drift_bps['60s']!.lo).toBeGreaterThan(0);
    expect(large!.drift_bps['60s']!.mean).toBeGreaterThan(small!.drift_bps['60s']!.mean);
  });

  it('the exposure experiment gives the same result on worker threads as in one thread', async () => {
    const design = { ...EXPOSURE_DESIGN, multiples: [1, 4], horizons: [10, 60], trials: 6 };
    const one = await exposureExperiment(market, design);
    const pooled = await exposureExperiment(market, design, { workers: 2 });
    if (typeof one === 'string') throw new Error(one);
    expect(pooled).toEqual(one);
    // and the trials differ: not one trial's path six times
    expect(one.rows[1]!.drift_bps['60s']!.lo).toBeLessThan(one.rows[1]!.drift_bps['60s']!.hi);
  });

  it('names the field of a bad table', () => {
    const build = (s: unknown) => buildWorld({ market: { scenario: parseScenario(JSON.stringify(s), 'x.json'), file: 'x.json' }, seed: 1 });
    const bad = JSON.parse(text) as { flow: { best: { joinRates: number[][]; hawkes: { kernels: { branching: number }[] } } } };
    bad.flow.best.joinRates.pop();
    expect(() => build(bad)).toThrow(/flow\.best\.joinRates: must be 6 × 6/);
    const explosive = JSON.parse(text) as typeof bad;
    explosive.flow.best.hawkes.kernels[0]!.branching = 0.9;
    expect(() => build(explosive)).toThrow(/flow\.best\.hawkes\.kernels: .*sum below 1/);
  });
});
