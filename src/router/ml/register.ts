import { z } from 'zod';
import { POLICY_DEFAULTS } from '../policy-base.js';
import { darkOptions, type PolicyRegistry } from '../policy-registry.js';
import { MlDarkPolicy, MlEvenInsidePolicy, MlEvenPolicy } from './ablations.js';
import { MlRouterPolicy } from './policy.js';

/** The ml router's options: how many upcoming slices it offers passively at once, lit touches and pools alike. */
const mlOptions = darkOptions.extend({ passiveSlices: z.number().int().positive().max(1000).default(POLICY_DEFAULTS.passiveSlices) });

/** Registers the learning router and its three ablations (ml-even, ml-even-inside, ml-dark). */
export function registerMlPolicies(policies: PolicyRegistry): void {
  policies.register({
    name: 'ml',
    description: 'routes by the predicted all-in cost: fill, adverse-move, volatility, toxicity, impact and dark-pool models',
    options: mlOptions,
    models: true,
    make: (o, ctx) =>
      new MlRouterPolicy({
        ...o,
        decisionNs: ctx.decisionNs,
        ...(ctx.models ? { models: ctx.models } : {}),
        adv: ctx.adv,
        ...(ctx.profile ? { profile: ctx.profile } : {}),
      }),
  });
  policies.register({
    name: 'ml-even',
    description: "ablation: ml's passive exposure split evenly over the touches and the pools, no model",
    options: mlOptions,
    make: (o, ctx) => new MlEvenPolicy({ ...o, decisionNs: ctx.decisionNs }),
  });
  policies.register({
    name: 'ml-even-inside',
    description:
      "ablation: ml's places (the two most aggressive prices up to 3 ticks inside the spread, or the touches where it has no room) dealt round lots in turn, and the pools evenly, no model",
    options: mlOptions,
    make: (o, ctx) => new MlEvenInsidePolicy({ ...o, decisionNs: ctx.decisionNs }),
  });
  policies.register({
    name: 'ml-dark',
    description: "ablation: ml's dark allocation alone, no lit exposure and no supervised model",
    options: mlOptions,
    make: (o, ctx) => new MlDarkPolicy({ ...o, decisionNs: ctx.decisionNs }),
  });
}
