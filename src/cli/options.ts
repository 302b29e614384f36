import { UsageError } from './errors.js';

/** Option parsers: each names the option in its error (exit 2). */

export function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${name} must be a positive number, got "${v}"`);
    return n;
  };
}

/** A repeatable option's values, in order. */
export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** "1-8" or "1,3,5" (or a mix): the seeds, in order, without repeats. */
export function parseSeeds(v: string): number[] {
  const out = new Set<number>();
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--seeds: "${part}" is not a seed or a range a-b`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 100_000) throw new UsageError(`--seeds: bad range "${part}"`);
    for (let x = a; x <= b; x++) out.add(x);
  }
  return [...out];
}
