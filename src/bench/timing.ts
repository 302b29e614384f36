/** Wall-clock seconds that fn takes (monotonic clock). Benchmarks only: the simulator never reads a clock. */
export function timeIt(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
