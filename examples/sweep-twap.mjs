// A policy of your own, registered by name with its options: `npx sor backtest --plugin examples/sweep-twap.mjs
// --policies rule,sweep-twap --option sweep-twap.lead=0.5`. It takes what the TWAP schedule has due, and `lead`
// times the next slice early, by the rule-based sweep; nothing rests.
import { z } from 'zod';
import { policies, sweepOptions } from '../dist/router/policies.js';
import { sweep } from '../dist/router/policy-base.js';
import { TwapSchedule } from '../dist/router/schedulers.js';

policies.register({
  name: 'sweep-twap',
  description: 'TWAP schedule, each slice swept as it comes due (and `lead` of the next one early)',
  options: sweepOptions.extend({ lead: z.number().min(0).max(1).default(0) }),
  make: (o, ctx) => ({
    name: 'sweep-twap',
    decisionNs: ctx.decisionNs,
    rerouteRounds: 2,
    schedule: (p) => new TwapSchedule(p.qty, p.start, p.end),
    decide: (c) => sweep(c, c.behind + (c.round === 0 && !c.final ? Math.round(o.lead * c.upcoming) : 0), o.sweepDepth),
  }),
});
