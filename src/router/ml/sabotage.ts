import type { Rng } from '../../core/rng.js';
import { F } from '../../features/engine.js';
import type { MlModels } from './models.js';

/**
 * Sabotaged models, for testing the model checks and the guardrails behind them: the ml router's models with their
 * outputs replaced. `nan`: every output NaN. `huge`: every output 10^9. `random`: each output drawn at random from a
 * wide range around what it could be (probabilities in [−0.5, 1.5], costs in ±5,000 bps, log variances in
 * [−40, 10]), so that some decisions pass the checks and others do not. `adversarial`: runs of outputs of one kind at
 * a time, each run 1–200 outputs long: NaN, ±∞, huge, negative, random, and outputs that pass the checks but steer —
 * every lot to the one venue with the lowest make fee (fill certain, toxicity at the limit's edge below zero there and
 * above it elsewhere), or size up (the impact of waiting at the limit's edge, so that every share is worth placing).
 */
export type SabotageKind = 'nan' | 'huge' | 'random' | 'adversarial';
export const SABOTAGE_KINDS: readonly SabotageKind[] = ['nan', 'huge', 'random', 'adversarial'];

type Out = 'prob' | 'cost' | 'variance';
const MODES = ['nan', 'inf', '-inf', 'huge', 'negative', 'random', 'steer', 'size-up'] as const;
type Mode = (typeof MODES)[number];

/** The sabotaged outputs so far, by kind of output and by the mode that produced them. */
export interface SabotageCounts {
  outputs: number;
  byMode: Record<string, number>;
}

export function sabotageModels(models: MlModels, kind: SabotageKind, rng: Rng, maxCostBps = 2000): { models: MlModels; counts: SabotageCounts } {
  const counts: SabotageCounts = { outputs: 0, byMode: {} };
  let mode: Mode = 'random';
  let runLeft = 0;
  let steerFee = NaN;
  const edge = maxCostBps * 0.999;
  const corrupt = (v: number, out: Out, features?: ArrayLike<number>): number => {
    counts.outputs++;
    let m: Mode;
    if (kind === 'nan') m = 'nan';
    else if (kind === 'huge') m = 'huge';
    else if (kind === 'random') m = 'random';
    else {
      if (runLeft <= 0) {
        mode = MODES[rng.int(MODES.length)]!;
        runLeft = 1 + rng.int(200);
      }
      runLeft--;
      m = mode;
    }
    counts.byMode[m] = (counts.byMode[m] ?? 0) + 1;
    switch (m) {
      case 'nan':
        return NaN;
      case 'inf':
        return Infinity;
      case '-inf':
        return -Infinity;
      case 'huge':
        return 1e9;
      case 'negative':
        return out === 'prob' ? -0.25 - rng.float() : out === 'variance' ? -1e-6 - rng.float() : -Math.abs(v) * 1e3 - 1;
      case 'random':
        return out === 'prob' ? -0.5 + 2 * rng.float() : out === 'variance' ? Math.exp(-40 + 50 * rng.float()) : -5000 + 10000 * rng.float();
      case 'steer': {
        if (out === 'prob') return 1;
        if (out === 'variance') return v;
        if (!features) return v;
        // the venue of this output, by its make fee: the lowest seen is the one steered to
        const fee = features[F.venue_make_fee_bps]!;
        if (!(fee >= steerFee)) steerFee = fee;
        return fee === steerFee ? -edge : edge;
      }
      case 'size-up':
        return out === 'prob' ? 1 : out === 'variance' ? v : edge;
    }
  };
  const wrap = <T extends object>(model: T, methods: Record<string, Out>, withFeatures: Record<string, boolean> = {}): T => {
    const w = Object.create(model) as Record<string, unknown>;
    for (const [name, out] of Object.entries(methods)) {
      const f = (model as Record<string, (...a: unknown[]) => number>)[name]!;
      w[name] = (...a: unknown[]) => corrupt(f.apply(model, a), out, withFeatures[name] ? (a[0] as ArrayLike<number>) : undefined);
    }
    return w as T;
  };
  const s = Object.create(models) as { -readonly [K in keyof MlModels]: MlModels[K] };
  s.fill = wrap(models.fill, { predict: 'prob', predictForVenue: 'prob', predictWith: 'prob' });
  s.adverse = wrap(models.adverse, { predict: 'prob', predictForVenue: 'prob', predictWith: 'prob' });
  s.volatility = wrap(models.volatility, { variance: 'variance' });
  s.toxicity = wrap(models.toxicity, { predict: 'cost', predictForVenue: 'cost' }, { predict: true, predictForVenue: true });
  s.impact = wrap(models.impact, { predict: 'cost' });
  return { models: s as MlModels, counts };
}
