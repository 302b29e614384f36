import { BUY, NS_PER_MINUTE, type Side } from '../core/types.js';
import { DenseForward, trainDense, type DenseLayers } from './dense.js';

/** What the impact model sees of a parent order, in this order. */
/** All known when the order starts: participation is the expected one, from the intraday volume profile. */
/** The version of the impact model's inputs that its artifacts and datasets record. */
export const IMPACT_SCHEMA = { version: 1, hash: 'impact-features-v1' } as const;

export const IMPACT_FEATURES = ['sqrt_fraction_adv', 'fraction_adv', 'expected_participation', 'arrival_spread_bps', 'time_of_day', 'side_sign'] as const;

/** What the impact model is asked about: `qty` shares still to trade from `t`, the volume expected meanwhile. */
export interface ImpactQuery {
  qty: number;
  adv: number;
  /** The market's volume the intraday profile expects over the rest of the horizon, shares. */
  expectedVolume: number;
  /** The quoted spread, bps of the mid. */
  spreadBps: number;
  /** Now, and the session's open (ns since midnight). */
  t: number;
  openNs: number;
  side: Side;
}

/**
 * The impact model's inputs (IMPACT_FEATURES, in order), written into `out`: the one definition that training
 * (each backtest order at its start) and serving (the ml router, for what remains at each decision) share.
 */
export function impactInputs(q: ImpactQuery, out: number[] = new Array<number>(IMPACT_FEATURES.length)): number[] {
  const f = q.qty / q.adv;
  out[0] = Math.sqrt(f);
  out[1] = f;
  out[2] = q.qty / (q.expectedVolume + q.qty);
  out[3] = q.spreadBps;
  out[4] = (q.t - q.openNs) / NS_PER_MINUTE / 390;
  out[5] = q.side === BUY ? 1 : -1;
  return out;
}

export interface ImpactExample {
  x: number[];
  /** End-of-horizon impact, bps of arrival, + = against the order. */
  y: number;
}

export interface ImpactModelArtifact extends DenseLayers {
  kind: 'impact';
  format: 1;
  features: string[];
  mean: number[];
  sd: number[];
  /** The square-root law fitted on the same training data: impact = k · √(Q/V). */
  sqrtLaw: { k: number };
  /**
   * Impact by how shares were filled: the shortfall's impact part ≈ Σ_c k_c · Q_c / √(Q·V) over taking lit
   * liquidity, resting on a lit book and dark fills (each channel's share of the square-root law), fitted on backtest
   * runs of policies that mix them differently. k_c / k_take is what a share filled that way costs in impact, per
   * share taken.
   */
  channels?: Channels;
  schema: { version: number; hash: string };
  training: { data_hash: string; rows: number; epochs: number; hidden: number; seed: number };
}

/**
 * By how shares filled: taking lit liquidity, resting on a lit book (passive), in a dark pool. A run's shares, or
 * the impact model's coefficient of each.
 */
export interface Channels {
  take: number;
  post: number;
  dark: number;
}

/** A run's fills by channel, and the impact part of its shortfall (bps, + = against the order). */
export interface ChannelExample {
  /** Each channel's fills over √(Q·V), Q all the order's fills (take, post, dark). */
  x: [number, number, number];
  y: number;
}

/** k_take, k_post, k_dark by least squares through the origin (the 3×3 normal equations, pivoted elimination). */
export function fitChannels(ex: readonly ChannelExample[]): Channels {
  const m = [0, 1, 2].map(() => [0, 0, 0, 0]);
  for (const e of ex) {
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) m[i]![j]! += e.x[i]! * e.x[j]!;
      m[i]![3]! += e.x[i]! * e.y;
    }
  }
  for (let i = 0; i < 3; i++) {
    let p = i;
    for (let k = i + 1; k < 3; k++) if (Math.abs(m[k]![i]!) > Math.abs(m[p]![i]!)) p = k;
    [m[i], m[p]] = [m[p]!, m[i]!];
    const piv = m[i]![i]!;
    // a channel no run used: its coefficient is 0 (its row is left as it is)
    if (Math.abs(piv) < 1e-12) continue;
    for (let k = 0; k < 3; k++) {
      if (k === i) continue;
      const f = m[k]![i]! / piv;
      for (let j = i; j < 4; j++) m[k]![j]! -= f * m[i]![j]!;
    }
  }
  const k = m.map((r, i) => (Math.abs(r[i]!) < 1e-12 ? 0 : r[3]! / r[i]!));
  return { take: k[0]!, post: k[1]!, dark: k[2]! };
}

/** Out-of-sample R² of the channel model against the square-root law on all fills (k·√(Q/V), k fitted on the same runs). */
export function evaluateChannels(c: Channels, train: readonly ChannelExample[], test: readonly ChannelExample[]) {
  const sqrtQ = (e: ChannelExample) => e.x[0] + e.x[1] + e.x[2];
  let sxy = 0;
  let sxx = 0;
  for (const e of train) {
    sxy += sqrtQ(e) * e.y;
    sxx += sqrtQ(e) ** 2;
  }
  const k = sxx > 0 ? sxy / sxx : 0;
  const y = test.map((e) => e.y);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    coefficients_bps: { take: round(c.take), post: round(c.post), dark: round(c.dark) },
    r2: {
      channels: round(
        r2(
          test.map((e) => c.take * e.x[0] + c.post * e.x[1] + c.dark * e.x[2]),
          y,
        ),
      ),
      sqrt_law_all_fills: round(
        r2(
          test.map((e) => k * sqrtQ(e)),
          y,
        ),
      ),
    },
    n: { train: train.length, test: test.length },
  };
}

/** k of impact = k·√(Q/V), by least squares through the origin. */
export function fitSqrtLaw(train: readonly ImpactExample[]): number {
  let sxy = 0;
  let sxx = 0;
  for (const e of train) {
    sxy += e.x[0]! * e.y;
    sxx += e.x[0]! * e.x[0]!;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

/** Out-of-sample R²: 1 − Σ(y − ŷ)² / Σ(y − ȳ)², ȳ the test mean. */
export function r2(pred: readonly number[], y: readonly number[]): number {
  const m = y.reduce((a, b) => a + b, 0) / y.length;
  let sse = 0;
  let sst = 0;
  y.forEach((v, i) => {
    sse += (v - pred[i]!) ** 2;
    sst += (v - m) ** 2;
  });
  return 1 - sse / sst;
}

export class ImpactForward {
  private readonly x: Float64Array;
  private readonly net: DenseForward;
  constructor(readonly art: ImpactModelArtifact) {
    this.x = new Float64Array(art.features.length);
    this.net = new DenseForward(art, art.features.length);
  }
  predict(x: readonly number[]): number {
    for (let j = 0; j < this.x.length; j++) this.x[j] = (x[j]! - this.art.mean[j]!) / this.art.sd[j]!;
    return this.net.run(this.x);
  }
  /** An input further than `maxZ` training standard deviations from its training mean (NaN is), with how far, or null. */
  beyond(x: readonly number[], maxZ: number): { z: number; name: string } | null {
    for (let k = 0; k < this.x.length; k++) {
      const z = Math.abs((x[k]! - this.art.mean[k]!) / this.art.sd[k]!);
      if (z <= maxZ) continue;
      this.far.z = z;
      this.far.name = this.art.features[k] ?? String(k);
      return this.far;
    }
    return null;
  }
  private readonly far = { z: 0, name: '' };
}

/** A small network of the impact on the order's size, participation, spread, time of day and side (MSE). */
export async function trainImpactModel(
  train: readonly ImpactExample[],
  o: { hidden?: number; epochs?: number; seed?: number; dataHash: string; schema: { version: number; hash: string } },
): Promise<ImpactModelArtifact> {
  const n = IMPACT_FEATURES.length;
  const mean = IMPACT_FEATURES.map((_, j) => train.reduce((a, e) => a + e.x[j]!, 0) / train.length);
  const sd = IMPACT_FEATURES.map((_, j) => {
    const s = Math.sqrt(train.reduce((a, e) => a + (e.x[j]! - mean[j]!) ** 2, 0) / Math.max(1, train.length - 1));
    return s > 1e-12 ? s : 1;
  });
  const X = new Float32Array(train.length * n);
  const Y = new Float32Array(train.length);
  train.forEach((e, i) => {
    for (let j = 0; j < n; j++) X[i * n + j] = (e.x[j]! - mean[j]!) / sd[j]!;
    Y[i] = e.y;
  });
  const hidden = o.hidden ?? 8;
  const epochs = o.epochs ?? 200;
  const seed = o.seed ?? 1;
  const my = Y.reduce((a, b) => a + b, 0) / Y.length;
  const { layers } = await trainDense(X, Y, n, { hidden, epochs, seed, output: 'linear', batch: 32, learningRate: 0.005, outputBias: my });
  return {
    kind: 'impact',
    format: 1,
    features: [...IMPACT_FEATURES],
    mean,
    sd,
    layers,
    sqrtLaw: { k: fitSqrtLaw(train) },
    schema: o.schema,
    training: { data_hash: o.dataHash, rows: train.length, epochs, hidden, seed },
  };
}

export function evaluateImpact(art: ImpactModelArtifact, test: readonly ImpactExample[]) {
  const fwd = new ImpactForward(art);
  const y = test.map((e) => e.y);
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    r2: {
      model: round(
        r2(
          test.map((e) => fwd.predict(e.x)),
          y,
        ),
      ),
      sqrt_law: round(
        r2(
          test.map((e) => art.sqrtLaw.k * e.x[0]!),
          y,
        ),
      ),
    },
    sqrt_law_k_bps: round(art.sqrtLaw.k),
    n: test.length,
  };
}
