/**
 * A streaming 64-bit hash of numeric records, used to fingerprint a simulated event log without building
 * strings. Two 32-bit lanes, each mixed like MurmurHash3's body and finalised like its fmix32; every number
 * is fed as two 32-bit words (high and low part), so integers up to 2^53 hash exactly.
 * Not cryptographic: it detects any difference between two runs, it does not resist an adversary.
 */
export class Hash64 {
  private h1 = 0x9368e53c;
  private h2 = 0x2f6af274;
  private n = 0;

  word(x: number): void {
    let k = x | 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    this.h1 ^= k;
    this.h1 = (this.h1 << 13) | (this.h1 >>> 19);
    this.h1 = (Math.imul(this.h1, 5) + 0xe6546b64) | 0;
    this.h2 = (Math.imul(this.h2 ^ x, 0x85ebca6b) + this.h1) | 0;
    this.h2 = (this.h2 << 17) | (this.h2 >>> 15);
    this.n++;
  }

  num(x: number): void {
    const hi = Math.floor(x / 4294967296);
    this.word(hi);
    this.word(x - hi * 4294967296);
  }

  str(s: string): void {
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
    this.word(s.length);
  }

  hex(): string {
    const f = (h: number): number => {
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    const a = f(this.h1 ^ this.n);
    const b = f(this.h2 ^ a);
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}
