import { marketFacts, resolveScenario } from '../backtest/market.js';
import { findRouterModels, MODEL_NAMES, routerArtifacts, type ModelName } from '../backtest/training.js';
import { DataError, UsageError } from '../core/errors.js';
import { ModelRegistry } from '../models/registry.js';
import { MlModels } from '../router/ml/models.js';
import type { VolumeProfile } from '../router/schedulers.js';
import type { RouterConfig } from './config.js';

/**
 * What the live router takes from outside its config file: the trained models of the `ml` policy (from a model
 * registry, as a backtest finds them; journaled by their ids so that a replay loads the very same ones) and the
 * market facts of its calibration scenario (the intraday volume profile VWAP follows, the daily volume, the
 * volatility the models' features are scaled by).
 */
export interface LoadedModels {
  models: MlModels;
  ids: Record<string, string>;
}

/** The registry's models for a router deciding every `decisionSeconds`; none trained here: missing ones are a usage error. */
export function loadRouterModels(dir: string, decisionSeconds: number, where = 'models.registry'): LoadedModels {
  const registry = new ModelRegistry(dir);
  const { entries, missing } = findRouterModels(registry, decisionSeconds);
  if (missing.length > 0)
    throw new UsageError(
      `${where}: ${dir} has no ${missing.join(', ')} model${missing.length > 1 ? 's' : ''} for ${decisionSeconds}-second decisions ` +
        `(train them first: sor train <model> --registry ${dir}, or run a backtest of ml with --models ${dir})`,
    );
  const ids: Record<string, string> = {};
  for (const k of MODEL_NAMES) ids[k] = entries[k]!.id;
  return { models: new MlModels(routerArtifacts((k) => registry.artifact(entries[k]!))), ids };
}

/** The models a journal names, by id, from a registry: the same ones, or a DataError saying which is missing. */
export function loadModelsById(registry: ModelRegistry, ids: Record<string, string>): LoadedModels {
  for (const k of MODEL_NAMES) if (!ids[k]) throw new DataError(`the journal names no ${k} model`);
  const known = new Set(registry.list().map((e) => e.id));
  for (const k of MODEL_NAMES)
    if (!known.has(ids[k]!)) throw new DataError(`${registry.dir}: no model ${ids[k]} (the journal’s ${k} model): replay with the registry the router used`);
  return { models: new MlModels(routerArtifacts(<T>(k: ModelName) => registry.load<T>(ids[k]!).artifact)), ids: { ...ids } };
}

/** The calibration scenario's market facts for the router: profile, daily volume and volatility, config first. */
export function marketSetup(config: RouterConfig): { profile?: VolumeProfile; adv: number; volBps?: number } {
  const market = config.market ? scenarioOf(config.market.scenario) : undefined;
  const facts = market ? marketFacts(market.scenario, market.file) : undefined;
  const adv = config.policy.adv ?? (facts && Number.isFinite(facts.adv) ? facts.adv : 1_000_000);
  const volBps = config.policy.volBps ?? (facts && Number.isFinite(facts.volBps) ? facts.volBps : undefined);
  return { ...(facts ? { profile: facts.profile } : {}), adv, ...(volBps !== undefined ? { volBps } : {}) };
}

/** The config's market.scenario resolved, or a usage error naming the field. */
function scenarioOf(name: string) {
  try {
    return resolveScenario(name);
  } catch (e) {
    throw new UsageError(`market.scenario: ${(e as Error).message}`);
  }
}
