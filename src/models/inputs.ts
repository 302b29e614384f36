import { Hash64 } from '../core/hash.js';
import { F, FEATURE_NAMES, FEATURE_SCHEMA, N_FEATURES, VENUE_FEATURES } from '../features/engine.js';
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
const LOG_FEATURES = new Set<string>([...FEATURE_NAMES.filter((n) => /^(bid|ask)_depth_\d$/.test(n)), 'queue_ahead', 'venue_latency_us']);

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
 * change sign, so that "own side" and "with the order" mean the same for buys and sells. As tables: where a sell
 * reads feature j from, and the sign it takes.
 */
const SELL_FROM = Int32Array.from({ length: N_FEATURES }, (_, j) =>
  j >= F.bid_depth_1 && j <= F.bid_depth_5
    ? j - F.bid_depth_1 + F.ask_depth_1
    : j >= F.ask_depth_1 && j <= F.ask_depth_5
      ? j - F.ask_depth_1 + F.bid_depth_1
      : j,
);
const SELL_SIGN = Float64Array.from({ length: N_FEATURES }, (_, j) =>
  j === F.book_imbalance || j === F.trade_flow_imbalance || j === F.mid_change_10s_bps ? -1 : 1,
);

function oriented(x: ArrayLike<number>, j: number): number {
  return x[F.side_sign]! >= 0 ? x[j]! : SELL_SIGN[j]! * x[SELL_FROM[j]!]!;
}

/** An InputTransform compiled to typed arrays, for the hot path and for training loops alike. */
class Standardiser {
  private readonly log: Uint8Array;
  private readonly mean: Float64Array;
  private readonly sd: Float64Array;
  constructor(t: InputTransform) {
    this.log = Uint8Array.from(t.log1p, (b) => (b ? 1 : 0));
    this.mean = Float64Array.from(t.mean);
    this.sd = Float64Array.from(t.sd);
  }
  /** A raw value of feature j, already oriented, standardised (missing values at the training mean, i.e. 0). */
  value(j: number, v: number): number {
    if (this.log[j] === 1) v = Math.log1p(Math.max(0, v));
    return Number.isFinite(v) ? (v - this.mean[j]!) / this.sd[j]! : 0;
  }
  /** Feature j of a vector, oriented to its side and standardised. */
  z(x: ArrayLike<number>, j: number, sell: boolean): number {
    return this.value(j, sell ? SELL_SIGN[j]! * x[SELL_FROM[j]!]! : x[j]!);
  }
  /** The whole vector, into out from `at`. */
  into(x: ArrayLike<number>, out: Float32Array | Float64Array, at: number): void {
    const sell = x[F.side_sign]! < 0;
    for (let j = 0; j < N_FEATURES; j++) out[at + j] = this.z(x, j, sell);
  }

  /**
   * The raw values (oriented) each feature may take within `maxZ` standard deviations of its training mean: the
   * standardisation inverted once (log1p is monotone), so that checking a vector is a comparison per feature.
   */
  bounds(maxZ: number): { lo: Float64Array; hi: Float64Array } {
    let b = this.boundsFor.get(maxZ);
    if (b) return b;
    const lo = new Float64Array(N_FEATURES);
    const hi = new Float64Array(N_FEATURES);
    for (let j = 0; j < N_FEATURES; j++) {
      const l = this.mean[j]! - maxZ * this.sd[j]!;
      const h = this.mean[j]! + maxZ * this.sd[j]!;
      if (this.log[j] === 1) {
        // z of log1p(max(0, v)): below the bound only if l > 0, above it where v > expm1(h) (everywhere if h < 0)
        lo[j] = l > 0 ? Math.expm1(l) : -Infinity;
        hi[j] = h >= 0 ? Math.expm1(h) : -Infinity;
      } else {
        lo[j] = l;
        hi[j] = h;
      }
    }
    this.boundsFor.set(maxZ, (b = { lo, hi }));
    return b;
  }
  private readonly boundsFor = new Map<number, { lo: Float64Array; hi: Float64Array }>();

  /**
   * The first of features `which` of a vector outside its bounds (its index), or −1: a missing value (not finite)
   * counts as at the mean, as in the forward pass.
   */
  firstOutside(x: ArrayLike<number>, which: Int32Array, lo: Float64Array, hi: Float64Array): number {
    const sell = x[F.side_sign]! < 0;
    for (let k = 0; k < which.length; k++) {
      const j = which[k]!;
      const v = sell ? SELL_SIGN[j]! * x[SELL_FROM[j]!]! : x[j]!;
      if (v < lo[j]! || v > hi[j]!) return j;
    }
    return -1;
  }
}

const ALL_FEATURES = Int32Array.from({ length: N_FEATURES }, (_, j) => j);

const compiled = new WeakMap<InputTransform, Standardiser>();
function standardiser(t: InputTransform): Standardiser {
  let s = compiled.get(t);
  if (!s) compiled.set(t, (s = new Standardiser(t)));
  return s;
}

/** The standardised input of one vector (missing values at the training mean, i.e. 0). */
export function transformInto(t: InputTransform, x: ArrayLike<number>, out: Float32Array | Float64Array, at = 0): void {
  standardiser(t).into(x, out, at);
}

/** Whether a feature is one of the venue's and child's (the rest is the market's and the order's). */
const IS_VENUE = Array.from({ length: N_FEATURES }, (_, j) => (VENUE_FEATURES as readonly number[]).includes(j));

/** The network of a feature-vector model, run on the hot path: it refuses vectors of another feature schema. */
export class FeatureNet {
  private readonly x = new Float64Array(N_FEATURES);
  private readonly net: DenseForward;
  private readonly t: Standardiser;
  /** The first layer's sum over the market's features, kept by prepareMarket. */
  private readonly base: Float64Array;
  private readonly pre: Float64Array;
  private readonly market: Int32Array;
  private readonly venue: Int32Array;

  constructor(readonly art: FeatureNetArtifact) {
    if (art.schema.hash !== FEATURE_SCHEMA.hash) {
      throw new Error(
        `model trained on feature schema ${art.schema.version} (${art.schema.hash}); this build has ${FEATURE_SCHEMA.version} (${FEATURE_SCHEMA.hash})`,
      );
    }
    this.net = new DenseForward(art, N_FEATURES);
    this.t = standardiser(art.transform);
    this.base = new Float64Array(this.net.firstBias.length);
    this.pre = new Float64Array(this.net.firstBias.length);
    this.venue = Int32Array.from(VENUE_FEATURES);
    this.market = Int32Array.from(Array.from({ length: N_FEATURES }, (_, j) => j).filter((j) => !IS_VENUE[j]));
  }

  /** The last layer's output (before any link function). */
  output(features: ArrayLike<number>): number {
    this.t.into(features, this.x, 0);
    return this.net.run(this.x);
  }

  /**
   * For many vectors that differ only in the venue's and child's features (the options of one decision): the first
   * layer's sum over the rest, once. outputForVenue then adds only the venue's part.
   */
  prepareMarket(features: ArrayLike<number>): void {
    this.base.set(this.net.firstBias);
    this.accumulate(features, this.market, this.base);
  }

  /** The output for a vector whose market part is the one last given to prepareMarket. */
  outputForVenue(features: ArrayLike<number>): number {
    this.pre.set(this.base);
    this.accumulate(features, this.venue, this.pre);
    return this.net.runAfterFirst(this.pre);
  }

  /** The first layer's sum for a whole vector (market part from prepareMarket), into a caller's array of hiddenSize. */
  venueSum(features: ArrayLike<number>, into: Float64Array): void {
    into.set(this.base);
    this.accumulate(features, this.venue, into);
  }

  /**
   * A feature of a vector further than `maxZ` training standard deviations from its training mean (missing values
   * count as at the mean), with how far, or null: what the model checks read to see an input the model never saw the
   * like of. `part`: the whole vector, its market part (once a decision) or its venue part (once a place).
   * A comparison per feature against bounds computed once; reuses one object.
   */
  beyond(features: ArrayLike<number>, maxZ: number, part: 'all' | 'market' | 'venue' = 'all'): { z: number; name: string } | null {
    const { lo, hi } = this.t.bounds(maxZ);
    const j = this.t.firstOutside(features, part === 'all' ? ALL_FEATURES : part === 'market' ? this.market : this.venue, lo, hi);
    if (j < 0) return null;
    this.far.z = Math.abs(this.t.z(features, j, features[F.side_sign]! < 0));
    this.far.name = FEATURE_NAMES[j]!;
    return this.far;
  }
  private readonly far = { z: 0, name: '' };

  get hiddenSize(): number {
    return this.base.length;
  }

  /**
   * The output for the vector of a venueSum with one of its venue features changed from `from` to `to` (e.g. the
   * queue ahead of the next lot): one row of the first layer, not the whole vector.
   */
  outputWith(sum: Float64Array, j: number, from: number, to: number): number {
    this.shift(sum, this.pre, j, from, to);
    return this.net.runAfterFirst(this.pre);
  }

  /**
   * A venueSum moved to the vector with one venue feature changed from `from` to `to`, in place (one row of the first
   * layer): the places of one venue that differ only in the child's distance and queue, from one sum.
   */
  shiftSum(sum: Float64Array, j: number, from: number, to: number): void {
    this.shift(sum, sum, j, from, to);
  }

  /** `into` = `sum` with feature j moved from `from` to `to`: one row of the first layer (`into` may be `sum`). */
  private shift(sum: Float64Array, into: Float64Array, j: number, from: number, to: number): void {
    const dz = this.t.value(j, to) - this.t.value(j, from);
    const w = this.net.firstWeights;
    const h = into.length;
    const row = j * h;
    for (let o = 0; o < h; o++) into[o] = sum[o]! + dz * w[row + o]!;
  }

  /** The output for the vector of a venueSum (shifted or not). */
  outputFromSum(sum: Float64Array): number {
    return this.net.runAfterFirst(sum);
  }

  private accumulate(features: ArrayLike<number>, which: Int32Array, into: Float64Array): void {
    const w = this.net.firstWeights;
    const h = into.length;
    const sell = features[F.side_sign]! < 0;
    for (let k = 0; k < which.length; k++) {
      const j = which[k]!;
      const z = this.t.z(features, j, sell);
      if (z === 0) continue;
      const row = j * h;
      for (let o = 0; o < h; o++) into[o]! += z * w[row + o]!;
    }
  }
}
