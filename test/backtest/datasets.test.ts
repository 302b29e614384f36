import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/data/store.js';
import { F, FEATURE_SCHEMA, N_FEATURES } from '../../src/features/engine.js';
import { FILL_LABEL_COLUMNS, fillExamples } from '../../src/backtest/datasets.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';

const scenario = loadScenarioFile('scenarios/default.json');
const opts = { seeds: [4, 5], startMinute: 30, minutes: 40, meanGapNs: 3e9, horizonNs: 10e9, qty: 100, adv: 706_146, longRunVolBps: 4.85 };
const col = (name: (typeof FILL_LABEL_COLUMNS)[number]) => N_FEATURES + FILL_LABEL_COLUMNS.indexOf(name);

describe('fill-probability dataset', () => {
  const d = fillExamples(scenario, opts);

  it('is made from the seeds alone, with labels that agree with the fills', () => {
    expect(fillExamples(scenario, opts).rows).toEqual(d.rows);
    expect(d.columns).toEqual([...FEATURE_SCHEMA.names, ...FILL_LABEL_COLUMNS]);
    expect(d.rows.length).toBeGreaterThan(1000); // ~800 a seed at one probe every 3 s
    expect(new Set(d.rows.map((r) => r.seed))).toEqual(new Set([4, 5]));
    for (const { values: v } of d.rows) {
      const label = v[col('label')]!;
      expect([0, 1]).toContain(label);
      if (label === 1) {
        expect(v[col('filled_qty')]).toBe(100);
        expect(v[col('fill_time_ns')]! - v[col('t_ns')]!).toBeLessThanOrEqual(10e9);
      } else expect(v[col('filled_qty')]).toBeLessThan(100);
      expect(v[F.queue_ahead]).toBeGreaterThanOrEqual(0);
      // the second label: the mid's move over the horizon, seen from the probe's side
      expect(v[col('adverse')]).toBe(v[col('mid_move_bps')]! > 0 ? 1 : 0);
      const dist = v[F.distance_ticks]!;
      expect([-3, -2, -1, 0, 1, 2, 3]).toContain(dist);
      // a probe inside the spread stays strictly inside it, where nothing rests yet
      if (dist < 0) {
        expect(-dist).toBeLessThan(v[F.spread_ticks]!);
        expect(v[F.queue_ahead]).toBe(0);
      }
    }
    const share = (f: (d: number) => boolean) => d.rows.filter((r) => f(r.values[F.distance_ticks]!)).length / d.rows.length;
    expect(share((x) => x < 0)).toBeGreaterThan(0.15); // 30 % are drawn inside; a one-tick spread sends them to the touch
    expect(share((x) => x > 0)).toBeGreaterThan(0.25);
  });

  it('shows the market: a probe inside the spread fills more often than one at the touch, and that more than one three ticks behind', () => {
    const rate = (dist: number) => {
      const rs = d.rows.filter((r) => r.values[F.distance_ticks] === dist);
      return rs.reduce((a, r) => a + r.values[col('label')]!, 0) / rs.length;
    };
    expect(rate(0)).toBeGreaterThan(rate(3));
    expect(rate(0)).toBeGreaterThan(0.05);
    expect(rate(-1)).toBeGreaterThan(rate(0));
    // the venues' historical fill rates are learnt as the probes resolve
    expect(d.rows.filter((r) => Number.isFinite(r.values[F.venue_fill_rate])).length).toBeGreaterThan(d.rows.length * 0.9);
  });

  it('is stored with its seeds and feature schema; writing it again replaces it; another schema is refused', async () => {
    const dir = mkdtempSync('/tmp/sor-ds-');
    const store = await Store.open(join(dir, 's.duckdb'));
    try {
      const meta = { datasetId: 'x', kind: 'fill-probability', scenario: 'default', schemaVersion: 1, schemaHash: FEATURE_SCHEMA.hash };
      await store.writeDataset('fill_examples', meta, d.columns, d.rows);
      await store.writeDataset('fill_examples', meta, d.columns, d.rows);
      expect(await store.count("SELECT count(*) FROM fill_examples WHERE dataset_id = 'x'")).toBe(d.rows.length);
      expect(await store.count("SELECT count(*) FROM datasets WHERE dataset_id = 'x' AND seeds = '4,5' AND schema_hash = $1", FEATURE_SCHEMA.hash)).toBe(1);
      const file = await store.exportDatasetParquet('fill_examples', 'x', dir, 'seed, t_ns');
      expect(await store.count(`SELECT count(*) FROM read_parquet('${file}') WHERE label = 1`)).toBe(d.rows.filter((r) => r.values[col('label')] === 1).length);
      await expect(store.writeDataset('fill_examples', { ...meta, datasetId: 'y' }, [...d.columns.slice(1)], d.rows)).rejects.toThrow(
        /missing none; extra book_imbalance/,
      );
      expect(await store.count("SELECT count(*) FROM fill_examples WHERE dataset_id = 'y'")).toBe(0);
    } finally {
      store.close();
    }
  });

  it('sor dataset fill and sor dataset volatility store their examples with seeds and schema, and export Parquet', () => {
    const dir = mkdtempSync('/tmp/sor-dscli-');
    const db = join(dir, 'd.duckdb');
    const run = (...a: string[]) => spawnSync(process.execPath, ['bin/sor.js', 'dataset', ...a, '--db', db, '--parquet', dir, '--json'], { encoding: 'utf8' });
    const f = run('fill', '--seeds', '1', '--minutes', '10');
    expect(f.status).toBe(0);
    const fo = JSON.parse(f.stdout);
    expect(fo.rows).toBeGreaterThan(100);
    expect(existsSync(fo.parquet)).toBe(true);
    const v = run('volatility', '--seeds', '2', '--minutes', '20');
    expect(v.status).toBe(0);
    const vo = JSON.parse(v.stdout);
    expect(vo.dataset_id).toBe('volatility_default_s2');
    expect(vo.rows).toBeGreaterThan(30);
    // again: replaced, not duplicated
    expect(JSON.parse(run('volatility', '--seeds', '2', '--minutes', '20').stdout).rows).toBe(vo.rows);
    expect(run('fill', '--seeds', 'x').status).toBe(2);
    const i = run('impact', '--orders', '4');
    expect(i.status).toBe(0);
    expect(JSON.parse(i.stdout)).toMatchObject({ dataset_id: 'impact_default_b1', rows: 4 });
  });
});
