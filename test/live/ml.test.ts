import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { UsageError } from '../../src/core/errors.js';
import { ModelRegistry } from '../../src/models/registry.js';
import { runLiveDemo } from '../../src/live/demo.js';
import { readJournal } from '../../src/live/journal.js';
import { replayJournal } from '../../src/live/router.js';
import { smallModels } from '../helpers/ml-models.js';

describe('the ml policy live: the backtest’s models, from the registry, on the wall clock', () => {
  it('routes parents over FIX with the registry’s models, journals their ids, and replays to the same outputs', async () => {
    const { registry } = await smallModels();
    const demo = await runLiveDemo({
      market: resolveScenario('default'),
      seed: 4,
      orders: 3,
      speed: 20,
      horizonSeconds: 40,
      policy: 'ml',
      models: registry.dir,
      timeoutSeconds: 60,
    });
    expect(demo.ended).toBe(3);
    expect(demo.summary.fill_rate).toBeGreaterThan(0.5);
    expect(demo.reconciliation.agree && demo.reconciliation.per_parent_agree).toBe(true);
    const records = readJournal(demo.journal.file);
    // the parents asked for ml (TargetStrategy 1003), and the router named the very models it loaded
    expect(records.filter((r) => r.k === 'oms' && r.type === 'D').every((r) => r.k === 'oms' && new Map(r.body).get('847') === '1003')).toBe(true);
    const start = records.find((r) => r.k === 'start');
    const ids = start?.k === 'start' ? start.setup.models : false;
    expect(ids && Object.values(ids).sort()).toEqual(
      registry
        .list()
        .map((e) => e.id)
        .sort(),
    );
    expect(start?.k === 'start' && start.setup.profile?.buckets.length).toBeGreaterThan(1); // VWAP's profile, from the scenario
    const r = replayJournal(records, registry);
    expect(r.mismatches).toEqual([]);
    expect(r.decisions).toBe(demo.summary.decisions);
    expect(r.decisions).toBeGreaterThan(0);
    // without the models it cannot be replayed, and says why; with another registry, which model is missing
    expect(() => replayJournal(records)).toThrow(UsageError);
    expect(() => replayJournal(records, new ModelRegistry(`${registry.dir}-none`))).toThrow(/no model .*replay with the registry the router used/);
  }, 300_000);
});
