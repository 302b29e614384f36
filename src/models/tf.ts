import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

/**
 * TensorFlow.js on its WebAssembly backend (tfjs-node cannot install here; the wasm binaries ship inside the npm
 * package, so nothing is downloaded). Initialised once; single-threaded, deterministic for a given seed.
 */
export function tfReady(): Promise<typeof tf> {
  ready ??= (async () => {
    const req = createRequire(import.meta.url);
    setWasmPaths(`${dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })();
  return ready;
}
