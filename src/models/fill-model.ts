import { Rng } from '../core/rng.js';
import { F, FEATURE_NAMES, FEATURE_SCHEMA, N_FEATURES } from '../features/engine.js';
import { tfDense, trainDense } from './dense.js';
import { dataHash, FeatureNet, fitTransformOn, transformInto, type Example, type FeatureNetArtifact } from './inputs.js';
import { scores } from './metrics.js';

export { dataHash, fitTransformOn, transformInto, type Example } from './inputs.js';

/** A trained fill-probability model: everything needed to run it, and where it came from. */
export interface FillModelArtifact extends FeatureNetArtifact {
  /** What it predicts: a probe's fill within the horizon, or an adverse move of the mid over it. */
  kind: 'fill-probability' | 'adverse-move';
  format: 1;
  /** Platt scaling of the logit, fitted on held-out data: p = σ(a·z + b). */
  calibration: { a: number; b: number };
  training: { data_hash: string; rows: number; positives: number; epochs: number; hidden: number; seed: number };
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
    transformInto(transform, train[k]!.x, X, i * N_FEATURES);
    Y[i] = train[k]!.y;
  });
  const { layers } = await trainDense(X, Y, N_FEATURES, {
    hidden,
    epochs,
    seed,
    output: 'sigmoid',
    ...(opts.learningRate !== undefined ? { learningRate: opts.learningRate } : {}),
    ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
  });
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
  art.calibration = fitPlatt(
    z,
    valid.map((e) => e.y),
  );
  return art;
}

/**
 * The hot-path forward pass: plain Float32Array arithmetic, no allocation per call, the same float32 rounding of
 * inputs and weights as tfjs (checked against it to 1e-5).
 */
export class FillForward extends FeatureNet {
  constructor(override readonly art: FillModelArtifact) {
    super(art);
  }

  /** The uncalibrated logit of the last layer. */
  logit(features: ArrayLike<number>): number {
    return this.output(features);
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

  /** The same, for a vector whose market part was given to prepareMarket. */
  predictForVenue(features: ArrayLike<number>): number {
    const { a, b } = this.art.calibration;
    return sigmoid(a * this.outputForVenue(features) + b);
  }

  /** The same, for a venueSum's vector with venue feature j changed from `from` to `to`. */
  predictWith(sum: Float64Array, j: number, from: number, to: number): number {
    const { a, b } = this.art.calibration;
    return sigmoid(a * this.outputWith(sum, j, from, to) + b);
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
  const cal =
    valid.length > 0
      ? fitPlatt(
          valid.map((e) => logit(heuristic.p(e.x))),
          valid.map((e) => e.y),
        )
      : { a: 1, b: 0 };
  const model = scores(
    test.map((e) => fwd.predict(e.x)),
    y,
  );
  const raw = scores(
    test.map((e) => heuristic.p(e.x)),
    y,
  );
  const base = scores(
    test.map((e) => sigmoid(cal.a * logit(heuristic.p(e.x)) + cal.b)),
    y,
  );
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
  const m = fitPlatt(
    train.map(z),
    train.map((e) => e.y),
  );
  const rate = train.reduce((a, e) => a + e.y, 0) / train.length;
  return {
    model: scores(
      test.map((e) => fwd.predict(e.x)),
      y,
    ),
    momentum: {
      ...scores(
        test.map((e) => sigmoid(m.a * z(e) + m.b)),
        y,
      ),
      a: Math.round(m.a * 1e4) / 1e4,
      b: Math.round(m.b * 1e4) / 1e4,
    },
    base_rate: scores(
      test.map(() => rate),
      y,
    ),
  };
}
