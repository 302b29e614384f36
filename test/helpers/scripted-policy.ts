import { BUY, NS_PER_SECOND } from '../../src/core/types.js';
import type { DecisionContext, ParentOrder, Policy } from '../../src/router/engine.js';
import { TwapSchedule } from '../../src/router/schedulers.js';

/** One step of a script: a take (0), a post (1) or a dark ping (2), its venue, size and price offset in ticks. */
export interface ScriptedAction {
  kind: 0 | 1 | 2;
  venue: number;
  qty: number;
  offset: number;
}

/** A policy that follows a script: at each decision some takes, posts and pings of the script's sizes and prices. */
export class ScriptedPolicy implements Policy {
  readonly name = 'scripted';
  readonly decisionNs = 2 * NS_PER_SECOND;
  readonly rerouteRounds = 2;
  private k = 0;
  constructor(private readonly script: ScriptedAction[][]) {}
  schedule(o: ParentOrder) {
    return new TwapSchedule(o.qty, o.start, o.end);
  }
  decide(ctx: DecisionContext): void {
    const step = this.script[this.k++ % this.script.length]!;
    const lit = ['LIT_MT', 'LIT_INV', 'LIT_SB'];
    const dark = ['DARK_CALM', 'DARK_TOXIC'];
    for (const a of step) {
      const best = ctx.order.side === BUY ? ctx.market.ask() : ctx.market.bid();
      if (best !== best) continue;
      const px = best + (ctx.order.side === BUY ? 1 : -1) * a.offset * 100;
      if (a.kind === 0) ctx.take([{ venue: lit[a.venue % 3]!, price: px, qty: a.qty }]);
      else if (a.kind === 1) ctx.post(lit[a.venue % 3]!, ctx.order.side === BUY ? ctx.market.bid() : ctx.market.ask(), a.qty);
      else ctx.ping(dark[a.venue % 2]!, a.qty, Math.ceil(a.qty / 3));
    }
  }
}
