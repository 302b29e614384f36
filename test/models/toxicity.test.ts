import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { F, N_FEATURES } from '../../src/features/engine.js';
import { tfDense } from '../../src/models/dense.js';
import { transformInto } from '../../src/models/inputs.js';
import { evaluateToxicity, ToxicityForward, trainToxicityModel, venueMeans, type ToxicityExample } from '../../src/models/toxicity.js';
import { toxicityExamples } from '../../src/backtest/datasets.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';

/** Fills whose adverse move depends on the venue and, beyond it, on the book's imbalance: what a venue mean misses. */
function synthetic(n: number, seed: number): ToxicityExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const x = new Float64Array(N_FEATURES);
    for (let j = 0; j < N_FEATURES; j++) x[j] = rng.normal();
    const venue = rng.int(3);
    x[F.venue_make_fee_bps] = [-0.3, 0.2, 0.5][venue]!;
    x[F.side_sign] = 1;
    const y = [0.5, 1.5, 3][venue]! - 2 * x[F.book_imbalance]! + rng.normal();
    return { x, y, venue };
  });
}

describe('venue toxicity model', () => {
  it('learns the adverse move after a fill beyond each venue’s mean, out of sample; its forward pass matches tfjs to 1e-5', async () => {
    const train = synthetic(3000, 1);
    const test = synthetic(1000, 2);
    const art = await trainToxicityModel(train, { horizonNs: 10e9, epochs: 30 });
    const m = evaluateToxicity(art, train, test);
    expect(m.r2.venue_mean).toBeGreaterThan(0.1);
    expect(m.r2.venue_mean).toBeLessThan(0.6);
    expect(m.r2.model).toBeGreaterThan(m.r2.venue_mean + 0.2);
    expect(m.improvement_vs_venue_mean).toBeGreaterThan(0.3);
    const means = venueMeans(train);
    expect(means.get(2)! - means.get(0)!).toBeCloseTo(2.5, 0);
    const xs = test.slice(0, 100);
    const X = new Float32Array(xs.length * N_FEATURES);
    xs.forEach((e, i) => transformInto(art.transform, e.x, X, i * N_FEATURES));
    const tf = await tfDense(art, X, N_FEATURES);
    const fwd = new ToxicityForward(art);
    let worst = 0;
    xs.forEach((e, i) => (worst = Math.max(worst, Math.abs(fwd.predict(e.x) - tf[i]!))));
    expect(worst).toBeLessThan(1e-5);
  });

  it('its examples are the probes that filled, labelled by the move against the filled side', () => {
    const scenario = loadScenarioFile('scenarios/default.json');
    const ex = toxicityExamples(scenario, {
      seeds: [5],
      startMinute: 30,
      minutes: 20,
      meanGapNs: 2e9,
      horizonNs: 10e9,
      qty: 100,
      adv: 706_146,
      longRunVolBps: 4.85,
    });
    expect(ex.length).toBeGreaterThan(30);
    for (const e of ex) {
      expect(Number.isFinite(e.y)).toBe(true);
      expect([0, 1, 2]).toContain(e.venue);
    }
    // a passive fill is adverse on average: the market goes on the way that filled it
    expect(ex.reduce((a, e) => a + e.y, 0) / ex.length).toBeGreaterThan(0);
  });

  it('sor train toxicity and sor train dark print their held-out metrics against their baselines and register', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sor-tox-')), 'models');
    const sor = (...args: string[]) => spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
    const t = sor(
      'train',
      'toxicity',
      '--minutes',
      '15',
      '--train-seeds',
      '1-2',
      '--valid-seeds',
      '3',
      '--test-seeds',
      '4',
      '--epochs',
      '2',
      '--registry',
      dir,
      '--json',
    );
    expect(t.status).toBe(0);
    const tm = JSON.parse(t.stdout);
    expect(tm.model).toMatch(/^toxicity-v1-/);
    expect(Object.keys(tm.metrics.mse)).toEqual(['model', 'venue_mean']);
    expect(tm.rows.test).toBeGreaterThan(10);
    const d = sor('train', 'dark', '--dark-orders', '4', '--test-orders', '2', '--registry', dir, '--json');
    expect(d.status).toBe(0);
    const dm = JSON.parse(d.stdout);
    expect(dm.model).toMatch(/^dark-liquidity-v1-/);
    expect(Object.keys(dm.metrics.pools).sort()).toEqual(['DARK_CALM', 'DARK_TOXIC']);
    expect(dm.rows.train).toBeGreaterThan(50);
    const list = JSON.parse(sor('models', '--registry', dir, '--json').stdout);
    expect(list.map((e: { kind: string }) => e.kind)).toEqual(['dark-liquidity', 'toxicity']);
    // a file where the registry folder should be is refused, named, before any training
    const bad = sor('backtest', '--policies', 'ml', '--orders', '1', '--models', 'README.md');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--models README\.md: README\.md: not a model registry folder/);
    expect(bad.stderr).not.toMatch(/training one/);
  });
});
