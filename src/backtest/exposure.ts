import { Rng } from '../core/rng.js';
import { roundTo } from '../core/stats.js';
import { bootstrapMean } from '../tca/paired.js';
import { NS_PER_MINUTE, NS_PER_SECOND } from '../core/types.js';
import type { Market } from './market.js';
import { buildWorld } from './world.js';

export interface ExposureDesign {
  /** Sizes of the displayed order, in multiples of the median touch size. */
  multiples: number[];
  /** Horizons after it is shown, seconds. */
  horizons: number[];
  /** Paired trials per size (seeds 1…trials); half show a bid, half an ask. */
  trials: number;
  /** When the order is shown: this many minutes after the open, plus the trial's own offset (0–`spreadMinutes`). */
  startMinute: number;
  spreadMinutes: number;
}

export const EXPOSURE_DESIGN: ExposureDesign = { multiples: [0.5, 1, 2, 4, 8], horizons: [10, 30, 60], trials: 400, startMinute: 5, spreadMinutes: 20 };

export interface ExposureResult {
  design: string;
  /** The median touch size the multiples refer to (shares). */
  touch_size: number;
  /** Per multiple: shares shown, and per horizon the mid's mean drift against the order (bps; + = away from it) with its 95 % bootstrap interval. */
  rows: { multiple: number; shares: number; drift_bps: Record<string, { mean: number; lo: number; hi: number }> }[];
  /**
   * At the last horizon, each size's drift less the next smaller one's, and the largest's less the smallest's, paired
   * trial by trial (the same seeds and times), with 95 % bootstrap intervals.
   */
  steps: { from: number; to: number; mean: number; lo: number; hi: number }[];
  /** The largest size's drift exceeds the smallest's (interval above zero) and no step down is significant. */
  grows_with_size: boolean;
}

/**
 * The price of showing size: a displayed order of k × the median touch size at the best, pegged there and never
 * filled (display-only: the flow sees it in the queue, nothing can trade against it), against the same seed's path
 * without it. The paths agree until the order is shown, so the difference of the mids after it is what displaying
 * did. Drift against a bid is the mid going up; against an ask, down. A flow that does not read the queues
 * (`showExtra` absent) is reported as such: it cannot react.
 */
export function exposureExperiment(market: Market, design: ExposureDesign = EXPOSURE_DESIGN): ExposureResult | string {
  const probe = buildWorld({ market, seed: 1 });
  if (probe.session.flow.showExtra === undefined) return `the ${market.scenario.flow.kind} flow does not read the queues: displayed size cannot move it`;
  const touch = (market.scenario.flow as { best?: { queueUnit?: number } }).best?.queueUnit ?? 100;
  const H = design.horizons;
  /** The mids at each horizon after `showAt`, and the mid then, for one seed with k × touch shown on `side` (k = 0: nothing). */
  const run = (seed: number, showAt: number, side: 0 | 1, shares: number): number[] => {
    const w = buildWorld({ market, seed });
    w.start();
    w.run(showAt);
    const s = w.session;
    const mids = [s.nbbo.lastMid];
    if (shares > 0) s.flow.showExtra!(side, shares);
    for (const h of H) {
      w.run(showAt + h * NS_PER_SECOND);
      mids.push(s.nbbo.lastMid);
    }
    return mids;
  };
  const drifts = design.multiples.map(() => H.map(() => [] as number[]));
  for (let i = 0; i < design.trials; i++) {
    const seed = i + 1;
    const side: 0 | 1 = (i % 2) as 0 | 1;
    const offset = ((i * 7919) % (design.spreadMinutes * 60)) * NS_PER_SECOND;
    const showAt = probe.session.t0 + design.startMinute * NS_PER_MINUTE + offset;
    const base = run(seed, showAt, side, 0);
    design.multiples.forEach((k, j) => {
      const shown = run(seed, showAt, side, Math.round(k * touch));
      H.forEach((_, h) => {
        const d = ((shown[h + 1]! - base[h + 1]!) / base[0]!) * 1e4;
        drifts[j]![h]!.push(side === 0 ? d : -d);
      });
    });
  }
  const rows = design.multiples.map((k, j) => ({
    multiple: k,
    shares: Math.round(k * touch),
    drift_bps: Object.fromEntries(
      H.map((h, hi) => {
        const b = bootstrapMean(drifts[j]![hi]!, Rng.stream(j * 100 + hi, 'exposure'));
        return [`${h}s`, { mean: roundTo(b.mean, 3), lo: roundTo(b.ci95[0], 3), hi: roundTo(b.ci95[1], 3) }];
      }),
    ),
  }));
  const hLast = H.length - 1;
  const paired = (a: number, b: number, seed: number) => {
    const d = drifts[b]![hLast]!.map((x, i) => x - drifts[a]![hLast]![i]!);
    const r = bootstrapMean(d, Rng.stream(seed, 'exposure-steps'));
    return { from: design.multiples[a]!, to: design.multiples[b]!, mean: roundTo(r.mean, 3), lo: roundTo(r.ci95[0], 3), hi: roundTo(r.ci95[1], 3) };
  };
  const steps = design.multiples.slice(1).map((_, j) => paired(j, j + 1, j));
  const K = design.multiples.length - 1;
  const span = K > 1 ? paired(0, K, K) : steps[0]!;
  if (K > 1) steps.push(span);
  return {
    design: `a display-only order of k × ${touch} shares (the median touch) pegged to the best bid or ask from ${design.startMinute}–${design.startMinute + design.spreadMinutes} min after the open, never filled, against the same seed without it; ${design.trials} paired trials a size, half bids and half asks; + = the mid moved away from the order`,
    touch_size: touch,
    rows,
    steps,
    grows_with_size: span !== undefined && span.lo > 0 && steps.every((x) => x.hi >= 0),
  };
}
