import { fixTime, parseFixTime } from '../fix/wire.js';

export interface ClockSpec {
  /** Wall time (ms since the epoch) at which the market's time was `originNs`. */
  originMs: number;
  originNs: number;
  speed: number;
}

/**
 * The live world's clock: the market's time (ns since midnight, as in a backtest) running at `speed` times the
 * wall clock from an origin. The venue simulator and the router share one (the router's follows the venues': they
 * print theirs and the router's config takes it), so a test can run an hour's market in minutes.
 */
export class LiveClock {
  /** UTC midnight of the origin's day, in ms: market times are written as times of that day. */
  readonly dayStartMs: number;

  constructor(
    readonly spec: ClockSpec,
    private readonly wall: () => number = () => performance.timeOrigin + performance.now(),
  ) {
    const d = new Date(spec.originMs);
    this.dayStartMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  }

  /** A clock whose market time is `originNs` now. */
  static startingAt(originNs: number, speed = 1, wall?: () => number): LiveClock {
    const now = wall ? wall() : performance.timeOrigin + performance.now();
    return new LiveClock({ originMs: now, originNs, speed }, wall);
  }

  /** The market's time now, ns since midnight. */
  now(): number {
    return Math.round(this.spec.originNs + (this.wall() - this.spec.originMs) * 1e6 * this.spec.speed);
  }

  /** Wall-clock ms until the market's time reaches `ns` (0 if it has). */
  msUntil(ns: number): number {
    return Math.max(0, (ns - this.now()) / 1e6 / this.spec.speed);
  }

  /** The market time (ns since midnight) of a FIX timestamp of the origin's day; NaN if it is not a timestamp. */
  nsOf(fix: string | undefined): number {
    const ms = parseFixTime(fix);
    return Number.isFinite(ms) ? Math.round((ms - this.dayStartMs) * 1e6) : NaN;
  }

  /** A market time as a FIX timestamp of the origin's day, to the µs. */
  fix(ns: number): string {
    return fixTime(this.dayStartMs + ns / 1e6, 6);
  }
}
