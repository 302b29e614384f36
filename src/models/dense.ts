import { tfReady } from './tf.js';

/** Dense layers as plain data: weights row-major [in][out]; hidden layers tanh, the last one linear. */
export interface DenseLayers {
  layers: { w: number[][]; b: number[] }[];
}

/**
 * Trains a one-hidden-layer tanh network with TensorFlow.js (wasm) on rows already transformed, and returns its
 * weights as plain data. Weights are initialised from the seed and batches taken in the given order (tfjs's own
 * shuffle would draw from Math.random). `output` is the last layer's activation during training: 'sigmoid' with
 * binary cross-entropy, or 'linear' with mean squared error; the returned last layer is the pre-activation.
 */
export async function trainDense(
  X: Float32Array,
  Y: Float32Array,
  nIn: number,
  o: { hidden: number; epochs: number; seed: number; output: 'sigmoid' | 'linear'; learningRate?: number; batch?: number; outputBias?: number },
): Promise<DenseLayers> {
  const tf = await tfReady();
  const n = Y.length;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [nIn], units: o.hidden, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed }) }),
      tf.layers.dense({
        units: 1,
        activation: o.output,
        kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 1 }),
        ...(o.outputBias !== undefined ? { biasInitializer: tf.initializers.constant({ value: o.outputBias }) } : {}),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(o.learningRate ?? 0.01), loss: o.output === 'sigmoid' ? 'binaryCrossentropy' : 'meanSquaredError' });
  const xs = tf.tensor2d(X, [n, nIn]);
  const ys = tf.tensor2d(Y, [n, 1]);
  await model.fit(xs, ys, { epochs: o.epochs, batchSize: o.batch ?? 256, shuffle: false, verbose: 0 });
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

/** The forward pass of DenseLayers in Float32Array arithmetic, without allocation per call: the linear output. */
export class DenseForward {
  private readonly w: Float32Array[];
  private readonly b: Float32Array[];
  private readonly h: Float32Array[];
  constructor(
    d: DenseLayers,
    private readonly nIn: number,
  ) {
    this.w = d.layers.map((l) => Float32Array.from(l.w.flat()));
    this.b = d.layers.map((l) => Float32Array.from(l.b));
    this.h = d.layers.map((l) => new Float32Array(l.b.length));
  }

  run(x: Float32Array): number {
    let input: Float32Array = x;
    let nIn = this.nIn;
    for (let l = 0; l < this.w.length; l++) {
      const w = this.w[l]!;
      const b = this.b[l]!;
      const out = this.h[l]!;
      const nOut = b.length;
      for (let o = 0; o < nOut; o++) {
        let s = b[o]!;
        for (let i = 0; i < nIn; i++) s += input[i]! * w[i * nOut + o]!;
        out[o] = l < this.w.length - 1 ? Math.tanh(s) : s;
      }
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
