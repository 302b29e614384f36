import type { RiskLimits } from '../risk/limits.js';
import type { SabotageKind } from '../router/ml/sabotage.js';
import { ModelRegistry } from '../models/registry.js';
import { policies } from '../router/policies.js';
import { ScenarioError } from '../sim/kind-registry.js';
import { summarizeBacktest, type BacktestReport } from '../tca/summary.js';
import { marketFacts, resolveMarket } from './market.js';
import { loadPlugins } from './plugins.js';
import { runBacktest } from './pool.js';
import { CLOSE_MARGIN_MINUTES, FIRST_START_MINUTE, MAX_HORIZON_MINUTES, type BacktestSpec } from './spec.js';
import { buildWorld } from './world.js';
import { routerModels, type ModelName } from './training.js';
import { SorError } from '../core/errors.js';

/** A batch request as a user states it: markets by name, file or LOBSTER folder; policies by name with options. */
export interface BatchRequest {
  market: string;
  policies: string[];
  /** Options stated once for all (a command line's --pov-rate, --dark-min-qty…): each policy takes those its schema names. */
  sharedOptions: Record<string, unknown>;
  /** Options by policy name, on top of the shared ones. */
  policyOptions: Record<string, Record<string, unknown>>;
  plugins: string[];
  orders: number;
  seed: number;
  horizonMinutes: number;
  minFraction: number;
  maxFraction: number;
  /** The daily volume sizes refer to (default: the market's). */
  adv?: number;
  decisionSeconds: number;
  warmupMinutes: number;
  /** The model registry the ml router's models come from, and the market missing ones are trained on. */
  models: string;
  trainMarket: string;
  /** The guardrails' limits (absent: the defaults). */
  limits?: RiskLimits;
  /** Run the model-driven policies on sabotaged models; the rule router runs beside them. */
  sabotage?: SabotageKind;
}

/** A request that cannot run as stated (exit 2). */
export class BatchError extends SorError {
  constructor(message: string, options?: ErrorOptions) {
    super('usage', message, options);
  }
}

/**
 * The options each policy gets from settings stated once for all (a command line's --pov-rate, --dark-min-qty…):
 * each policy takes those its schema names, and `perPolicy` (policy → options) on top.
 */
function policyOptionsFrom(
  names: readonly string[],
  shared: Record<string, unknown>,
  perPolicy: Record<string, Record<string, unknown>> = {},
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const n of names) {
    const keys = policies.optionNames(n);
    out[n] = { ...Object.fromEntries(Object.entries(shared).filter(([k, v]) => keys.includes(k) && v !== undefined)), ...perPolicy[n] };
  }
  return out;
}

/** The spec of a request, checked: policies registered, options valid, the horizon fits, the market has a volume. */
export async function batchSpec(req: BatchRequest): Promise<BacktestSpec> {
  await loadPlugins(req.plugins);
  if (req.policies.length === 0) throw new BatchError('--policies: name at least one policy');
  if (new Set(req.policies).size !== req.policies.length) throw new BatchError('--policies: a policy is named twice');
  for (const p of req.policies) if (!policies.has(p)) throw new BatchError(`--policies: unknown policy "${p}" (registered: ${policies.names().join(', ')})`);
  for (const p of Object.keys(req.policyOptions))
    if (!req.policies.includes(p)) throw new BatchError(`options given for policy "${p}", which is not in --policies`);
  const policyOptions = policyOptionsFrom(req.policies, req.sharedOptions, req.policyOptions);
  for (const p of req.policies) policies.options(p, policyOptions[p]);
  if (req.orders < 1) throw new BatchError('--orders must be at least 1');
  if (req.horizonMinutes < 1) throw new BatchError('--minutes must be at least 1');
  if (req.horizonMinutes > MAX_HORIZON_MINUTES) {
    throw new BatchError(
      `--minutes ${req.horizonMinutes}: an order must start ${FIRST_START_MINUTE} minutes after the open and end ${CLOSE_MARGIN_MINUTES} before the close: at most ${MAX_HORIZON_MINUTES}`,
    );
  }
  if (req.warmupMinutes > FIRST_START_MINUTE) {
    throw new BatchError(
      `--warmup ${req.warmupMinutes}: at most ${FIRST_START_MINUTE} minutes (the first order starts ${FIRST_START_MINUTE} minutes after the open)`,
    );
  }
  if (req.minFraction > req.maxFraction) throw new BatchError('--min-pct exceeds --max-pct');
  if (req.sabotage && !policies.needsModels(req.policies))
    throw new BatchError(`--sabotage ${req.sabotage}: none of --policies routes by the models (ml does)`);
  const { scenario, file } = resolveMarket(req.market);
  let facts;
  try {
    facts = marketFacts(scenario, file);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(file, '', (e as Error).message);
  }
  const adv = req.adv ?? facts.adv;
  if (!(adv > 0)) throw new BatchError(`${file}: the scenario states no daily volume (impact.dailyVolume or calibration); give --adv`);
  // a scenario whose models cannot be built fails here, in this thread, with its file and field named, before any order
  buildWorld({ market: { scenario, file }, seed: req.seed });
  return {
    scenario,
    file,
    policies: req.policies,
    policyOptions,
    ...(req.plugins.length > 0 ? { plugins: req.plugins } : {}),
    orders: req.orders,
    seed: req.seed,
    adv,
    minFraction: req.minFraction,
    maxFraction: req.maxFraction,
    horizonMinutes: req.horizonMinutes,
    profile: facts.profile,
    warmupMinutes: req.warmupMinutes,
    decisionSeconds: req.decisionSeconds,
    volBps: facts.volBps,
    ...(req.limits ? { limits: req.limits } : {}),
    ...(req.sabotage ? { sabotage: req.sabotage } : {}),
  };
}

export interface BatchHooks {
  /** A model the registry lacks is about to be trained on `market`. */
  onTrain?: (model: ModelName, market: string) => void;
  /** A model was trained on this batch's own orders. */
  onInSample?: (modelId: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** A file in the model registry is not a valid artifact: it is left out (named here), and the rest is used. */
  onRegistryProblem?: (file: string, problem: string) => void;
}

/** Runs a request: the models where a policy needs them (trained into the registry if missing), the batch, the summary. */
export async function backtestBatch(req: BatchRequest, workers: number, hooks: BatchHooks = {}): Promise<BacktestReport> {
  const spec = await batchSpec(req);
  if (policies.needsModels(spec.policies)) {
    const train = resolveMarket(req.trainMarket);
    const registry = new ModelRegistry(req.models);
    let m;
    try {
      for (const p of registry.problems()) hooks.onRegistryProblem?.(p.file, p.problem);
      m = await routerModels(registry, train.scenario, train.file, req.decisionSeconds, (model) => hooks.onTrain?.(model, train.scenario.name));
    } catch (e) {
      // a registry that cannot be read or written, or a bad artifact, is named with the registry; a bug stays a bug
      if (e instanceof ScenarioError || !(e instanceof SorError)) throw e;
      throw new SorError(e.kind, `--models ${req.models}: ${e.message}`, { cause: e });
    }
    for (const e of Object.values(m.entries)) {
      const b = (e.meta as { batches?: { train?: number } } | null)?.batches;
      if (b?.train === req.seed) hooks.onInSample?.(e.id);
    }
    spec.models = m.artifacts;
    spec.modelIds = Object.fromEntries(Object.entries(m.entries).map(([k, e]) => [k, e.id]));
  }
  const results = await runBacktest(spec, { workers, ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}) });
  return summarizeBacktest(spec, results);
}
