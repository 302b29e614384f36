import { Hash64 } from '../core/hash.js';
import { Rng } from '../core/rng.js';
import { F, FEATURE_NAMES, FEATURE_SCHEMA, N_FEATURES } from '../features/engine.js';
import { scores } from './metrics.js';
import { DenseForward, tfDense, trainDense } from './dense.js';

/** Features whose scale spans orders of magnitude: the model sees log(1 + x). */
const LOG_FEATURES = new Set<string>(['bid_depth_1', 'bid_depth_2', 'bid_depth_3', 'bid_depth_4', 'bid_depth_5', 'ask_depth_1', 'ask_depth_2', 'ask_depth_3', 'ask_depth_4', 'ask_depth_5', 'queue_ahead', 'venue_latency_us']);

export interface Example {
  x: ArrayLike<number>; // a feature vector of the current schema
  y: number; // 0/1
}

/** A trained fill-probability model: everything needed to run it, and where it came from. */
export interface FillModelArtifact {
  /** What it predicts: a probe's fill within the horizon, or an adverse move of the mid over it. */
  kind: 'fill-probability' | 'adverse-move';
  format: 1;
  schema: { version: number; hash: string; names: string[] };
  transform: { log1p: boolean[]; mean: number[]; sd: number[] };
  /** Dense layers, weights row-major [in][out]; hidden layers tanh, the last one a logit. */
  layers: { w: number[][]; b: number[] }[];
  /** Platt scaling of the logit, fitted on held-out data: p = σ(a·z + b). */
  calibration: { a: number; b: number };
  training: { data_hash: string; rows: number; positives: number; epochs: number; hidden: number; seed: number };
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
export function fitTransformOn(examples: readonly Example[]): FillModelArtifact['transform'] {
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
export function transformInto(t: FillModelArtifact['transform'], x: ArrayLike<number>, out: Float32Array, at = 0): void {
  for (let j = 0; j < N_FEATURES; j++) {
    let v = oriented(x, j);
    if (t.log1p[j]) v = Math.log1p(Math.max(0, v));
    out[at + j] = Number.isFinite(v) ? (v - t.mean[j]!) / t.sd[j]! : 0;
  }
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Platt scaling: a, b maximising the likelihood of σ(a z + b) on (z, y), by Newton's method with step halving (a
 * step that lowers the likelihood is halved until it does not), so that it cannot run away on flat or nearly
 * separable data.
 */
export function fitPlatt(z: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number } {
  const ll = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < z.length; i++) {
      const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(a * z[i]! + b)));
      s += y[i] ? Math.log(p) : Math.log(1 - p);
    }
    return s;
  };
  let a = 1;
  let b = 0;
  let cur = ll(a, b);
  for (let it = 0; it < 100; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i]! + b);
      const r = p - y[i]!;
      const w = p * (1 - p);
      ga += r * z[i]!;
      gb += r;
      haa += w * z[i]! * z[i]!;
      hab += w * z[i]!;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-18)) break;
    let da = (hbb * ga - hab * gb) / det;
    let db = (haa * gb - hab * ga) / det;
    let next = ll(a - da, b - db);
    for (let h = 0; h < 30 && !(next >= cur); h++) {
      da /= 2;
      db /= 2;
      next = ll(a - da, b - db);
    }
    if (!(next >= cur)) break;
    a -= da;
    b -= db;
    const gain = next - cur;
    cur = next;
    if (gain < 1e-12) break;
  }
  return { a, b };
}

/**
 * Trains a fill-probability model with TensorFlow.js (wasm): one hidden tanh layer and a logit, binary
 * cross-entropy, Adam, mini-batches in an order drawn from the seed (tfjs's own shuffle would use Math.random),
 * weights initialised from the seed. The logit is then calibrated by Platt scaling on the validation examples.
 */
export async function trainFillModel(
  train: readonly Example[],
  valid: readonly Example[],
  opts: { hidden?: number; epochs?: number; learningRate?: number; batch?: number; seed?: number; kind?: FillModelArtifact['kind'] } = {},
): Promise<FillModelArtifact> {
  const hidden = opts.hidden ?? 16;
  const epochs = opts.epochs ?? 30;
  const seed = opts.seed ?? 1;
  const transform = fitTransformOn(train);
  const rng = Rng.stream(seed, 'train:fill');
  const order = Array.from({ length: train.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const X = new Float32Array(train.length * N_FEATURES);
  const Y = new Float32Array(train.length);
  order.forEach((k, i) => {
    transformInto({ ...transform }, train[k]!.x, X, i * N_FEATURES);
    Y[i] = train[k]!.y;
  });
  const { layers } = await trainDense(X, Y, N_FEATURES, { hidden, epochs, seed, output: 'sigmoid', ...(opts.learningRate !== undefined ? { learningRate: opts.learningRate } : {}), ...(opts.batch !== undefined ? { batch: opts.batch } : {}) });
  const art: FillModelArtifact = {
    kind: opts.kind ?? 'fill-probability',
    format: 1,
    schema: { version: FEATURE_SCHEMA.version, hash: FEATURE_SCHEMA.hash, names: [...FEATURE_NAMES] },
    transform,
    layers,
    calibration: { a: 1, b: 0 },
    training: { data_hash: dataHash(train), rows: train.length, positives: train.reduce((a, e) => a + e.y, 0), epochs, hidden, seed },
  };
  const fwd = new FillForward(art);
  const z = valid.map((e) => fwd.logit(e.x));
  art.calibration = fitPlatt(z, valid.map((e) => e.y));
  return art;
}

/**
 * The hot-path forward pass: plain Float32Array arithmetic, no allocation per call, the same float32 rounding of
 * inputs and weights as tfjs (checked against it to 1e-5).
 */
export class FillForward {
  private readonly x = new Float32Array(N_FEATURES);
  private readonly net: DenseForward;

  constructor(readonly art: FillModelArtifact) {
    if (art.schema.hash !== FEATURE_SCHEMA.hash) throw new Error(`model trained on feature schema ${art.schema.version} (${art.schema.hash}); this build has ${FEATURE_SCHEMA.version} (${FEATURE_SCHEMA.hash})`);
    this.net = new DenseForward(art, N_FEATURES);
  }

  /** The uncalibrated logit of the last layer. */
  logit(features: ArrayLike<number>): number {
    transformInto(this.art.transform, features, this.x);
    return this.net.run(this.x);
  }

  /** The raw network output σ(logit), as tfjs computes it. */
  raw(features: ArrayLike<number>): number {
    return sigmoid(this.logit(features));
  }

  /** The calibrated probability of a fill. */
  predict(features: ArrayLike<number>): number {
    const { a, b } = this.art.calibration;
    return sigmoid(a * this.logit(features) + b);
  }
}

/** The network's raw outputs computed by tfjs itself, for checking the forward pass. */
export async function tfRaw(art: FillModelArtifact, xs: readonly ArrayLike<number>[]): Promise<Float32Array> {
  const X = new Float32Array(xs.length * N_FEATURES);
  xs.forEach((x, i) => transformInto(art.transform, x, X, i * N_FEATURES));
  return (await tfDense(art, X, N_FEATURES)).map(sigmoid);
}

/**
 * The queue-position heuristic the model must beat: a probe fills if the queue in front of it (and, behind the
 * touch, a penalty per tick) drains within the horizon, with drained volume exponential of mean L:
 * P = exp(−(queue_ahead + qty + D·distance) / L), L and D fitted by maximum likelihood on the training data.
 */
export class QueueHeuristic {
  L = 1000;
  D = 0;
  constructor(readonly qty: number) {}

  p(x: ArrayLike<number>): number {
    const q = Math.max(0, x[F.queue_ahead]!) + this.qty + this.D * Math.max(0, x[F.distance_ticks]! || 0);
    return Math.min(1 - 1e-6, Math.max(1e-6, Math.exp(-q / this.L)));
  }

  fit(train: readonly Example[]): this {
    let best = { ll: -Infinity, L: this.L, D: this.D };
    for (let li = 0; li <= 80; li++) {
      const L = 10 * Math.pow(10, li / 20); // 10 … 100,000 shares
      for (const D of [0, 25, 50, 100, 200, 400, 800, 1600]) {
        this.L = L;
        this.D = D;
        let ll = 0;
        for (const e of train) {
          const p = this.p(e.x);
          ll += e.y ? Math.log(p) : Math.log(1 - p);
        }
        if (ll > best.ll) best = { ll, L, D };
      }
    }
    this.L = best.L;
    this.D = best.D;
    return this;
  }
}

/**
 * Model against heuristic on held-out examples. Like the model, the heuristic is Platt-calibrated on the
 * validation examples (on its log-odds), so that the comparison is of what each knows, not of its calibration;
 * the uncalibrated heuristic is reported beside.
 */
export function evaluateFill(art: FillModelArtifact, heuristic: QueueHeuristic, test: readonly Example[], valid: readonly Example[] = []) {
  const fwd = new FillForward(art);
  const y = test.map((e) => e.y);
  const logit = (p: number) => Math.log(p / (1 - p));
  const cal = valid.length > 0 ? fitPlatt(valid.map((e) => logit(heuristic.p(e.x))), valid.map((e) => e.y)) : { a: 1, b: 0 };
  const model = scores(test.map((e) => fwd.predict(e.x)), y);
  const raw = scores(test.map((e) => heuristic.p(e.x)), y);
  const base = scores(test.map((e) => sigmoid(cal.a * logit(heuristic.p(e.x)) + cal.b)), y);
  const rate = y.reduce((a, b) => a + b, 0) / y.length;
  return {
    model,
    heuristic: { ...base, L: Math.round(heuristic.L), D: heuristic.D, platt: { a: Math.round(cal.a * 1e4) / 1e4, b: Math.round(cal.b * 1e4) / 1e4 } },
    heuristic_uncalibrated: raw,
    brier_improvement: Math.round((1 - model.brier / base.brier) * 1e4) / 1e4,
    base_rate: Math.round(rate * 1e4) / 1e4,
    /** The Brier score of always forecasting the test set's own fill rate: what no information scores. */
    base_rate_brier: Math.round(rate * (1 - rate) * 1e6) / 1e6,
  };
}

/**
 * The adverse-move model against two baselines on held-out examples: the base rate (no information) and the
 * mid's own last 10 seconds, seen from the order's side, through a logistic curve fitted on the training data.
 */
export function evaluateAdverse(art: FillModelArtifact, train: readonly Example[], test: readonly Example[]) {
  const fwd = new FillForward(art);
  const y = test.map((e) => e.y);
  const z = (e: Example) => e.x[F.side_sign]! * e.x[F.mid_change_10s_bps]!;
  const m = fitPlatt(train.map(z), train.map((e) => e.y));
  const rate = train.reduce((a, e) => a + e.y, 0) / train.length;
  return {
    model: scores(test.map((e) => fwd.predict(e.x)), y),
    momentum: { ...scores(test.map((e) => sigmoid(m.a * z(e) + m.b)), y), a: Math.round(m.a * 1e4) / 1e4, b: Math.round(m.b * 1e4) / 1e4 },
    base_rate: scores(test.map(() => rate), y),
  };
}
