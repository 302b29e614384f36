import type { Rng } from '../core/rng.js';
import { NS_PER_SECOND } from '../core/types.js';
import { ruleBasedSor, type Allocator } from './allocators.js';
import type { DecisionContext } from './engine.js';
import type { MlModels } from './ml/models.js';

import type { VolumeProfile } from './schedulers.js';

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
