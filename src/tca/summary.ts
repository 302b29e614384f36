import { Rng } from '../core/rng.js';
import { mean, quantile, roundTo } from '../core/stats.js';
import { MARKOUT_HORIZONS_S } from './benchmarks.js';
import { bootstrapMean, pairedComparison, type PairedComparison } from './paired.js';
import { TRAJECTORY_POINTS, type OrderResult } from './results.js';

/** What the summary states of the batch it summarises (a backtest's spec has all of it). */
export interface BatchInfo {
  scenario: { name: string; symbol: string };
  seed: number;
  policies: readonly string[];
  horizonMinutes: number;
  minFraction: number;
  maxFraction: number;
  adv: number;
  modelIds?: Record<string, string>;
}

export interface PolicySummary {
  policy: string;
  orders: number;
  /** Implementation shortfall, bps of the arrival mid, + = cost: mean with its bootstrap 95 % interval, spread of it. */
  is_bps: { mean: number; ci95: [number, number]; sd: number; p5: number; median: number; p95: number };
  /** Mean components of the shortfall (they sum to the mean shortfall). */
  components_bps: { spread: number; impact: number; timing: number; fees: number; opportunity: number };
  /** The shortfall with unfinished work charged by the square-root law (see PolicyRun.completion_adjusted_bps). */
  completion_adjusted_bps: { mean: number; ci95: [number, number] };
  vwap_slippage_bps: { mean: number; ci95: [number, number] };
  twap_slippage_bps: { mean: number; ci95: [number, number] };
  fill_rate: number;
  completion: number;
  participation: number;
  venues: { venue: string; share_of_fills: number; fill_rate: number; markout_bps: Record<string, number> }[];
  /**
   * What the guardrails did over the batch: parents refused (a trading state, the restricted list, credit), children
   * refused by reason code, model anomalies by what was anomalous, and the decisions the rule router made for a
   * model-driven policy instead.
   */
  guardrails: { parents_refused: number; children_refused: Record<string, number>; model_anomalies: Record<string, number>; fallback_decisions: number };
}

export interface BacktestReport {
  scenario: string;
  symbol: string;
  seed: number;
  orders: number;
  horizon_minutes: number;
  size_pct_adv: [number, number];
  adv: number;
  policies: PolicySummary[];
  /** Every pair of policies on the same orders: A − B in shortfall bps (negative = A cheaper). */
  comparisons: (PairedComparison & { a: string; b: string })[];
  /** Per policy: each order's shortfall (the cost distribution), and the mean trajectory against the mean schedule. */
  distributions: Record<string, number[]>;
  trajectories: Record<string, { filled: number[]; target: number[] }>;
  /** Per venue, all policies' fills pooled: shares filled and share-weighted markouts at 1, 10 and 60 s. */
  markouts: { venue: string; shares: number; markout_bps: Record<string, number> }[];
  /** The ml router's models (registry ids), where it ran. */
  models?: Record<string, string>;
}

const r4 = (x: number) => roundTo(x, 4);

/** Counts by key added up, keys sorted. */
function addUp(xs: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) for (const [k, v] of Object.entries(x)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function summarizeBacktest(spec: BatchInfo, results: readonly OrderResult[]): BacktestReport {
  const byPolicy = (name: string) => results.map((r) => r.runs.find((x) => x.policy === name)!);
  const ci = (xs: number[], tag: string) => {
    const b = bootstrapMean(xs, Rng.stream(spec.seed, `backtest:bootstrap:${tag}`));
    return { mean: r4(b.mean), ci95: [r4(b.ci95[0]), r4(b.ci95[1])] as [number, number] };
  };
  const policies = spec.policies.map((name): PolicySummary => {
    const runs = byPolicy(name);
    const is = runs.map((r) => r.shortfall.total_bps);
    const m = mean(is);
    const venueNames = [...new Set(runs.flatMap((r) => r.venues.map((v) => v.venue)))].sort();
    const totalFilled = runs.reduce((a, r) => a + r.filled, 0);
    const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
    return {
      policy: name,
      orders: runs.length,
      is_bps: {
        ...ci(is, `${name}:is`),
        sd: r4(Math.sqrt(is.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, is.length - 1))),
        p5: r4(quantile(is, 0.05)),
        median: r4(quantile(is, 0.5)),
        p95: r4(quantile(is, 0.95)),
      },
      components_bps: {
        spread: r4(mean(runs.map((r) => r.shortfall.spread_bps))),
        impact: r4(mean(runs.map((r) => r.shortfall.impact_bps))),
        timing: r4(mean(runs.map((r) => r.shortfall.timing_bps))),
        fees: r4(mean(runs.map((r) => r.shortfall.fees_bps))),
        opportunity: r4(mean(runs.map((r) => r.shortfall.opportunity_bps))),
      },
      completion_adjusted_bps: ci(finite(runs.map((r) => r.completion_adjusted_bps)), `${name}:completion`),
      vwap_slippage_bps: ci(finite(runs.map((r) => r.vwap_bps)), `${name}:vwap`),
      twap_slippage_bps: ci(finite(runs.map((r) => r.twap_bps)), `${name}:twap`),
      fill_rate: r4(mean(runs.map((r) => r.fill_rate))),
      completion: r4(runs.filter((r) => r.complete).length / runs.length),
      participation: r4(mean(runs.map((r) => r.participation))),
      venues: venueNames.map((venue) => {
        const vs = runs.flatMap((r) => r.venues.filter((v) => v.venue === venue));
        const filled = vs.reduce((a, v) => a + v.filled, 0);
        const sent = vs.reduce((a, v) => a + v.sent, 0);
        const markout_bps: Record<string, number> = {};
        MARKOUT_HORIZONS_S.forEach((h, k) => {
          let w = 0;
          let s = 0;
          for (const v of vs) {
            const x = v.markout_bps[k]!;
            if (Number.isFinite(x)) {
              s += x * v.filled;
              w += v.filled;
            }
          }
          markout_bps[`${h}s`] = w > 0 ? r4(s / w) : NaN;
        });
        return { venue, share_of_fills: r4(totalFilled > 0 ? filled / totalFilled : 0), fill_rate: r4(sent > 0 ? filled / sent : 0), markout_bps };
      }),
      guardrails: {
        parents_refused: runs.filter((r) => r.state.startsWith('rejected')).length,
        children_refused: addUp(runs.map((r) => r.guard.refused)),
        model_anomalies: addUp(runs.map((r) => r.guard.anomalies)),
        fallback_decisions: runs.reduce((a, r) => a + r.guard.fallback_decisions, 0),
      },
    };
  });
  const comparisons: BacktestReport['comparisons'] = [];
  for (let i = 0; i < spec.policies.length; i++) {
    for (let j = i + 1; j < spec.policies.length; j++) {
      const a = spec.policies[i]!;
      const b = spec.policies[j]!;
      const c = pairedComparison(
        byPolicy(a).map((r) => r.shortfall.total_bps),
        byPolicy(b).map((r) => r.shortfall.total_bps),
        Rng.stream(spec.seed, `backtest:paired:${a}:${b}`),
      );
      comparisons.push({
        a,
        b,
        n: c.n,
        mean_diff: r4(c.mean_diff),
        ci95: [r4(c.ci95[0]), r4(c.ci95[1])],
        p_outperform: r4(c.p_outperform),
        gain_loss: Number.isFinite(c.gain_loss) ? r4(c.gain_loss) : c.gain_loss,
      });
    }
  }
  const distributions: Record<string, number[]> = {};
  const trajectories: Record<string, { filled: number[]; target: number[] }> = {};
  for (const name of spec.policies) {
    const runs = byPolicy(name);
    distributions[name] = runs.map((r) => r.shortfall.total_bps);
    const avg = (k: 'filled' | 'target') => Array.from({ length: TRAJECTORY_POINTS }, (_, i) => r4(mean(runs.map((r) => r.trajectory[k][i]!))));
    trajectories[name] = { filled: avg('filled'), target: avg('target') };
  }
  const pooled = new Map<string, { shares: number; s: number[]; w: number[] }>();
  for (const r of results) {
    for (const run of r.runs) {
      for (const v of run.venues) {
        const x = pooled.get(v.venue) ?? { shares: 0, s: MARKOUT_HORIZONS_S.map(() => 0), w: MARKOUT_HORIZONS_S.map(() => 0) };
        x.shares += v.filled;
        v.markout_bps.forEach((b, k) => {
          if (Number.isFinite(b)) {
            x.s[k]! += b * v.filled;
            x.w[k]! += v.filled;
          }
        });
        pooled.set(v.venue, x);
      }
    }
  }
  const markouts = [...pooled.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([venue, x]) => ({
      venue,
      shares: x.shares,
      markout_bps: Object.fromEntries(MARKOUT_HORIZONS_S.map((h, k) => [`${h}s`, x.w[k]! > 0 ? r4(x.s[k]! / x.w[k]!) : NaN])),
    }));
  return {
    scenario: spec.scenario.name,
    symbol: spec.scenario.symbol,
    seed: spec.seed,
    orders: results.length,
    horizon_minutes: spec.horizonMinutes,
    size_pct_adv: [spec.minFraction * 100, spec.maxFraction * 100],
    adv: spec.adv,
    policies,
    comparisons,
    distributions,
    trajectories,
    ...(spec.modelIds ? { models: spec.modelIds } : {}),
    markouts,
  };
}
