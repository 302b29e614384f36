import type { Rng } from '../core/rng.js';

/**
 * Latency models: how long a message takes, in integer nanoseconds. Open interface; the simulator hands each
 * model its own random stream.
 */
export interface LatencyModel {
  sample(rng: Rng): number;
}

export class ConstantLatency implements LatencyModel {
  constructor(readonly ns: number) {}
  sample(): number {
    return this.ns;
  }
}

/**
 * A log-normal body (median, log-sd) with occasional heavy-tailed spikes: with probability `spikeProb` a Pareto
 * delay (scale `spikeNs`, shape `spikeAlpha`; alpha ≤ 2 has infinite variance, as network queues do) is added.
 */
export class SpikyLatency implements LatencyModel {
  constructor(
    readonly medianNs: number,
    readonly sigma: number,
    readonly spikeProb: number,
    readonly spikeNs: number,
    readonly spikeAlpha: number,
  ) {}
  sample(rng: Rng): number {
    let t = rng.lognormal(this.medianNs, this.sigma);
    if (rng.float() < this.spikeProb) t += rng.pareto(this.spikeNs, this.spikeAlpha);
    return Math.round(t);
  }
}

/** Replays a recorded series of latencies in order, starting over at the end. Draws nothing at random. */
export class ReplayLatency implements LatencyModel {
  private i = 0;
  constructor(readonly seriesNs: readonly number[]) {
    if (seriesNs.length === 0) throw new Error('a replayed latency series needs at least one value');
  }
  sample(): number {
    const v = this.seriesNs[this.i]!;
    this.i = (this.i + 1) % this.seriesNs.length;
    return v;
  }
}

/**
 * One direction of one connection. Messages on a connection arrive in the order sent (TCP does not reorder), so
 * a message delayed by a spike holds back the ones behind it.
 */
export class Channel {
  private last = 0;
  constructor(
    private readonly model: LatencyModel,
    private readonly rng: Rng,
    private readonly extraNs = 0,
  ) {}
  arrival(now: number): number {
    const t = Math.max(now + this.model.sample(this.rng) + this.extraNs, this.last);
    this.last = t;
    return t;
  }
}
