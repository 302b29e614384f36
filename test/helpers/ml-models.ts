import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry } from '../../src/models/registry.js';
import { MlModels } from '../../src/router/ml/models.js';
import { loadScenarioFile } from '../../src/sim/scenario.js';
import { QUICK_TRAINING, routerModels } from '../../src/backtest/training.js';

let cached: Promise<{ registry: ModelRegistry; models: MlModels; trained: string[] }> | null = null;

/** The ml router's models trained small on the default scenario into a fresh registry (once per test file). */
export function smallModels() {
  cached ??= (async () => {
    const registry = new ModelRegistry(join(mkdtempSync(join(tmpdir(), 'sor-ml-')), 'models'));
    const file = 'scenarios/default.json';
    const r = await routerModels(registry, loadScenarioFile(file), file, 10, () => {}, QUICK_TRAINING);
    return { registry, models: new MlModels(r.artifacts), trained: r.trained };
  })();
  return cached;
}
