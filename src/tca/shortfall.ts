import { BUY, type Side } from '../core/types.js';

export interface Fill {
  time: number;
  price: number;
  qty: number;
  /** Fee of this fill (price units × shares, positive paid). */
  fee: number;
  venue: string;
}

export interface ShortfallInput {
  side: Side;
  /** The parent's size. */
  qty: number;
  arrivalMid: number;
  fills: readonly Fill[];
  /** The mid of the market the order traded in, at time t. */
  midAt(t: number): number;
  /** The mid of the same market path without the order (common random numbers); separates impact from timing. */
  baselineMidAt?(t: number): number;
  /** The mid at the end of the horizon: what the unfilled part would cost now. */
  endMid: number;
}

/** Costs in basis points of the arrival mid per share of the parent, positive = cost. */
export interface Shortfall {
  total_bps: number;
  /** Paid against the mid at each fill (half-spread, or less for passive fills). */
  spread_bps: number;
  /** The mid's move at the fills caused by the order: mid − baseline mid (needs the baseline). */
  impact_bps: number;
  /** The mid's move at the fills that would have happened anyway: baseline mid − arrival (needs the baseline). */
  timing_bps: number;
  /** impact + timing: the mid's move from arrival to each fill, available without a baseline. */
  drift_bps: number;
  fees_bps: number;
  /** The unfilled part valued at the end mid. */
  opportunity_bps: number;
  filled: number;
  fill_rate: number;
}

/**
 * Implementation shortfall (Perold 1988) against the arrival mid, split as
 * total = spread + (impact + timing) + fees + opportunity, each summed over fills and divided by arrival × size.
 */
export function implementationShortfall(x: ShortfallInput): Shortfall {
  const s = x.side === BUY ? 1 : -1;
  const norm = 1e4 / (x.arrivalMid * x.qty);
  let spread = 0;
  let impact = 0;
  let timing = 0;
  let drift = 0;
  let fees = 0;
  let filled = 0;
  for (const f of x.fills) {
    const mid = x.midAt(f.time);
    spread += s * (f.price - mid) * f.qty;
    drift += s * (mid - x.arrivalMid) * f.qty;
    if (x.baselineMidAt) {
      const base = x.baselineMidAt(f.time);
      impact += s * (mid - base) * f.qty;
      timing += s * (base - x.arrivalMid) * f.qty;
    }
    fees += f.fee;
    filled += f.qty;
  }
  const opportunity = s * (x.endMid - x.arrivalMid) * Math.max(0, x.qty - filled);
  const has = x.baselineMidAt !== undefined;
  return {
    total_bps: (spread + drift + fees + opportunity) * norm,
    spread_bps: spread * norm,
    impact_bps: has ? impact * norm : NaN,
    timing_bps: has ? timing * norm : NaN,
    drift_bps: drift * norm,
    fees_bps: fees * norm,
    opportunity_bps: opportunity * norm,
    filled,
    fill_rate: filled / x.qty,
  };
}
