import type { Channels } from '../../models/impact.js';

/**
 * The ml router's cost terms, bps of the mid, + = cost. A share not filled passively now is swept later, at `later`;
 * a passive fill saves that less what the fill costs itself.
 */

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The market at a decision: half the quoted spread and the cheapest take fee (bps), the mid, the shares to place. */
export interface Costs {
  mid: number;
  halfSpread: number;
  takeFeeBps: number;
  /** Shares each of the lit and dark budgets may place. */
  budget: number;
}

/** The expected move against the order until the next decision: (2·P(adverse) − 1) · σ · √(2/π). */
export function expectedDrift(pAdverse: number, sigma: number): number {
  return (2 * pAdverse - 1) * sigma * SQRT_2_OVER_PI;
}

/** The marginal impact of a lit take: 1.5 × the impact model's prediction for what remains (the derivative of Q·k√Q). */
export function marginalImpact(predicted: number): number {
  return 1.5 * Math.max(0, predicted);
}

/** What sweeping a share later costs: half the spread, the take fee, the drift until then, its marginal impact. */
export function laterCost(c: Costs, drift: number, impact: number): number {
  return c.halfSpread + c.takeFeeBps + drift + impact;
}

/** A channel's impact per share as a share of a lit take's (the impact model's channel coefficients). */
export function perShareTaken(ch: Channels, k: number): number {
  return ch.take > 0 ? Math.max(0, k / ch.take) : 1;
}

/**
 * What a share filled resting at a lit touch saves against `later`: it earns the half spread a take would pay, and
 * costs the make fee, the adverse move the toxicity model expects after a passive fill, and the impact of a resting
 * fill.
 */
export function litSaving(later: number, halfSpread: number, makeFeeBps: number, toxicity: number, restingImpact: number): number {
  return later + halfSpread - makeFeeBps - toxicity - restingImpact;
}

/** What a share filled in a pool saves against `later`: less the pool's fee and its toxicity (learnt online, ≥ 0). */
export function darkSaving(later: number, feeBps: number, toxicity: number): number {
  return later - feeBps - Math.max(0, toxicity);
}
