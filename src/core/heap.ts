/**
 * A binary min-heap of items by a numeric key, ties in the order pushed: the timers of the router engine and of the
 * live router (thousands of parents' wake-ups; the earliest one found without scanning them all).
 */
export class MinHeap<T> {
  private keys: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private seq = 0;

  push(key: number, item: T): void {
    this.keys.push(key);
    this.seqs.push(this.seq++);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** The smallest key (Infinity when empty). */
  peekKey(): number {
    return this.items.length > 0 ? this.keys[0]! : Infinity;
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0]!;
    this.move(n - 1, 0);
    this.keys.pop();
    this.seqs.pop();
    this.items.pop();
    if (n > 2) this.down(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    return this.keys[i]! < this.keys[j]! || (this.keys[i] === this.keys[j] && this.seqs[i]! < this.seqs[j]!);
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.items[to] = this.items[from]!;
  }

  private swap(i: number, j: number): void {
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
    [this.seqs[i], this.seqs[j]] = [this.seqs[j]!, this.seqs[i]!];
    [this.items[i], this.items[j]] = [this.items[j]!, this.items[i]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
