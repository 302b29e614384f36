/**
 * Seeded pseudo-random numbers. Every random draw in the project comes from an Rng handed in by the caller.
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, from PractRand): 128 bits of state,
 * 32-bit output, no multiplications, which suits V8's int32 arithmetic.
 *
 * Independent streams: `Rng.stream(seed, name)` derives a generator from a run seed and a component name
 * (e.g. "venue:LIT_A:latency"), so adding a component or drawing more in one never shifts another's draws.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, streamKey = 0) {
    // splitmix32 spreads the (seed, stream) pair over the four state words.
    let s = (Math.floor(seed) ^ Math.imul(streamKey | 0, 0x9e3779b9)) | 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    // Fold the high bits of large seeds in as well, so seeds above 2^32 are distinct.
    const hi = Math.floor(seed / 4294967296) | 0;
    this.a = next() ^ hi;
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 16; i++) this.nextU32(); // discard the warm-up outputs
  }

  static stream(seed: number, name: string): Rng {
    return new Rng(seed, fnv1a32(name));
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const a = this.a,
      b = this.b,
      c = this.c,
      d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  float(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  bernoulli(p: number): boolean {
    return this.float() < p;
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.float()) / rate;
  }

  /** Standard normal by Box–Muller (no cached second value, so the stream position is simple to reason about). */
  normal(): number {
    const u1 = 1 - this.float();
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Log-normal with the given median and log-standard-deviation. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto (type I) with scale xm and shape alpha: heavy-tailed, P(X > x) = (xm/x)^alpha. */
  pareto(xm: number, alpha: number): number {
    return xm / Math.pow(1 - this.float(), 1 / alpha);
  }

  /** Index drawn with probability proportional to weights[i]; total is their sum. */
  weighted(weights: ArrayLike<number>, total: number): number {
    let x = this.float() * total;
    const last = weights.length - 1;
    for (let i = 0; i < last; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return last;
  }
}

/** FNV-1a, 32 bits, over the UTF-16 code units of a string. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
