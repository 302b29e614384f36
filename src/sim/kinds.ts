import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { ContraFlowModel } from '../venue/contra-flow.js';
import { LeakyContraFlow, PoissonContraFlow } from '../venue/contra-flow.js';
import { PerShareFees, type FeeModel } from '../venue/fees.js';
import { ConstantLatency, ReplayLatency, SpikyLatency, type LatencyModel } from '../venue/latency.js';
import { CstFlow, type CstContext, type FlowGenerator } from './cst-flow.js';
import { QrFlow } from './qr-flow.js';
import { sqrtLawPropagator, type ImpactModel } from './impact.js';
import { KindRegistry, ScenarioError } from './kind-registry.js';

/** Access fees on protected quotes are capped at 30 mils a share (Reg NMS Rule 610(c)). */
export const ACCESS_FEE_CAP = 30;
/**
 * Rebates are bounded by the same 30 mils (a choice: exchanges fund rebates from access fees, and no US venue pays
 * more than the cap; a larger one would let a router earn without limit by resting).
 */
export const REBATE_CAP = ACCESS_FEE_CAP;

const mils = z.number().int();
export const feeModels = new KindRegistry<FeeModel>('fee model');
feeModels.register(
  'maker-taker',
  z
    .object({
      make: mils.max(0, 'a maker-taker venue pays makers: make ≤ 0').min(-REBATE_CAP, `a rebate beyond the ${REBATE_CAP}-mil cap`),
      take: mils.min(0).max(ACCESS_FEE_CAP, `take fee above the ${ACCESS_FEE_CAP}-mil Reg NMS cap`),
    })
    .strict(),
  (p) => new PerShareFees(p.make, p.take),
);
feeModels.register(
  'inverted',
  z
    .object({
      make: mils.min(0, 'an inverted venue charges makers: make ≥ 0').max(ACCESS_FEE_CAP, `a maker fee above the ${ACCESS_FEE_CAP}-mil cap`),
      take: mils.max(0, 'an inverted venue pays takers: take ≤ 0').min(-REBATE_CAP, `a rebate beyond the ${REBATE_CAP}-mil cap`),
    })
    .strict(),
  (p) => new PerShareFees(p.make, p.take),
);
feeModels.register('flat', z.object({ perShare: mils.min(0).max(ACCESS_FEE_CAP) }).strict(), (p) => new PerShareFees(p.perShare, p.perShare));

/** What a latency model may need while it is built: the scenario file, to resolve a recorded series next to it. */
export interface LatencyBuildContext {
  file: string;
  path: string;
}
/**
 * Bounds on the world's parameters (choices, each far beyond a real market, so that a typo cannot make a world that
 * never ends a second or overflows): latencies at most a minute; background event rates at most 100 per second per
 * price distance and 10,000 per second in all; sizes at most 10^7 shares; lifetimes at most a day.
 */
export const WORLD_BOUNDS = { latencyNs: 60e9, ratePerSecond: 100, totalRatePerSecond: 10_000, size: 1e7, lifetimeMs: 86_400_000 } as const;
const B = WORLD_BOUNDS;
const AT_MOST_A_MINUTE = 'at most a minute (60e9 ns)';
const ns = z.number().int().min(0).max(B.latencyNs, AT_MOST_A_MINUTE);
/** A latency or delay in ns: at most a minute. */
export const latencyNs = ns;
export const latencyModels = new KindRegistry<LatencyModel, LatencyBuildContext>('latency model');
latencyModels.register('constant', z.object({ ns }).strict(), (p) => new ConstantLatency(p.ns));
latencyModels.register(
  'spiky',
  z
    .object({
      medianNs: z.number().positive().max(B.latencyNs, AT_MOST_A_MINUTE),
      sigma: z.number().min(0).max(5),
      spikeProb: z.number().min(0).max(1),
      spikeNs: z.number().positive().max(B.latencyNs, AT_MOST_A_MINUTE),
      spikeAlpha: z.number().positive().max(100),
    })
    .strict(),
  (p) => new SpikyLatency(p.medianNs, p.sigma, p.spikeProb, p.spikeNs, p.spikeAlpha),
);
latencyModels.register(
  'replay',
  z
    .object({ seriesNs: z.array(ns).min(1).optional(), file: z.string().optional() })
    .strict()
    .refine((p) => (p.seriesNs === undefined) !== (p.file === undefined), 'give exactly one of seriesNs (inline) or file'),
  (p, ctx) => new ReplayLatency(p.seriesNs ?? readSeries(resolve(dirname(ctx.file), p.file!), ctx)),
);

/** A recorded latency series: one non-negative integer (ns) per line; blank lines and # comments are skipped. */
function readSeries(path: string, ctx: LatencyBuildContext): number[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ScenarioError(ctx.file, `${ctx.path}.file`, `cannot read latency series ${path}`);
  }
  const out: number[] = [];
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const v = Number(t);
    if (!Number.isInteger(v) || v < 0) throw new ScenarioError(path, `line ${i + 1}`, `not a latency in ns: "${t}"`);
    out.push(v);
  });
  if (out.length === 0) throw new ScenarioError(path, '', 'no latencies in the series');
  return out;
}

export const contraFlowModels = new KindRegistry<ContraFlowModel>('contra-flow model');
const poissonContraFields = {
  ratePerMinute: z
    .number()
    .positive()
    .max(60 * B.ratePerSecond),
  medianSize: z.number().positive().max(B.size),
  sizeSigma: z.number().min(0).max(5),
  lot: z.number().int().positive().max(B.size).default(100),
  minQty: z.number().int().positive().max(B.size).default(100),
  meanLifetimeMs: z.number().positive().max(B.lifetimeMs),
  informedFraction: z.number().min(0).max(1),
  informedLifetimeMs: z.number().positive().max(B.lifetimeMs),
};
contraFlowModels.register('poisson', z.object(poissonContraFields).strict(), (p) => new PoissonContraFlow(p));
contraFlowModels.register(
  'leaky',
  z
    .object({
      ...poissonContraFields,
      leakProbability: z.number().min(0).max(1),
      leakSeconds: z.number().positive().max(86_400),
      leakFraction: z.number().min(0).max(1),
    })
    .strict(),
  (p) => new LeakyContraFlow(p),
);

/** What an order-flow model is built with: the kernel, its random stream, the lit venues and their NBBO. */
export type FlowBuildContext = CstContext;
const rate = z.number().min(0).max(B.ratePerSecond, `at most ${B.ratePerSecond} per second`);
const rates = z.array(rate).min(1).max(1000);
const sizeDist = z
  .object({
    median: z.number().positive().max(B.size),
    sigma: z.number().min(0).max(5),
    lot: z.number().int().positive().max(B.size),
    atoms: z
      .array(z.object({ size: z.number().int().positive().max(B.size), p: z.number().min(0).max(1) }).strict())
      .max(100)
      .refine((a) => a.reduce((s, x) => s + x.p, 0) <= 1 + 1e-9, "the atoms' probabilities must sum to at most 1")
      .optional(),
  })
  .strict();
/** What the Cont–Stoikov–Talreja and the queue-reactive flows share: sizes, the fair value, the day's profile and regime. */
const flowFields = {
  intensity: z.number().positive().max(100).default(1),
  limitSize: sizeDist,
  marketSize: sizeDist,
  fairValueBpsPerSqrtMinute: z.number().min(0).max(1000).default(0),
  informedMarketFraction: z.number().min(0).max(1).default(0),
  intradayProfile: z.array(z.number().min(0).max(1e6)).max(10_000).default([]),
  bucketMinutes: z.number().positive().max(390).default(30),
  regime: z
    .object({ depthSigma: z.number().min(0).max(3), volatilitySigma: z.number().min(0).max(3) })
    .strict()
    .default({ depthSigma: 0, volatilitySigma: 0 }),
};
export const flowModels = new KindRegistry<FlowGenerator, FlowBuildContext>('order-flow model');
flowModels.register(
  'cst',
  z
    .object({
      ...flowFields,
      limitRates: rates,
      cancelRates: rates.refine((r) => r.every((x) => x > 0), 'cancel rates must be > 0'),
      marketRate: rate,
    })
    .strict()
    .refine(
      (p) => 2 * p.intensity * (p.limitRates.reduce((a, b) => a + b, 0) + p.marketRate) <= B.totalRatePerSecond,
      `the background flow's arrivals (2 × intensity × (Σ limitRates + marketRate)) must be at most ${B.totalRatePerSecond} per second`,
    ),
  (p, ctx) => new CstFlow(p, ctx),
);
/** A table of rates by (own queue bucket, opposite queue bucket): one row and one column a bucket. */
const stateRates = z.array(z.array(rate).min(1).max(50)).min(1).max(50);
const queueReactiveBest = z
  .object({
    openSpreadTicks: z.number().min(1).max(1e6).default(1),
    queueUnit: z.number().positive().max(B.size),
    queueEdges: z
      .array(z.number().positive().max(1e6))
      .min(1)
      .max(49)
      .refine((e) => e.every((x, i) => i === 0 || x > e[i - 1]!), 'queue edges must ascend'),
    joinRates: stateRates,
    cancelRates: stateRates,
    marketRates: stateRates,
    topQueueMean: z.number().positive().max(1e6),
    fullCancelShare: z.number().min(0).max(1),
    partialCancelFraction: z.number().min(0).max(1),
    spreadEdges: z
      .array(z.number().int().positive().max(1e6))
      .min(1)
      .max(100)
      .refine((e) => e.every((x, i) => i === 0 || x > e[i - 1]!), 'spread edges must ascend'),
    improveRates: z.array(rate).min(2).max(101),
    marketSpreadFactors: z.array(z.number().min(0).max(1000)).min(2).max(101).optional(),
    informedImprove: z.number().min(0).max(1).default(0),
    refill: z
      .object({
        probability: z.number().min(0).max(1),
        offsets: z
          .array(z.number().min(0))
          .min(1)
          .max(201)
          .refine((o) => o.length % 2 === 1, 'offsets run from −R to +R: an odd number of them')
          .refine((o) => o.some((x) => x > 0), 'the offsets need some mass'),
        delaySeconds: z
          .array(z.number().min(0).max(3600))
          .min(2)
          .max(101)
          .refine((d) => d.every((x, i) => i === 0 || x >= d[i - 1]!), 'delay quantiles must not fall'),
      })
      .strict()
      .default({ probability: 0, offsets: [1], delaySeconds: [0, 0] }),
    improvePlacement: z
      .array(z.number().min(0))
      .min(1)
      .max(100)
      .refine((h) => h.some((x) => x > 0), 'the placement histogram needs some mass'),
    hawkes: z
      .object({
        kernels: z
          .array(z.object({ branching: z.number().min(0).max(1), decaySeconds: z.number().positive().max(3600) }).strict())
          .max(8)
          .refine((k) => k.reduce((a, x) => a + x.branching, 0) < 1, "the kernels' branching ratios must sum below 1 (a process that settles)"),
        sameSide: z.number().min(0).max(1),
      })
      .strict(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const n = b.queueEdges.length + 1;
    for (const k of ['joinRates', 'cancelRates', 'marketRates'] as const) {
      const t = b[k];
      if (t.length !== n || t.some((r) => r.length !== n))
        ctx.addIssue({ code: 'custom', path: [k], message: `must be ${n} × ${n} (queueEdges has ${n - 1} edges)` });
    }
    if (b.improveRates.length !== b.spreadEdges.length + 1) {
      ctx.addIssue({ code: 'custom', path: ['improveRates'], message: `must have ${b.spreadEdges.length + 1} rates (one per spread bucket)` });
    }
    if (b.marketSpreadFactors && b.marketSpreadFactors.length !== b.spreadEdges.length + 1) {
      ctx.addIssue({ code: 'custom', path: ['marketSpreadFactors'], message: `must have ${b.spreadEdges.length + 1} factors (one per spread bucket)` });
    }
  });
flowModels.register(
  'qr',
  z
    .object({
      ...flowFields,
      best: queueReactiveBest,
      deep: z.object({ limitRates: rates, cancelRate: z.number().positive().max(B.ratePerSecond) }).strict(),
    })
    .strict()
    .refine((p) => {
      const maxRow = (t: number[][]) => Math.max(...t.map((r) => Math.max(...r)));
      const b = p.best;
      const atBest =
        maxRow(b.joinRates) +
        maxRow(b.cancelRates) +
        (maxRow(b.marketRates) * Math.max(1, ...(b.marketSpreadFactors ?? [1]))) / (1 - b.hawkes.kernels.reduce((a, k) => a + k.branching, 0)) +
        Math.max(...b.improveRates);
      return 2 * p.intensity * (p.deep.limitRates.reduce((a, x) => a + x, 0) + atBest) <= B.totalRatePerSecond;
    }, `the background flow's arrivals (2 × intensity × (Σ deep.limitRates + the largest rates at the best)) must be at most ${B.totalRatePerSecond} per second`),
  (p, ctx) => new QrFlow(p, ctx),
);

/** What an impact model may need: the scenario's opening price. */
export interface ImpactBuildContext {
  initialPrice: number;
}
export const impactModels = new KindRegistry<ImpactModel, ImpactBuildContext>('impact model');
impactModels.register(
  'sqrt-law-propagator',
  z
    .object({
      Y: z.number().positive().max(100).default(1),
      dailyVolatilityBps: z.number().positive().max(10_000),
      dailyVolume: z.number().positive().max(1e12),
      sessionSeconds: z.number().positive().max(86_400).default(23_400),
      participation: z.number().positive().max(1).default(0.1),
      referenceFraction: z.number().positive().max(1).default(0.01),
      beta: z.number().positive().lt(1).default(0.5),
      tau0Seconds: z.number().positive().max(86_400).default(1),
    })
    .strict(),
  (p, ctx) => sqrtLawPropagator({ ...p, price: ctx.initialPrice }),
);
