import { roundTo } from '../core/stats.js';
import { BUY, NS_PER_SECOND, type Side } from '../core/types.js';
import type { PingObservation } from '../models/dark-allocation.js';
import type { Channels } from '../models/impact.js';
import type { DecisionRecord } from '../router/engine.js';
import { MARKOUT_HORIZONS_S, MidPath, TradeTape, markoutsByVenue, slippageBps } from './benchmarks.js';
import { implementationShortfall, type Fill, type Shortfall } from './shortfall.js';

export interface BacktestOrder {
  index: number;
  /** The market path's seed: every policy (and the baseline without the order) trades on the same path. */
  seed: number;
  side: Side;
  qty: number;
  fraction_adv: number;
  start: number;
  end: number;
}

export interface VenueResult {
  venue: string;
  children: number;
  sent: number;
  filled: number;
  fills: number;
  /** Share-weighted markouts at 1, 10 and 60 s, bps (NaN when no fill). */
  markout_bps: number[];
}

export interface PolicyRun {
  policy: string;
  state: string;
  filled: number;
  fill_rate: number;
  complete: boolean;
  avg_price: number;
  shortfall: Shortfall;
  /** Slippage of the average fill price against the interval's market VWAP and time-weighted mid, bps, + = cost. */
  vwap_bps: number;
  twap_bps: number;
  /** The order's lit fills as a share of all lit volume printed over its horizon. */
  participation: number;
  /**
   * The price impact at the end of the horizon: the mid with the order less the mid without it (same path), each
   * averaged over the horizon's last minute, in bps of the arrival mid, + = against the order.
   */
  end_impact_bps: number;
  /** The quoted spread at arrival, bps of the arrival mid. */
  arrival_spread_bps: number;
  /**
   * Shortfall with the unfilled part charged what completing it would cost by the square-root law, Y·σ·√(R/V) bps
   * on the R shares left (V the daily volume), instead of nothing beyond the end mid: it does not reward an order for
   * leaving work undone. Equal to the shortfall for a complete order; NaN where the scenario gives no Y·σ.
   */
  completion_adjusted_bps: number;
  venues: VenueResult[];
  /** Shares filled by each channel. */
  channels: Channels;
  /** The dark pings, where the spec asks for them. */
  pings?: PingObservation[];
  /** What the guardrails did in this run: children refused by reason code, model anomalies by what, rule-router decisions. */
  guard: GuardCounts;
  /** Filled and scheduled fractions of the order at TRAJECTORY_POINTS evenly spaced times over the horizon. */
  trajectory: { filled: number[]; target: number[] };
}

export interface OrderResult {
  order: BacktestOrder;
  arrival_mid: number;
  runs: PolicyRun[];
}

export const TRAJECTORY_POINTS = 31;

/** What a run recorded of its world: the mid path, the prints, the order's fills, decisions and children. */
export interface RunRecord {
  path: MidPath;
  tape: TradeTape;
  arrival: number;
  fills: Fill[];
  /** The schedule's target at each first-round decision. */
  decisions: Pick<DecisionRecord, 'time' | 'round' | 'target'>[];
  sent: Map<string, { children: number; shares: number }>;
  litVenues: Set<string>;
  state: string;
  arrivalSpread: number;
  /** Shares filled by taking on a lit book, resting on one, and in a dark pool. */
  channels: Channels;
  /** Each dark ping, in the order sent: the pool, shares offered and filled (what the pool estimates learn from). */
  pings: Map<number, PingObservation>;
  guard: GuardCounts;
}

/** A run's guardrail counts: refusals by reason code, model anomalies by what was anomalous, and fallback decisions. */
export interface GuardCounts {
  refused: Record<string, number>;
  anomalies: Record<string, number>;
  fallback_decisions: number;
}

/** What the evaluation needs of the batch: the daily volume and the square-root law's Y·σ (NaN: none). */
export interface RunCosts {
  adv: number;
  sqrtLaw: number;
  /** Keep every dark ping in the result. */
  recordPings?: boolean;
}

/** What completing R remaining shares would add to the order's shortfall, bps of the whole order (square-root law). */
function completionCost(c: RunCosts, remaining: number, qty: number): number {
  if (remaining <= 0) return 0;
  const k = c.sqrtLaw;
  return (k * Math.sqrt(remaining / c.adv) * remaining) / qty;
}

/**
 * The measurement of one policy's run of a parent order against the same market without the order: shortfall and its
 * parts, slippage against the interval's VWAP and TWAP, participation, end-of-horizon impact, per-venue markouts,
 * the fill channels and the trajectory against the schedule.
 */
export function evaluateRun(o: BacktestOrder, policy: string, r: RunRecord, base: RunRecord, costs: RunCosts): PolicyRun {
  const sh = implementationShortfall({
    side: o.side,
    qty: o.qty,
    arrivalMid: r.arrival,
    fills: r.fills,
    midAt: (t) => r.path.at(t),
    baselineMidAt: (t) => base.path.at(t),
    endMid: r.path.at(o.end),
  });
  const filled = sh.filled;
  const notional = r.fills.reduce((a, f) => a + f.price * f.qty, 0);
  const avg = filled > 0 ? notional / filled : NaN;
  const iv = r.tape.interval(o.start, o.end);
  const litFilled = r.fills.filter((f) => f.time >= o.start && f.time <= o.end && r.litVenues.has(f.venue)).reduce((a, f) => a + f.qty, 0);
  const marks = markoutsByVenue(o.side, r.fills, r.path);
  const venues: VenueResult[] = [...r.sent.entries()].map(([venue, x]) => {
    const m = marks.find((v) => v.venue === venue);
    return {
      venue,
      children: x.children,
      sent: x.shares,
      filled: m?.shares ?? 0,
      fills: m?.fills ?? 0,
      markout_bps: (m?.markout_bps ?? MARKOUT_HORIZONS_S.map(() => NaN)).map((v) => roundTo(v, 4)),
    };
  });
  return {
    policy,
    state: r.state,
    filled,
    fill_rate: roundTo(sh.fill_rate, 6),
    complete: filled >= o.qty,
    avg_price: roundTo(avg, 4),
    shortfall: Object.fromEntries(Object.entries(sh).map(([k, v]) => [k, roundTo(v, 4)])) as unknown as Shortfall,
    vwap_bps: roundTo(filled > 0 ? slippageBps(o.side, avg, iv.vwap) : NaN, 4),
    twap_bps: roundTo(filled > 0 ? slippageBps(o.side, avg, r.path.twap(o.start, o.end)) : NaN, 4),
    participation: roundTo(iv.volume > 0 ? litFilled / iv.volume : 0, 6),
    end_impact_bps: roundTo(endImpact(o, r, base), 4),
    completion_adjusted_bps: roundTo(sh.total_bps + completionCost(costs, o.qty - filled, o.qty), 4),
    arrival_spread_bps: roundTo((r.arrivalSpread / r.arrival) * 1e4, 4),
    venues,
    channels: r.channels,
    ...(costs.recordPings ? { pings: [...r.pings.values()] } : {}),
    trajectory: trajectory(o, r),
    guard: r.guard,
  };
}

/** Mid with the order less mid without it, sampled each second over the horizon's last minute, bps of arrival. */
function endImpact(o: BacktestOrder, r: RunRecord, base: RunRecord): number {
  let d = 0;
  let n = 0;
  for (let k = 0; k < 60; k++) {
    const t = o.end - k * NS_PER_SECOND;
    const a = r.path.at(t);
    const b = base.path.at(t);
    if (a === a && b === b) {
      d += a - b;
      n++;
    }
  }
  return n > 0 ? ((o.side === BUY ? 1 : -1) * (d / n) * 1e4) / r.arrival : NaN;
}

function trajectory(o: BacktestOrder, r: RunRecord): { filled: number[]; target: number[] } {
  const fills = [...r.fills].sort((a, b) => a.time - b.time);
  const dec = r.decisions.filter((d) => d.round === 0);
  const filled: number[] = [];
  const target: number[] = [];
  let fi = 0;
  let cum = 0;
  let di = 0;
  for (let k = 0; k < TRAJECTORY_POINTS; k++) {
    const t = o.start + ((o.end - o.start) * k) / (TRAJECTORY_POINTS - 1);
    while (fi < fills.length && fills[fi]!.time <= t) cum += fills[fi++]!.qty;
    while (di + 1 < dec.length && dec[di + 1]!.time <= t) di++;
    filled.push(roundTo(cum / o.qty, 4));
    target.push(roundTo(dec.length > 0 && dec[di]!.time <= t ? dec[di]!.target / o.qty : 0, 4));
  }
  return { filled, target };
}
