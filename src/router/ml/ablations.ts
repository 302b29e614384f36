import { allocateDark } from '../../models/dark-allocation.js';
import type { DecisionContext } from '../engine.js';
import { splitEvenly, type PolicyOptions } from '../policy-base.js';
import type { Costs } from './costs.js';
import { MlRouterPolicy } from './policy.js';

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
