import { allocateDark } from '../../models/dark-allocation.js';
import type { DecisionContext } from '../engine.js';
import { splitEvenly, type PolicyOptions } from '../policy-base.js';
import type { Costs } from './costs.js';
import { MAX_INSIDE, MlRouterPolicy } from './policy.js';

/**
 * `ml-even`, the ablation without models: the ml router's passive exposure (the same budgets, the same touches and
 * pools) split evenly over the lit touches, and over the pools.
 */
export class MlEvenPolicy extends MlRouterPolicy {
  constructor(opts: PolicyOptions = {}) {
    super(opts, 'ml-even', false);
  }
  protected override placePassive(ctx: DecisionContext, c: Costs): void {
    const { options } = this.touches(ctx, c.mid);
    const nLit = options.filter((o) => !o.dark).length;
    const litParts = nLit > 0 ? splitEvenly(c.budget, nLit) : [];
    const darkParts = splitEvenly(c.budget, options.length - nLit);
    options.forEach((o) => this.place(ctx, o, (o.dark ? darkParts : litParts).shift()!));
  }
}

/**
 * `ml-even-inside`, the ablation of the models' choice of price: ml's places (at each lit venue the two most
 * aggressive prices up to `MAX_INSIDE` ticks inside the spread, or the touch where the spread leaves no room), the lit budget dealt over them in round lots of 100, one place after another,
 * the most aggressive price first (odd lots would show queues the market reads as partly taken); the pools as
 * `ml-even`. No model: what resting inside the spread is worth without one.
 */
export class MlEvenInsidePolicy extends MlRouterPolicy {
  constructor(opts: PolicyOptions = {}) {
    super(opts, 'ml-even-inside', false);
  }
  protected override placePassive(ctx: DecisionContext, c: Costs): void {
    const { options } = this.touches(ctx, c.mid, MAX_INSIDE);
    const lit = options.filter((o) => !o.dark).sort((a, b) => b.inside - a.inside);
    const dark = options.filter((o) => o.dark);
    const litParts = dealLots(c.budget, lit.length, 100);
    const darkParts = splitEvenly(c.budget, dark.length);
    lit.forEach((o, i) => this.place(ctx, o, litParts[i]!));
    dark.forEach((o, i) => this.place(ctx, o, darkParts[i]!));
  }
}

/** `total` dealt over `n` places in lots of `lot` (the last one smaller), one place after another. */
export function dealLots(total: number, n: number, lot: number): number[] {
  const parts = new Array<number>(n).fill(0);
  for (let left = total, i = 0; left > 0 && n > 0; i++) {
    const q = Math.min(lot, left);
    parts[i % n]! += q;
    left -= q;
  }
  return parts;
}

/**
 * `ml-dark`, the dark allocation alone (the router before lit exposure): the budget pinged in the pools by their
 * censored-fill estimates, against sweeping later at half the spread and the take fee; no lit posting, no
 * supervised model.
 */
export class MlDarkPolicy extends MlRouterPolicy {
  constructor(opts: PolicyOptions = {}) {
    super(opts, 'ml-dark', false);
  }
  protected override placePassive(ctx: DecisionContext, c: Costs): void {
    const v = this.venuesOf(ctx.market);
    const value = v.dark.map((d) => this.darkValue(d, c.halfSpread + c.takeFeeBps, c.mid));
    const plan = allocateDark(
      v.dark.map((d) => this.pool(d.name)),
      c.budget,
      this.lot,
      value,
      0,
    );
    for (const a of plan) ctx.ping(v.dark[a.pool]!.name, a.qty, Math.min(this.minQty, this.lot, a.qty));
  }
}
