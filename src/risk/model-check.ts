import { TimeWindow } from './guard.js';
import type { RiskLimits } from './limits.js';

/**
 * The model checks: a model-driven policy (ml, and any later one that routes by a model) reads each model output
 * through a ModelCheck before it uses it. The first anomaly of a decision is kept as its reason; the policy then
 * sends nothing the models chose, and the engine has the rule-based router make that decision instead (see
 * RouterEngine and ModelGuard below). The checks are cheap: comparisons, and one pass over a feature vector.
 */
export class ModelCheck {
  /** The first anomaly of the decision in progress (what and why), or null. */
  reason: string | null = null;
  private started = 0;
  /** Decisions begun since the start (a replay counts the same ones). */
  decisions = 0;
  /** The inference time of the last decision that overran its budget, µs (the journal keeps it for a replay). */
  overrunUs: number | undefined;
  /** A replay's inference times: the decisions that overran live, by number, with their µs (no clock is read). */
  private recorded: ReadonlyMap<number, number> | null = null;
  /** The largest |cost| (bps) that passed, since the start: how close the models came to the limit. */
  readonly seen = { maxCostBps: 0 };

  constructor(
    private readonly L: RiskLimits['models'],
    /** A wall clock in µs, for the inference budget; absent: the budget is not checked (a backtest). */
    private wallUs?: () => number,
  ) {}

  /**
   * Where the inference times come from: a wall clock (live), or the times a journal recorded of the decisions that
   * overran (a replay regenerates the same anomalies without reading a clock), or neither.
   */
  timeBy(source: { wallUs?: () => number; recorded?: ReadonlyMap<number, number> }): void {
    this.wallUs = source.wallUs;
    this.recorded = source.recorded ?? null;
  }

  /** A decision begins: no anomaly yet, and its inference's clock starts. */
  begin(): void {
    this.reason = null;
    this.overrunUs = undefined;
    this.decisions++;
    if (this.wallUs) this.started = this.wallUs();
  }

  /** A probability: a number in [0, 1]. */
  prob(what: string, p: number): number {
    if (!(p >= 0 && p <= 1)) this.flag(what, `probability ${p}`);
    return p;
  }

  /** A cost term, bps: finite and within ±maxCostBps. */
  cost(what: string, bps: number): number {
    const a = Math.abs(bps);
    if (!(a <= this.L.maxCostBps)) this.flag(what, `${bps} bps, beyond ±${this.L.maxCostBps}`);
    else if (a > this.seen.maxCostBps) this.seen.maxCostBps = a;
    return bps;
  }

  /** A variance forecast: finite and ≥ 0. */
  variance(what: string, v: number): number {
    if (!(v >= 0 && v < Infinity)) this.flag(what, `variance ${v}`);
    return v;
  }

  /** How far from its training mean a model's input feature may be, in training standard deviations. */
  get maxFeatureZ(): number {
    return this.L.maxFeatureZ;
  }

  /** A model's input vector: what the model's `beyond(x, maxFeatureZ)` found outside the range (null: nothing). */
  features(what: string, far: { z: number; name: string } | null): void {
    if (far !== null && !(far.z <= this.L.maxFeatureZ))
      this.flag(what, `feature ${far.name} ${fmt(far.z)} sd from its training mean, beyond ${this.L.maxFeatureZ}`);
  }

  /** The decision's inference is over (before anything is sent): within its time budget? */
  timed(): void {
    const us = this.recorded ? (this.recorded.get(this.decisions) ?? 0) : this.wallUs ? this.wallUs() - this.started : 0;
    if (us > this.L.inferenceBudgetUs && this.reason === null) {
      this.overrunUs = us;
      this.flag('inference', `${fmt(us)} µs, over the ${this.L.inferenceBudgetUs} µs budget`);
    }
  }

  private flag(what: string, detail: string): void {
    if (this.reason === null) this.reason = `${what}: ${detail}`;
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 10) / 10) : String(x);
}

/** A model anomaly, as recorded: the decision the rule router made instead, and whether the parent now stays there. */
export interface AnomalyRecord {
  time: number;
  parentId: string;
  reason: string;
  /** This parent's anomalies within the window, this one included. */
  recent: number;
  /** The parent is on the rule router from now on, until a person resets it. */
  sticky: boolean;
  /** The check's decision number, and for an inference over budget its time (µs): what a replay needs. */
  decision: number;
  overrunUs?: number;
}

export interface ModelGuardHooks {
  onAnomaly?(a: AnomalyRecord): void;
  /** A person put a parent back on its model. */
  onModelReset?(e: { time: number; parentId: string; who: string }): void;
}

/**
 * The model guard of one engine: its check, the anomalies of each parent within the window, and the parents that
 * stay on the rule router (after `anomalies` within `windowSeconds`) until a person resets them.
 */
export class ModelGuard {
  readonly check: ModelCheck;
  private readonly windows = new Map<string, TimeWindow>();
  private readonly stuck = new Map<string, string>();
  /** Anomalies since the start, by what was anomalous (the reason's first part: 'fill', 'impact', 'inference', …). */
  readonly anomalies: Record<string, number> = {};
  /** Decisions the rule router made for a model-driven parent: after an anomaly, or while the parent stays there. */
  fallbackDecisions = 0;

  constructor(
    readonly limits: RiskLimits['models'],
    private readonly now: () => number,
    private readonly hooks: ModelGuardHooks = {},
  ) {
    // timed by no clock until the world says (LiveRouter: the wall clock live, the journal's times in a replay)
    this.check = new ModelCheck(limits);
  }

  /** Whether the parent stays on the rule router (and why), until a person resets it. */
  sticky(parentId: string): string | undefined {
    return this.stuck.get(parentId);
  }

  /** The parents on the rule router until reset, with why. */
  stuckParents(): Record<string, string> {
    return Object.fromEntries(this.stuck);
  }

  /** The decision in progress had an anomaly: counted, recorded, and the parent made sticky at the N-th in the window. */
  anomaly(parentId: string, reason: string): AnomalyRecord {
    const t = this.now();
    let w = this.windows.get(parentId);
    if (!w) this.windows.set(parentId, (w = new TimeWindow()));
    w.push(t);
    const recent = w.count(t, this.limits.windowSeconds * 1e9);
    const what = reason.slice(0, Math.max(0, reason.indexOf(':'))) || reason;
    this.anomalies[what] = (this.anomalies[what] ?? 0) + 1;
    const sticky = recent >= this.limits.anomalies;
    if (sticky && !this.stuck.has(parentId)) this.stuck.set(parentId, `${recent} model anomalies within ${this.limits.windowSeconds} s; the last: ${reason}`);
    const c = this.check;
    const rec: AnomalyRecord = {
      time: t,
      parentId,
      reason,
      recent,
      sticky,
      decision: c.decisions,
      ...(c.overrunUs === undefined ? {} : { overrunUs: c.overrunUs }),
    };
    this.hooks.onAnomaly?.(rec);
    return rec;
  }

  /** A person puts a parent back on its model; false if it was not on the rule router. */
  reset(parentId: string, who: string): boolean {
    if (!this.stuck.delete(parentId)) return false;
    this.windows.delete(parentId);
    this.hooks.onModelReset?.({ time: this.now(), parentId, who });
    return true;
  }

  parentClosed(parentId: string): void {
    this.windows.delete(parentId);
    this.stuck.delete(parentId);
  }
}
