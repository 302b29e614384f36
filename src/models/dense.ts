import type { Tensor } from '@tensorflow/tfjs';
import { progress } from '../core/progress.js';
import { tfReady } from './tf.js';

/** Dense layers as plain data: weights row-major [in][out]; hidden layers tanh, the last one linear. */
export interface DenseLayers {
  layers: { w: number[][]; b: number[] }[];
}

/**
 * Trains a one-hidden-layer tanh network with TensorFlow.js (wasm) on rows already transformed, and returns its
 * weights as plain data. Weights are initialised from the seed and batches taken in the given order (tfjs's own
 * shuffle would draw from Math.random). `output` is the last layer's activation during training: 'sigmoid' with
 * binary cross-entropy, 'linear' with mean squared error, or 'qlike': the output is a log variance forecast ŷ for a
 * realised variance y, and the loss is QLIKE up to constants, mean(y·e^(−ŷ) + ŷ). The returned last layer is the
 * pre-activation.
 */
export async function trainDense(
  X: Float32Array,
  Y: Float32Array,
  nIn: number,
  o: { hidden: number; epochs: number; seed: number; output: 'sigmoid' | 'linear' | 'qlike'; learningRate?: number; batch?: number; outputBias?: number },
): Promise<DenseLayers> {
  const tf = await tfReady();
  const n = Y.length;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [nIn], units: o.hidden, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed }) }),
      tf.layers.dense({
        units: 1,
        activation: o.output === 'sigmoid' ? 'sigmoid' : 'linear',
        kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 1 }),
        ...(o.outputBias !== undefined ? { biasInitializer: tf.initializers.constant({ value: o.outputBias }) } : {}),
      }),
    ],
  });
  const qlike = (y: Tensor, yHat: Tensor) => tf.mean(tf.add(tf.mul(y, tf.exp(tf.neg(yHat))), yHat));
  model.compile({
    optimizer: tf.train.adam(o.learningRate ?? 0.01),
    loss: o.output === 'sigmoid' ? 'binaryCrossentropy' : o.output === 'qlike' ? qlike : 'meanSquaredError',
  });
  const xs = tf.tensor2d(X, [n, nIn]);
  const ys = tf.tensor2d(Y, [n, 1]);
  await model.fit(xs, ys, {
    epochs: o.epochs,
    batchSize: o.batch ?? 256,
    shuffle: false,
    verbose: 0,
    callbacks: { onEpochEnd: (epoch) => progress(`fitting ${n} rows`, epoch + 1, o.epochs) },
  });
  xs.dispose();
  ys.dispose();
  const layers = model.layers.map((l) => {
    const [w, b] = l.getWeights();
    const wv = Array.from(w!.dataSync());
    const [rows, cols] = w!.shape as [number, number];
    return { w: Array.from({ length: rows }, (_, r) => wv.slice(r * cols, (r + 1) * cols)), b: Array.from(b!.dataSync()) };
  });
  model.dispose();
  return { layers };
}

/**
 * tanh to within 3e-7 of Math.tanh (float32 precision, as tfjs computes it) at a fraction of the cost: a rational
 * function of degree 13/6, clamped where tanh is 1 in float32. The coefficients are Eigen's fast float tanh
 * (Eigen, MathFunctionsImpl.h, generic_fast_tanh_float; MPL 2.0).
 */
export function fastTanh(x: number): number {
  const c = x > 7.905311107635498 ? 7.905311107635498 : x < -7.905311107635498 ? -7.905311107635498 : x;
  const x2 = c * c;
  const p =
    c *
    (4.89352455891786e-3 +
      x2 *
        (6.37261928875436e-4 +
          x2 * (1.48572235717979e-5 + x2 * (5.12229709037114e-8 + x2 * (-8.60467152213735e-11 + x2 * (2.00018790482477e-13 + x2 * -2.76076847742355e-16))))));
  const q = 4.89352518554385e-3 + x2 * (2.268434632439e-3 + x2 * (1.18534705686654e-4 + x2 * 1.19825839466702e-6));
  return p / q;
}

/**
 * The forward pass of DenseLayers on Float32Array weights (as tfjs keeps them), sums in double precision, without
 * allocation per call: the linear output.
 */
export class DenseForward {
  private readonly w: Float32Array[];
  private readonly b: Float32Array[];
  private readonly h: Float64Array[];
  constructor(
    d: DenseLayers,
    private readonly nIn: number,
  ) {
    this.w = d.layers.map((l) => Float32Array.from(l.w.flat()));
    this.b = d.layers.map((l) => Float32Array.from(l.b));
    this.h = d.layers.map((l) => new Float64Array(l.b.length));
  }

  /** The output for input x (activations are kept in double precision: one array type on the hot path). */
  run(x: Float64Array): number {
    return this.runFrom(x, this.nIn, 0);
  }

  /** The first layer's weights ([in][out], row-major) and biases. */
  get firstWeights(): Float32Array {
    return this.w[0]!;
  }
  get firstBias(): Float32Array {
    return this.b[0]!;
  }

  /**
   * The network from its first layer's pre-activation on: a caller that sums the first layer itself (e.g. a part
   * of the input fixed for many calls, then the rest) finishes here. A one-layer network's pre-activation is its
   * output.
   */
  runAfterFirst(pre: Float64Array): number {
    if (this.w.length === 1) return pre[0]!;
    const h = this.h[0]!;
    for (let o = 0; o < h.length; o++) h[o] = fastTanh(pre[o]!);
    return this.runFrom(h, h.length, 1);
  }

  private runFrom(x: Float64Array, n: number, from: number): number {
    let input = x;
    let nIn = n;
    for (let l = from; l < this.w.length; l++) {
      const w = this.w[l]!;
      const out = this.h[l]!;
      const nOut = out.length;
      out.set(this.b[l]!);
      // row by row: the weights are read in the order they are stored
      for (let i = 0; i < nIn; i++) {
        const xi = input[i]!;
        if (xi === 0) continue;
        const row = i * nOut;
        for (let o = 0; o < nOut; o++) out[o]! += xi * w[row + o]!;
      }
      if (l < this.w.length - 1) for (let o = 0; o < nOut; o++) out[o] = fastTanh(out[o]!);
      input = out;
      nIn = nOut;
    }
    return input[0]!;
  }
}

/** The same network's last-layer outputs computed by tfjs itself (for checking DenseForward). */
export async function tfDense(d: DenseLayers, X: Float32Array, nIn: number): Promise<Float32Array> {
  const tf = await tfReady();
  let h = tf.tensor2d(X, [X.length / nIn, nIn]);
  d.layers.forEach((l, k) => {
    const z = h.matMul(tf.tensor2d(l.w)).add(tf.tensor1d(l.b));
    h = (k < d.layers.length - 1 ? z.tanh() : z) as typeof h;
  });
  return Float32Array.from(h.dataSync());
}
