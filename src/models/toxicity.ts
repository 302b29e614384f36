import { FEATURE_SCHEMA, N_FEATURES } from '../features/engine.js';
import { trainDense } from './dense.js';
import { dataHash, FeatureNet, fitTransformOn, transformInto, type Example, type FeatureNetArtifact } from './inputs.js';

/**
 * Venue toxicity: the adverse selection a passive fill suffers. Learnt from the probes that filled: the label is the
 * mid's move over the probe's horizon against the side that was filled (bps; + = the market went the way that
 * made the fill a loss, e.g. down after a bid was hit), regressed on the feature vector at placement, which carries
 * the venue (its fees, fill rate and latency) and the book. The baseline is each venue's mean markout on the
 * training probes: what a router that tracks venue markouts, and nothing else, would predict.
 */
export interface ToxicityModelArtifact extends FeatureNetArtifact {
  kind: 'toxicity';
  format: 1;
  horizon_ns: number;
  /** Labels are clipped to ±clip bps in training (one jump should not set the weights). */
  clip_bps: number;
  training: { data_hash: string; rows: number; epochs: number; hidden: number; seed: number };
}

export interface ToxicityExample extends Example {
  /** The lit venue's index in the session. */
  venue: number;
}

export class ToxicityForward extends FeatureNet {
  constructor(override readonly art: ToxicityModelArtifact) {
    super(art);
  }
  /** The expected adverse move after a passive fill, bps. */
  predict(features: ArrayLike<number>): number {
    return this.output(features);
  }
  /** The same, for a vector whose market part was given to prepareMarket. */
  predictForVenue(features: ArrayLike<number>): number {
    return this.outputForVenue(features);
  }
  /** The same, for the vector of a venueSum. */
  predictFromSum(sum: Float64Array): number {
    return this.outputFromSum(sum);
  }
}

export async function trainToxicityModel(
  train: readonly ToxicityExample[],
  opts: { hidden?: number; epochs?: number; seed?: number; horizonNs: number; clipBps?: number },
): Promise<ToxicityModelArtifact> {
  const hidden = opts.hidden ?? 16;
  const epochs = opts.epochs ?? 20;
  const seed = opts.seed ?? 1;
  const clip = opts.clipBps ?? 30;
  const transform = fitTransformOn(train);
  const X = new Float32Array(train.length * N_FEATURES);
  const Y = new Float32Array(train.length);
  train.forEach((e, i) => {
    transformInto(transform, e.x, X, i * N_FEATURES);
    Y[i] = Math.max(-clip, Math.min(clip, e.y));
  });
  const my = Y.reduce((a, b) => a + b, 0) / Math.max(1, Y.length);
  const { layers } = await trainDense(X, Y, N_FEATURES, { hidden, epochs, seed, output: 'linear', batch: 128, learningRate: 0.003, outputBias: my });
  return {
    kind: 'toxicity',
    format: 1,
    schema: { version: FEATURE_SCHEMA.version, hash: FEATURE_SCHEMA.hash, names: [...FEATURE_SCHEMA.names] },
    horizon_ns: opts.horizonNs,
    clip_bps: clip,
    transform,
    layers,
    training: { data_hash: dataHash(train), rows: train.length, epochs, hidden, seed },
  };
}

/** Per venue, the mean label of the training examples (the baseline); venues unseen get the overall mean. */
export function venueMeans(train: readonly ToxicityExample[]): Map<number, number> {
  const sum = new Map<number, { s: number; n: number }>();
  for (const e of train) {
    const a = sum.get(e.venue) ?? { s: 0, n: 0 };
    a.s += e.y;
    a.n++;
    sum.set(e.venue, a);
  }
  return new Map([...sum].map(([v, a]) => [v, a.s / a.n]));
}

/** Mean squared error and out-of-sample R² (against the test mean) of the model and of the venue-mean baseline. */
export function evaluateToxicity(art: ToxicityModelArtifact, train: readonly ToxicityExample[], test: readonly ToxicityExample[]) {
  const fwd = new ToxicityForward(art);
  const means = venueMeans(train);
  const overall = train.reduce((a, e) => a + e.y, 0) / Math.max(1, train.length);
  const ym = test.reduce((a, e) => a + e.y, 0) / Math.max(1, test.length);
  let sst = 0;
  let sseM = 0;
  let sseB = 0;
  for (const e of test) {
    sst += (e.y - ym) ** 2;
    sseM += (e.y - fwd.predict(e.x)) ** 2;
    sseB += (e.y - (means.get(e.venue) ?? overall)) ** 2;
  }
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  const n = Math.max(1, test.length);
  return {
    mse: { model: r(sseM / n), venue_mean: r(sseB / n) },
    r2: { model: r(1 - sseM / sst), venue_mean: r(1 - sseB / sst) },
    improvement_vs_venue_mean: r(1 - sseM / sseB),
    mean_adverse_bps: { test: r(ym), train: r(overall) },
    venue_means_bps: Object.fromEntries([...means].sort((a, b) => a[0] - b[0]).map(([v, m]) => [String(v), r(m)])),
    n: test.length,
  };
}
