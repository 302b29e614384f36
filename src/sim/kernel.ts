import type { Handler, Scheduler } from '../core/scheduler.js';

/**
 * The discrete-event kernel: a binary min-heap of events ordered by (time, sequence number), so events at the
 * same time run in the order they were scheduled, and a simulated clock that jumps from event to event.
 * Heap entries are indices into parallel arrays (no object per event beyond the caller's argument).
 */
export class Kernel implements Scheduler {
  private time: number;
  private seqCounter = 0;
  private size = 0;
  private heap = new Int32Array(1024); // heap of slot numbers
  private tAt = new Float64Array(1024); // per slot: time
  private sAt = new Float64Array(1024); // per slot: sequence
  private hAt: (Handler<unknown> | null)[] = new Array(1024).fill(null);
  private aAt: unknown[] = new Array(1024).fill(undefined);
  private free: number[] = [];
  private nextSlot = 0;
  /** Events executed so far. */
  executed = 0;

  constructor(startTime = 0) {
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  at<A>(time: number, handler: Handler<A>, arg: A): void {
    if (!(time >= this.time)) throw new Error(`event scheduled in the past: ${time} < ${this.time}`);
    const slot = this.free.length > 0 ? this.free.pop()! : this.newSlot();
    this.tAt[slot] = time;
    this.sAt[slot] = this.seqCounter++;
    this.hAt[slot] = handler as Handler<unknown>;
    this.aAt[slot] = arg;
    if (this.size === this.heap.length) {
      const h = new Int32Array(this.heap.length * 2);
      h.set(this.heap);
      this.heap = h;
    }
    this.siftUp(this.size++, slot);
  }

  get pending(): number {
    return this.size;
  }

  /** Runs events until the queue is empty or the next event is later than `until`; the clock ends at `until`. */
  run(until: number): void {
    while (this.size > 0) {
      const slot = this.heap[0]!;
      const t = this.tAt[slot]!;
      if (t > until) break;
      const last = this.heap[--this.size]!;
      if (this.size > 0) this.siftDown(0, last);
      this.time = t;
      const h = this.hAt[slot]!;
      const a = this.aAt[slot];
      this.hAt[slot] = null;
      this.aAt[slot] = undefined;
      this.free.push(slot);
      this.executed++;
      h.handle(t, a);
    }
    if (until > this.time) this.time = until;
  }

  private newSlot(): number {
    const s = this.nextSlot++;
    if (s >= this.tAt.length) {
      const n = this.tAt.length * 2;
      const t = new Float64Array(n);
      t.set(this.tAt);
      this.tAt = t;
      const q = new Float64Array(n);
      q.set(this.sAt);
      this.sAt = q;
      this.hAt.length = n;
      this.aAt.length = n;
    }
    return s;
  }

  private less(a: number, b: number): boolean {
    const ta = this.tAt[a]!;
    const tb = this.tAt[b]!;
    return ta < tb || (ta === tb && this.sAt[a]! < this.sAt[b]!);
  }

  private siftUp(i: number, slot: number): void {
    const heap = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = heap[p]!;
      if (!this.less(slot, ps)) break;
      heap[i] = ps;
      i = p;
    }
    heap[i] = slot;
  }

  private siftDown(i: number, slot: number): void {
    const heap = this.heap;
    const n = this.size;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(heap[c + 1]!, heap[c]!)) c++;
      if (!this.less(heap[c]!, slot)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = slot;
  }
}
