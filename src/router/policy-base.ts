import type { Rng } from '../core/rng.js';
import { NS_PER_SECOND } from '../core/types.js';
import { ruleBasedSor, type Allocator } from './allocators.js';
import type { DecisionContext, ParentOrder, Policy } from './engine.js';
import type { MlModels } from './ml/models.js';

import { TwapSchedule, type Schedule, type VolumeProfile } from './schedulers.js';

export type { VolumeProfile } from './schedulers.js';

export interface PolicyOptions {
  /** Time between decisions (default 10 s). */
  decisionNs?: number;
  /** Levels of each lit book a sweep may take (default 50). */
  sweepDepth?: number;
  /** VWAP's profile (required by vwap). */
  profile?: VolumeProfile;
  /** Smallest dark execution accepted by a ping (default 100 shares). */
  darkMinQty?: number;
  /** Cont–Kukanov's random draws (required by ck). */
  rng?: Rng;
  /** ml: at most this many upcoming slices offered passively at once, lit touches and dark pools (default 4). */
  passiveSlices?: number;
  /** ml: its trained models, and the average daily volume (the impact model's scale). */
  models?: MlModels;
  adv?: number;
}

/** The policies' defaults: one place for the classes built directly and for the registry's option schemas. */
export const POLICY_DEFAULTS = { decisionNs: 10 * NS_PER_SECOND, sweepDepth: 50, darkMinQty: 100, passiveSlices: 4 } as const;

/** The settings every policy shares, with their defaults. */
export function common(opts: PolicyOptions): { decisionNs: number; depth: number; minQty: number } {
  const d = POLICY_DEFAULTS;
  return { decisionNs: opts.decisionNs ?? d.decisionNs, depth: opts.sweepDepth ?? d.sweepDepth, minQty: opts.darkMinQty ?? d.darkMinQty };
}

/** `total` split into `n` near-equal integer parts, the remainder going one each to the first. */
export function splitEvenly(total: number, n: number): number[] {
  const each = Math.floor(total / n);
  return Array.from({ length: n }, (_, k) => each + (k < total - each * n ? 1 : 0));
}

/** Sweeps `qty` across the lit books with an allocator (the rule-based SOR unless told). */
export function sweep(ctx: DecisionContext, qty: number, depth: number, allocator: Allocator = ruleBasedSor): void {
  if (qty > 0) ctx.take(allocator.allocate(ctx.order.side, qty, ctx.views(depth)));
}

/** Splits `qty` over the dark pools, each ping with a minimum execution size. */
export function pingDark(ctx: DecisionContext, qty: number, minQty: number): void {
  const pools = ctx.market.venues.filter((v) => v.kind === 'dark');
  if (pools.length === 0 || qty <= 0) return;
  splitEvenly(qty, pools.length).forEach((q, i) => {
    if (q > 0) ctx.ping(pools[i]!.name, q, Math.min(minQty, q));
  });
}

/**
 * A smart order router on a TWAP schedule: each upcoming slice is first offered to the dark pools (midpoint pings
 * with a minimum size, resting one interval); what the schedule wants done by now and is not is swept on the lit
 * books by the allocator, and what a sweep leaves unfilled is rerouted on the next view, up to three times.
 */
export class RouterPolicy implements Policy {
  readonly decisionNs: number;
  readonly rerouteRounds = 3;
  private readonly depth: number;
  private readonly minQty: number;
  constructor(
    readonly name: string,
    private readonly allocator: Allocator,
    opts: PolicyOptions = {},
  ) {
    ({ decisionNs: this.decisionNs, depth: this.depth, minQty: this.minQty } = common(opts));
  }
  schedule(o: ParentOrder): Schedule {
    return new TwapSchedule(o.qty, o.start, o.end);
  }
  decide(ctx: DecisionContext): void {
    sweep(ctx, ctx.behind, this.depth, this.allocator);
    if (ctx.round === 0 && !ctx.final) pingDark(ctx, ctx.upcoming, this.minQty);
  }
}
