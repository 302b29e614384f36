import { NS_PER_SECOND } from '../core/types.js';
import { FEATURE_SCHEMA } from '../features/engine.js';
import { evaluateDarkPools, fitDarkPools } from '../models/dark-allocation.js';
import { evaluateAdverse, evaluateFill, QueueHeuristic, trainFillModel, type Example, type FillModelArtifact } from '../models/fill-model.js';
import { evaluateChannels, evaluateImpact, fitChannels, IMPACT_SCHEMA, trainImpactModel } from '../models/impact.js';
import { ModelRegistry, type RegistryEntry } from '../models/registry.js';
import { evaluateToxicity, trainToxicityModel, type ToxicityExample } from '../models/toxicity.js';
import { evaluateVol, fitGarch, trainVolModel } from '../models/volatility.js';
import type { MlModelArtifacts } from '../router/ml/models.js';
import type { Scenario } from '../sim/scenario.js';
import { PROBE_DESIGN, probeExamples, toxicityExamples, volExamples, type FillProbeOptions, type VolOptions } from './datasets.js';
import { impactExamples } from './impact-data.js';
import { marketFacts, type MarketFacts } from './market.js';
import { progress } from '../core/progress.js';
import { runBacktest } from './pool.js';
import { standardSpec } from './spec.js';
import { SorError } from '../core/errors.js';

/** Seeds of the three sets, and the network's size, length of training and seed (the model's defaults where not given). */
interface TrainingRun {
  trainSeeds: number[];
  validSeeds: number[];
  testSeeds: number[];
  epochs?: number;
  hidden?: number;
  seed: number;
}

/** The probe models' network: 16 tanh units, 8 epochs, unless told. */
const probeNet = (o: TrainingRun) => ({ epochs: o.epochs ?? 8, hidden: o.hidden ?? 16, seed: o.seed });

/** Bad input: test seeds that are not held out. */
export class HeldOutError extends SorError {
  constructor(message: string, options?: ErrorOptions) {
    super('usage', message, options);
  }
}

/** What a model's registry entry records of its run: the market, the horizon, the seeds and rows of each set used. */
function runMeta(
  scenario: Scenario,
  o: TrainingRun & { horizonNs: number },
  rows: { train: readonly unknown[]; valid?: readonly unknown[]; test: readonly unknown[] },
) {
  const seeds = { train: o.trainSeeds, ...(rows.valid ? { valid: o.validSeeds } : {}), test: o.testSeeds };
  const n = { train: rows.train.length, ...(rows.valid ? { valid: rows.valid.length } : {}), test: rows.test.length };
  return { scenario: scenario.name, horizon_seconds: o.horizonNs / 1e9, seeds, rows: n };
}

/** A probe model's run: runMeta, and the design of the probes it learnt from (the ml router takes only this build's). */
function probeMeta(scenario: Scenario, o: TrainingRun & { horizonNs: number }, rows: Parameters<typeof runMeta>[2]) {
  return { ...runMeta(scenario, o, rows), probe_design: PROBE_DESIGN };
}

/** Test seeds must be held out: none may be a training or validation seed. */
function heldOut(o: TrainingRun): void {
  const overlap = o.testSeeds.filter((s) => o.trainSeeds.includes(s) || o.validSeeds.includes(s));
  if (overlap.length > 0) throw new HeldOutError(`test seeds ${overlap.join(', ')} are also training or validation seeds`);
}

interface FillTrainingOptions extends Omit<FillProbeOptions, 'seeds'>, TrainingRun {
  /** Test on another market (e.g. a real day replayed) instead of the training scenario's held-out seeds. */
  testMarket?: { scenario: Scenario; file: string; adv: number; longRunVolBps: number };
}

interface VolTrainingOptions extends Omit<VolOptions, 'seeds'>, TrainingRun {}

export interface TrainSettings {
  trainSeeds: number[];
  validSeeds: number[];
  testSeeds: number[];
  /** Probing window, minutes after the open and minutes long; mean gap between probes. */
  startMinute: number;
  minutes: number;
  gapSeconds: number;
  /** fill, adverse, toxicity: the label's horizon (default 10 s); volatility: the forecast's (default 300 s). */
  horizonSeconds?: number;
  qty: number;
  /** Training epochs and hidden units: each model's own defaults where not given. */
  epochs?: number;
  hidden?: number;
  seed: number;
  /** impact: training and held-out parent orders. */
  orders: number;
  testOrders: number;
  /** dark: training parent orders. */
  darkOrders: number;
  /** fill: score on another market instead of the held-out seeds. */
  testMarket?: { scenario: Scenario; file: string };
}

/** The policies whose runs the impact-by-channel fit learns from. */
const CHANNEL_POLICIES = ['rule', 'twap', 'ml-even', 'ml-dark'];

/**
 * The backtest batches the impact and pool models learn from and are scored on: seeds of their own, far from the
 * small batch seeds a backtest is run with (a batch's seed makes its orders and their markets: the models must not
 * have seen the orders they are judged on).
 */
const trainBatch = (t: TrainSettings) => 10_000 + t.seed;
const testBatch = (t: TrainSettings) => 20_000 + t.seed;

/** The policies whose dark pings the pool model learns from. */
const DARK_POLICIES = ['rule', 'ml-even'];

/** The defaults of `sor train`. */
export const DEFAULT_TRAINING: TrainSettings = {
  trainSeeds: [1, 2, 3, 4, 5, 6],
  validSeeds: [7, 8],
  testSeeds: [101, 102],
  startMinute: 30,
  minutes: 120,
  gapSeconds: 2,
  qty: 100,
  seed: 1,
  orders: 300,
  testOrders: 100,
  darkOrders: 100,
};

/** What every trained artifact carries for the registry. */
type ArtifactBase = { kind: string; schema: { version: number; hash: string }; training: { data_hash: string } };

export interface Trained<A extends ArtifactBase = ArtifactBase> {
  artifact: A;
  metrics: unknown;
  meta: Record<string, unknown>;
}

/** What a model kind is trained from: the market (and its facts), and the settings of `sor train`. */
export interface TrainContext {
  scenario: Scenario;
  file: string;
  t: TrainSettings;
  facts: MarketFacts;
}

/** The run of the models that learn from seeded markets: the three sets of seeds, the probing window, the market's scale, the network. */
function seededRun(c: TrainContext) {
  const { t } = c;
  return {
    trainSeeds: t.trainSeeds,
    validSeeds: t.validSeeds,
    testSeeds: t.testSeeds,
    startMinute: t.startMinute,
    minutes: t.minutes,
    adv: c.facts.adv,
    longRunVolBps: c.facts.volBps,
    ...(t.epochs !== undefined ? { epochs: t.epochs } : {}),
    ...(t.hidden !== undefined ? { hidden: t.hidden } : {}),
    seed: t.seed,
    file: c.file,
  };
}

/** A probe model's run: seededRun, and how the probes are placed (their gap, resting time and size). */
function probeRun(c: TrainContext): FillTrainingOptions {
  const { t } = c;
  return { ...seededRun(c), meanGapNs: t.gapSeconds * NS_PER_SECOND, horizonNs: (t.horizonSeconds ?? 10) * NS_PER_SECOND, qty: t.qty };
}

/**
 * One model kind, everything the rest of the code needs to know of it: what it is registered as, the smallest sets
 * it is registered from, how its examples are made (probes rest one decision interval, so their horizon follows the
 * router's), how it is trained and scored, and which registry entries of it the ml router can use. How it is loaded
 * is its artifact type `A`: the registry gives the artifact back as saved, and the router's slot of that name takes it.
 */
export interface ModelSpec<A extends ArtifactBase = ArtifactBase> {
  /** The kind its artifact is registered under (the registry's file names and its artifact schema). */
  kind: A['kind'];
  /**
   * The smallest sets it is registered from (a choice: below these the metrics say nothing and the weights are
   * noise). Rows are its examples; a validation set, where the model has one, is held to the test minimum.
   */
  minRows: { train: number; test: number };
  /**
   * Learnt from probes: their resting time is the label's horizon, which must be the router's decision interval (a
   * passive child rests one interval), and the router takes only models of this build's probe design.
   */
  probes: boolean;
  /** Scored on another market when `--test-scenario` gives one. */
  testMarket?: true;
  /** Examples made, the model trained and scored on held-out data against its baseline; meta.rows counts the sets. */
  train(c: TrainContext): Promise<Trained<A>>;
  /** Whether a registry entry of this kind can serve this build's ml router (besides a probe model's horizon and design). */
  fits(e: RegistryEntry): boolean;
}

/** The feature models' minimum: their rows are probes or 30-s volatility windows. */
const FEATURE_ROWS = { train: 50, test: 10 };
/** The backtest-batch models' minimum: their rows are parent orders (impact) or dark pings (dark). */
const BATCH_ROWS = { train: 10, test: 5 };

/** A feature model fits when it reads this build's features. */
const sameFeatures = (e: RegistryEntry): boolean => e.schema.hash === FEATURE_SCHEMA.hash;

/**
 * The model kinds: what `sor train` trains (the name on the command line, in this order) and the ml router routes
 * by. A new kind is a row here, its artifact schema in models/artifacts.ts, and its slot in MlModelArtifacts.
 */
export const MODELS: { readonly [K in keyof MlModelArtifacts]: ModelSpec<MlModelArtifacts[K]> } = {
  /**
   * The fill-probability model: probe datasets on three disjoint sets of seeds (train; validation, for the
   * calibration; test, held out), the model trained, the queue heuristic fitted on the same training data, and both
   * scored on the held-out seeds (or on another market).
   */
  fill: {
    kind: 'fill-probability',
    minRows: FEATURE_ROWS,
    probes: true,
    testMarket: true,
    async train(c) {
      const o: FillTrainingOptions = probeRun(c);
      const m = c.t.testMarket;
      if (m) {
        const f = marketFacts(m.scenario, m.file);
        o.testMarket = { scenario: m.scenario, file: m.file, adv: f.adv, longRunVolBps: f.volBps };
      }
      heldOut(o);
      const train = probeExamples(c.scenario, { ...o, seeds: o.trainSeeds }, 'label');
      const valid = probeExamples(c.scenario, { ...o, seeds: o.validSeeds }, 'label');
      const tm = o.testMarket;
      const test = tm
        ? probeExamples(tm.scenario, { ...o, seeds: o.testSeeds, file: tm.file, adv: tm.adv, longRunVolBps: tm.longRunVolBps }, 'label')
        : probeExamples(c.scenario, { ...o, seeds: o.testSeeds }, 'label');
      const artifact: FillModelArtifact = await trainFillModel(train, valid, probeNet(o));
      const heuristic = new QueueHeuristic(o.qty).fit(train);
      const metrics = evaluateFill(artifact, heuristic, test, valid);
      return {
        artifact,
        metrics,
        meta: { ...probeMeta(c.scenario, o, { train, valid, test }), ...(tm ? { test_scenario: tm.scenario.name } : {}), probe_qty: o.qty },
      };
    },
    fits: sameFeatures,
  },
  /**
   * The adverse-move model: the same probes, labelled by whether the mid moved against the probe's side over the
   * horizon; the same network and calibration as the fill model; scored on held-out seeds against the base rate and
   * the mid's recent move.
   */
  adverse: {
    kind: 'adverse-move',
    minRows: FEATURE_ROWS,
    probes: true,
    async train(c) {
      const o = probeRun(c);
      heldOut(o);
      const [train, valid, test] = [o.trainSeeds, o.validSeeds, o.testSeeds].map((seeds) => probeExamples(c.scenario, { ...o, seeds }, 'adverse')) as [
        Example[],
        Example[],
        Example[],
      ];
      const artifact = await trainFillModel(train, valid, { ...probeNet(o), kind: 'adverse-move' });
      return {
        artifact,
        metrics: evaluateAdverse(artifact, train, test),
        meta: probeMeta(c.scenario, o, { train, valid, test }),
      };
    },
    fits: sameFeatures,
  },
  /** The volatility model: examples on disjoint seeds, the model, and QLIKE on held-out seeds against EWMA and GARCH. */
  volatility: {
    kind: 'volatility',
    minRows: FEATURE_ROWS,
    probes: false,
    async train(c) {
      const o: VolTrainingOptions = { ...seededRun(c), everyNs: 30 * NS_PER_SECOND, horizonNs: (c.t.horizonSeconds ?? 300) * NS_PER_SECOND };
      heldOut(o);
      const returns: number[][] = [];
      const train = volExamples(c.scenario, { ...o, seeds: o.trainSeeds, onMinuteReturns: (r) => returns.push(r) });
      // the GARCH baseline is fitted on the training seeds' one-minute returns, then run on the test seeds
      const garch = fitGarch(returns);
      const valid = volExamples(c.scenario, { ...o, seeds: o.validSeeds, garch });
      const test = volExamples(c.scenario, { ...o, seeds: o.testSeeds, garch });
      const artifact = await trainVolModel(train, valid, {
        ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
        ...(o.hidden !== undefined ? { hidden: o.hidden } : {}),
        seed: o.seed,
        horizonNs: o.horizonNs,
      });
      return {
        artifact,
        metrics: evaluateVol(artifact, test, valid),
        meta: {
          ...runMeta(c.scenario, o, { train, valid, test }),
          garch: { alpha: garch.alpha, beta: garch.beta, long_run_bps: Math.round(garch.longRunBps * 1e4) / 1e4 },
        },
      };
    },
    fits: sameFeatures,
  },
  /**
   * The impact model, from backtest batches: the network learns from rule's runs; the channels from all four
   * policies' (rule and twap take and rest, the ml ablations rest and ping the pools at different rates; none needs a
   * model). The router needs the channels: an entry without them is from before they were fitted.
   */
  impact: {
    kind: 'impact',
    minRows: BATCH_ROWS,
    probes: false,
    async train({ scenario, file, t }) {
      const spec = (seed: number, orders: number) => standardSpec(scenario, file, CHANNEL_POLICIES, orders, seed);
      const train = await impactExamples(spec(trainBatch(t), t.orders), 2);
      const test = await impactExamples(spec(testBatch(t), t.testOrders), 2);
      const artifact = await trainImpactModel(train.examples, {
        dataHash: train.hash,
        schema: IMPACT_SCHEMA,
        seed: t.seed,
        ...(t.epochs !== undefined ? { epochs: t.epochs } : {}),
        ...(t.hidden !== undefined ? { hidden: t.hidden } : {}),
      });
      artifact.channels = fitChannels(train.channels);
      return {
        artifact,
        metrics: { ...evaluateImpact(artifact, test.examples), channels: evaluateChannels(artifact.channels, train.channels, test.channels) },
        meta: {
          scenario: scenario.name,
          policy: 'rule',
          channel_policies: CHANNEL_POLICIES,
          batches: { train: trainBatch(t), test: testBatch(t) },
          rows: { train: train.examples.length, test: test.examples.length },
        },
      };
    },
    fits: (e) => (e.meta as { channel_policies?: unknown } | null)?.channel_policies !== undefined,
  },
  /**
   * The venue-toxicity model: the same probes, those that filled, labelled by the adverse move after the fill; scored
   * on held-out seeds by mean squared error against each venue's mean markout on the training probes.
   */
  toxicity: {
    kind: 'toxicity',
    minRows: FEATURE_ROWS,
    probes: true,
    async train(c) {
      const o = probeRun(c);
      heldOut(o);
      const [train, test] = [o.trainSeeds, o.testSeeds].map((seeds) => toxicityExamples(c.scenario, { ...o, seeds })) as [ToxicityExample[], ToxicityExample[]];
      const artifact = await trainToxicityModel(train, { ...probeNet(o), horizonNs: o.horizonNs });
      return {
        artifact,
        metrics: evaluateToxicity(artifact, train, test),
        meta: probeMeta(c.scenario, o, { train, test }),
      };
    },
    fits: sameFeatures,
  },
  /**
   * The dark-pool model, from the dark pings of backtest batches of two ways of sizing them: rule's fixed slices, and
   * the even split of the ml router's passive budget. It reads no features, so any entry fits.
   */
  dark: {
    kind: 'dark-liquidity',
    minRows: BATCH_ROWS,
    probes: false,
    async train({ scenario, file, t }) {
      const pings = async (seed: number, orders: number) => {
        const spec = { ...standardSpec(scenario, file, DARK_POLICIES, orders, seed), recordPings: true };
        const onProgress = (d: number, n: number) => progress(`dark pings: backtest orders (${DARK_POLICIES.join(', ')})`, d, n);
        return (await runBacktest(spec, { workers: 2, onProgress })).flatMap((r) => r.runs.flatMap((x) => x.pings ?? []));
      };
      const train = await pings(trainBatch(t), t.darkOrders);
      const test = await pings(testBatch(t), t.testOrders);
      const artifact = fitDarkPools(train);
      return {
        artifact,
        metrics: evaluateDarkPools(artifact, train, test),
        meta: {
          scenario: scenario.name,
          policies: DARK_POLICIES,
          batches: { train: trainBatch(t), test: testBatch(t) },
          rows: { train: train.length, test: test.length },
        },
      };
    },
    fits: () => true,
  },
};
export type ModelName = keyof typeof MODELS;
/** The kinds' names, in the table's order. */
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];

/** A training run whose sets are too small to learn from or to score on (exit 2: ask for more data). */
export class TooLittleDataError extends SorError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Trains one model on a scenario and scores it on held-out data against its baseline; refuses sets below its minRows. */
export async function trainModel(model: ModelName, scenario: Scenario, file: string, t: TrainSettings): Promise<Trained> {
  const spec: ModelSpec = MODELS[model];
  const r = await spec.train({ scenario, file, t, facts: marketFacts(scenario, file) });
  const rows = (r.meta as { rows: Record<string, number | undefined> }).rows;
  const min = spec.minRows;
  // a validation set, where the model has one, is held to the held-out minimum
  const sets = [
    ['train', 'training', min.train, '--minutes, seeds or orders'],
    ['valid', 'validation', min.test, '--minutes or --valid-seeds'],
    ['test', 'held-out', min.test, '--minutes, seeds or orders'],
  ] as const;
  for (const [set, name, need, more] of sets) {
    const n = rows[set];
    if (set === 'valid' && n === undefined) continue;
    if (!((n ?? 0) >= need))
      throw new TooLittleDataError(`${model}: ${n ?? 0} ${name} examples; at least ${need} are needed (more ${more}); nothing was registered`);
  }
  return r;
}

/**
 * Small training runs: every model of the ml router trained for real, in seconds rather than minutes (fewer seeds,
 * shorter probing, fewer epochs and orders). For tests and for benchmarks that need some model, not a good one.
 */
export const QUICK_TRAINING: TrainSettings = {
  ...DEFAULT_TRAINING,
  trainSeeds: [1, 2],
  validSeeds: [3],
  testSeeds: [4],
  minutes: 20,
  epochs: 3,
  orders: 10,
  testOrders: 6,
  darkOrders: 8,
};

interface ProbeMeta {
  horizon_seconds?: number;
  probe_design?: number;
}

/** A probe model fits when it learnt from probes of this design (inside the spread too) resting one decision interval. */
const probeFits = (m: ProbeMeta | null, decisionSeconds: number): boolean => m?.horizon_seconds === decisionSeconds && m.probe_design === PROBE_DESIGN;

/**
 * The registry's newest model of each kind that fits the ml router: this build's feature schema; for the probe
 * models, a horizon equal to the decision interval (a passive child rests one interval) and this build's probe design
 * (the router rests inside the spread, so its models must have seen probes there); an impact model with its
 * channels. `missing` names the kinds with none.
 */
export function findRouterModels(
  registry: ModelRegistry,
  decisionSeconds: number,
): { entries: Partial<Record<ModelName, RegistryEntry>>; missing: ModelName[] } {
  const all = registry.list();
  const entries: Partial<Record<ModelName, RegistryEntry>> = {};
  const missing: ModelName[] = [];
  for (const model of MODEL_NAMES) {
    const spec: ModelSpec = MODELS[model];
    const fits = (e: RegistryEntry) => e.kind === spec.kind && spec.fits(e) && (!spec.probes || probeFits(e.meta as ProbeMeta | null, decisionSeconds));
    const e = all.filter(fits).pop();
    if (e) entries[model] = e;
    else missing.push(model);
  }
  return { entries, missing };
}

/** The ml router's six artifacts, each as `load` gives it (from registry entries, or by id). */
export function routerArtifacts(load: <T>(model: ModelName) => T): MlModelArtifacts {
  const one = <K extends ModelName>(model: K) => load<MlModelArtifacts[K]>(model);
  // in the router's order, not the table's: reports list the artifacts so (`sor bench decision` prints them)
  return { fill: one('fill'), adverse: one('adverse'), volatility: one('volatility'), toxicity: one('toxicity'), impact: one('impact'), dark: one('dark') };
}

/**
 * The ml router's models: the registry's (findRouterModels); a kind with none is trained on `scenario` (with the
 * defaults of `sor train`, unless told) and registered. Returns the artifacts and which entries they are.
 */
export async function routerModels(
  registry: ModelRegistry,
  scenario: Scenario,
  file: string,
  decisionSeconds: number,
  onTrain: (model: ModelName) => void = () => {},
  settings: TrainSettings = DEFAULT_TRAINING,
): Promise<{ artifacts: MlModelArtifacts; entries: Record<ModelName, RegistryEntry>; trained: ModelName[] }> {
  const { entries, missing } = findRouterModels(registry, decisionSeconds);
  // the models trained here are kept: a registry that cannot take them is refused before minutes of training
  if (missing.length > 0) registry.assertWritable();
  for (const model of missing) {
    onTrain(model);
    const r = await trainModel(model, scenario, file, { ...settings, ...(MODELS[model].probes ? { horizonSeconds: decisionSeconds } : {}) });
    entries[model] = registry.save(MODELS[model].kind, r.artifact, r.metrics, r.meta);
  }
  return {
    artifacts: routerArtifacts(<T>(model: ModelName) => registry.artifact<T>(entries[model]!)),
    entries: entries as Record<ModelName, RegistryEntry>,
    trained: missing,
  };
}
