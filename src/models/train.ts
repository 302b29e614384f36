import type { Scenario } from '../sim/scenario.js';
import { probeExamples, type FillProbeOptions } from './datasets.js';
import { evaluateAdverse, evaluateFill, QueueHeuristic, trainFillModel, type Example, type FillModelArtifact } from './fill-model.js';
import { evaluateToxicity, toxicityExamples, trainToxicityModel, type ToxicityExample } from './toxicity.js';
import { evaluateVol, fitGarch, trainVolModel, volExamples, type VolOptions } from './volatility.js';

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
export class HeldOutError extends Error {}

/** What a model's registry entry records of its run: the market, the horizon, the seeds and rows of each set used. */
function runMeta(scenario: Scenario, o: TrainingRun & { horizonNs: number }, rows: { train: readonly unknown[]; valid?: readonly unknown[]; test: readonly unknown[] }) {
  const seeds = { train: o.trainSeeds, ...(rows.valid ? { valid: o.validSeeds } : {}), test: o.testSeeds };
  const n = { train: rows.train.length, ...(rows.valid ? { valid: rows.valid.length } : {}), test: rows.test.length };
  return { scenario: scenario.name, horizon_seconds: o.horizonNs / 1e9, seeds, rows: n };
}

/** Test seeds must be held out: none may be a training or validation seed. */
function heldOut(o: TrainingRun): void {
  const overlap = o.testSeeds.filter((s) => o.trainSeeds.includes(s) || o.validSeeds.includes(s));
  if (overlap.length > 0) throw new HeldOutError(`test seeds ${overlap.join(', ')} are also training or validation seeds`);
}

export interface FillTrainingOptions extends Omit<FillProbeOptions, 'seeds'>, TrainingRun {
  /** Test on another market (e.g. a real day replayed) instead of the training scenario's held-out seeds. */
  testMarket?: { scenario: Scenario; file: string; adv: number; longRunVolBps: number };
}

/**
 * The fill-probability model end to end: probe datasets on three disjoint sets of seeds (train; validation, for the
 * calibration; test, held out), the model trained, the queue heuristic fitted on the same training data, and both
 * scored on the held-out seeds.
 */
export async function trainFill(scenario: Scenario, o: FillTrainingOptions) {
  heldOut(o);
  const train = probeExamples(scenario, { ...o, seeds: o.trainSeeds }, 'label');
  const valid = probeExamples(scenario, { ...o, seeds: o.validSeeds }, 'label');
  const tm = o.testMarket;
  const test = tm
    ? probeExamples(tm.scenario, { ...o, seeds: o.testSeeds, file: tm.file, adv: tm.adv, longRunVolBps: tm.longRunVolBps }, 'label')
    : probeExamples(scenario, { ...o, seeds: o.testSeeds }, 'label');
  const artifact: FillModelArtifact = await trainFillModel(train, valid, probeNet(o));
  const heuristic = new QueueHeuristic(o.qty).fit(train);
  const metrics = evaluateFill(artifact, heuristic, test, valid);
  return {
    artifact,
    metrics,
    meta: { ...runMeta(scenario, o, { train, valid, test }), ...(tm ? { test_scenario: tm.scenario.name } : {}), probe_qty: o.qty },
  };
}

export interface VolTrainingOptions extends Omit<VolOptions, 'seeds'>, TrainingRun {}

/** The volatility model end to end: examples on disjoint seeds, the model, and QLIKE on held-out seeds against EWMA and GARCH. */
export async function trainVolatility(scenario: Scenario, o: VolTrainingOptions) {
  heldOut(o);
  const returns: number[][] = [];
  const train = volExamples(scenario, { ...o, seeds: o.trainSeeds, onMinuteReturns: (r) => returns.push(r) });
  // the GARCH baseline is fitted on the training seeds' one-minute returns, then run on the test seeds
  const garch = fitGarch(returns);
  const valid = volExamples(scenario, { ...o, seeds: o.validSeeds, garch });
  const test = volExamples(scenario, { ...o, seeds: o.testSeeds, garch });
  const artifact = await trainVolModel(train, valid, { ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.hidden !== undefined ? { hidden: o.hidden } : {}), seed: o.seed, horizonNs: o.horizonNs });
  return {
    artifact,
    metrics: evaluateVol(artifact, test, valid),
    meta: { ...runMeta(scenario, o, { train, valid, test }), garch: { alpha: garch.alpha, beta: garch.beta, long_run_bps: Math.round(garch.longRunBps * 1e4) / 1e4 } },
  };
}

/**
 * The adverse-move model: the same probes, labelled by whether the mid moved against the probe's side over the
 * horizon; the same network and calibration as the fill model; scored on held-out seeds against the base rate and
 * the mid's recent move.
 */
export async function trainAdverse(scenario: Scenario, o: FillTrainingOptions) {
  heldOut(o);
  const [train, valid, test] = [o.trainSeeds, o.validSeeds, o.testSeeds].map((seeds) => probeExamples(scenario, { ...o, seeds }, 'adverse')) as [Example[], Example[], Example[]];
  const artifact = await trainFillModel(train, valid, { ...probeNet(o), kind: 'adverse-move' });
  return {
    artifact,
    metrics: evaluateAdverse(artifact, train, test),
    meta: runMeta(scenario, o, { train, valid, test }),
  };
}

/**
 * The venue-toxicity model: the same probes, those that filled, labelled by the adverse move after the fill; scored
 * on held-out seeds by mean squared error against each venue's mean markout on the training probes.
 */
export async function trainToxicity(scenario: Scenario, o: FillTrainingOptions) {
  heldOut(o);
  const [train, test] = [o.trainSeeds, o.testSeeds].map((seeds) => toxicityExamples(scenario, { ...o, seeds })) as [ToxicityExample[], ToxicityExample[]];
  const artifact = await trainToxicityModel(train, { ...probeNet(o), horizonNs: o.horizonNs });
  return {
    artifact,
    metrics: evaluateToxicity(artifact, train, test),
    meta: runMeta(scenario, o, { train, test }),
  };
}
