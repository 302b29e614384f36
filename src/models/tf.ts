import { createRequire } from 'node:module';
import { dirname } from 'node:path';

type Tf = typeof import('@tensorflow/tfjs');
let ready: Promise<Tf> | undefined;

/**
 * TensorFlow.js on its WebAssembly backend (tfjs-node cannot install here; the wasm binaries ship inside the npm
 * package, so nothing is downloaded). Loaded on first use, not on import: serving runs on the Float32Array forward
 * passes, and a backtest worker that never trains should not spend 0.4 s loading tfjs. Initialised once;
 * single-threaded, deterministic for a given seed.
 */
export function tfReady(): Promise<Tf> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    const req = createRequire(import.meta.url);
    setWasmPaths(`${dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })();
  return ready;
}
