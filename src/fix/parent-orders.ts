import type { Side } from '../core/types.js';
import { encodeNewOrderSingle, type FixBody } from './child-orders.js';
import { TAG } from './tags.js';

/**
 * A parent order as an OMS sends it to the router: a market order worked until its ExpireTime (126), by the
 * TargetStrategy (847) it names (the router's default without one). The OMS clients here (the demo, the chaos run,
 * the benchmarks) send it; the router's OMS gateway reads every field of it itself, limits and start times too.
 */
export interface ParentOrderMessage {
  clOrdId: string;
  symbol: string;
  side: Side;
  /** TransactTime (60) and ExpireTime (126) as they travel (the live clock makes them). */
  transactTime: string;
  expireTime: string;
  qty: number;
  strategy?: string;
}

export function encodeParentOrder(o: ParentOrderMessage): FixBody {
  const b = encodeNewOrderSingle({ clOrdId: o.clOrdId, symbol: o.symbol, side: o.side, transactTime: o.transactTime, qty: o.qty, ordType: 'market' });
  b.push([TAG.ExpireTime, o.expireTime]);
  if (o.strategy !== undefined) b.push([TAG.TargetStrategy, o.strategy]);
  return b;
}
