import { Hash64 } from '../core/hash.js';
import { F, FEATURE_NAMES, FEATURE_SCHEMA, N_FEATURES } from '../features/engine.js';
import { DenseForward, type DenseLayers } from './dense.js';

/**
 * What the models built on the feature vector share: examples, the input transform (oriented to the order's side,
 * log1p where scales span decades, standardised), the hash of training data, and the forward pass that checks the
 * feature schema before it runs.
 */
export interface InputTransform {
  log1p: boolean[];
  mean: number[];
  sd: number[];
}

/** A network on the feature vector, as stored in an artifact. */
export interface FeatureNetArtifact extends DenseLayers {
  schema: { version: number; hash: string; names: string[] };
  transform: InputTransform;
}

/** Features whose scale spans orders of magnitude: the model sees log(1 + x). */
const LOG_FEATURES = new Set<string>(['bid_depth_1', 'bid_depth_2', 'bid_depth_3', 'bid_depth_4', 'bid_depth_5', 'ask_depth_1', 'ask_depth_2', 'ask_depth_3', 'ask_depth_4', 'ask_depth_5', 'queue_ahead', 'venue_latency_us']);

export interface Example {
  x: ArrayLike<number>; // a feature vector of the current schema
  y: number; // 0/1
}

/** A hash of a dataset's numbers, in order: the artifact records what it was trained on. */
export function dataHash(examples: readonly Example[]): string {
  const h = new Hash64();
  for (const e of examples) {
    for (let i = 0; i < e.x.length; i++) h.num(Number.isFinite(e.x[i]!) ? e.x[i]! : -0.5);
    h.word(e.y);
  }
  return h.hex();
}

/** The input transform fitted on training examples: log1p where scales span decades, then standardisation. */
export function fitTransformOn(examples: readonly Example[]): InputTransform {
  const log1p = FEATURE_NAMES.map((n) => LOG_FEATURES.has(n));
  const mean = new Array<number>(N_FEATURES).fill(0);
  const sd = new Array<number>(N_FEATURES).fill(0);
  const cnt = new Array<number>(N_FEATURES).fill(0);
  const val = (e: Example, j: number) => {
    const v = oriented(e.x, j);
    return log1p[j] ? Math.log1p(Math.max(0, v)) : v;
  };
  for (const e of examples) {
    for (let j = 0; j < N_FEATURES; j++) {
      const v = val(e, j);
      if (Number.isFinite(v)) {
        mean[j]! += v;
        cnt[j]!++;
      }
    }
  }
  for (let j = 0; j < N_FEATURES; j++) mean[j] = cnt[j]! > 0 ? mean[j]! / cnt[j]! : 0;
  for (const e of examples) {
    for (let j = 0; j < N_FEATURES; j++) {
      const v = val(e, j);
      if (Number.isFinite(v)) sd[j]! += (v - mean[j]!) ** 2;
    }
  }
  for (let j = 0; j < N_FEATURES; j++) {
    const s = cnt[j]! > 1 ? Math.sqrt(sd[j]! / (cnt[j]! - 1)) : 0;
    sd[j] = s > 1e-12 ? s : 1; // a constant feature stays 0
  }
  return { log1p, mean, sd };
}

/**
 * Features seen from the order's side: for a sell, the bid and ask depths trade places and the signed imbalances
 * change sign, so that "own side" and "with the order" mean the same for buys and sells.
 */
function oriented(x: ArrayLike<number>, j: number): number {
  if (x[F.side_sign]! >= 0) return x[j]!;
  if (j === F.book_imbalance || j === F.trade_flow_imbalance || j === F.mid_change_10s_bps) return -x[j]!;
  if (j >= F.bid_depth_1 && j <= F.bid_depth_5) return x[j - F.bid_depth_1 + F.ask_depth_1]!;
  if (j >= F.ask_depth_1 && j <= F.ask_depth_5) return x[j - F.ask_depth_1 + F.bid_depth_1]!;
  return x[j]!;
}

/** The standardised input of one vector (missing values at the training mean, i.e. 0). */
export function transformInto(t: InputTransform, x: ArrayLike<number>, out: Float32Array, at = 0): void {
  for (let j = 0; j < N_FEATURES; j++) {
    let v = oriented(x, j);
    if (t.log1p[j]) v = Math.log1p(Math.max(0, v));
    out[at + j] = Number.isFinite(v) ? (v - t.mean[j]!) / t.sd[j]! : 0;
  }
}

/** The network of a feature-vector model, run on the hot path: it refuses vectors of another feature schema. */
export class FeatureNet {
  private readonly x = new Float32Array(N_FEATURES);
  private readonly net: DenseForward;

  constructor(readonly art: FeatureNetArtifact) {
    if (art.schema.hash !== FEATURE_SCHEMA.hash) {
      throw new Error(`model trained on feature schema ${art.schema.version} (${art.schema.hash}); this build has ${FEATURE_SCHEMA.version} (${FEATURE_SCHEMA.hash})`);
    }
    this.net = new DenseForward(art, N_FEATURES);
  }

  /** The last layer's output (before any link function). */
  output(features: ArrayLike<number>): number {
    transformInto(this.art.transform, features, this.x);
    return this.net.run(this.x);
  }
}
