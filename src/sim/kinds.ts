import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { ContraFlowModel } from '../venue/contra-flow.js';
import { PoissonContraFlow } from '../venue/contra-flow.js';
import { PerShareFees, type FeeModel } from '../venue/fees.js';
import { ConstantLatency, ReplayLatency, SpikyLatency, type LatencyModel } from '../venue/latency.js';
import { CstFlow, type CstContext, type FlowGenerator } from './cst-flow.js';
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
const ns = z.number().int().min(0);
export const latencyModels = new KindRegistry<LatencyModel, LatencyBuildContext>('latency model');
latencyModels.register('constant', z.object({ ns }).strict(), (p) => new ConstantLatency(p.ns));
latencyModels.register(
  'spiky',
  z
    .object({
      medianNs: z.number().positive(),
      sigma: z.number().min(0),
      spikeProb: z.number().min(0).max(1),
      spikeNs: z.number().positive(),
      spikeAlpha: z.number().positive(),
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
contraFlowModels.register(
  'poisson',
  z
    .object({
      ratePerMinute: z.number().positive(),
      medianSize: z.number().positive(),
      sizeSigma: z.number().min(0),
      lot: z.number().int().positive().default(100),
      minQty: z.number().int().positive().default(100),
      meanLifetimeMs: z.number().positive(),
      informedFraction: z.number().min(0).max(1),
      informedLifetimeMs: z.number().positive(),
    })
    .strict(),
  (p) => new PoissonContraFlow(p),
);

/** What an order-flow model is built with: the kernel, its random stream, the lit venues and their NBBO. */
export type FlowBuildContext = CstContext;
const rates = z.array(z.number().min(0)).min(1);
const sizeDist = z.object({ median: z.number().positive(), sigma: z.number().min(0), lot: z.number().int().positive() }).strict();
export const flowModels = new KindRegistry<FlowGenerator, FlowBuildContext>('order-flow model');
flowModels.register(
  'cst',
  z
    .object({
      limitRates: rates,
      marketRate: z.number().min(0),
      cancelRates: rates.refine((r) => r.every((x) => x > 0), 'cancel rates must be > 0'),
      intensity: z.number().positive().default(1),
      limitSize: sizeDist,
      marketSize: sizeDist,
      fairValueBpsPerSqrtMinute: z.number().min(0).default(0),
      informedMarketFraction: z.number().min(0).max(1).default(0),
      intradayProfile: z.array(z.number().min(0)).default([]),
      bucketMinutes: z.number().positive().default(30),
      regime: z
        .object({ depthSigma: z.number().min(0), volatilitySigma: z.number().min(0) })
        .strict()
        .default({ depthSigma: 0, volatilitySigma: 0 }),
    })
    .strict(),
  (p, ctx) => new CstFlow(p, ctx),
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
      Y: z.number().positive().default(1),
      dailyVolatilityBps: z.number().positive(),
      dailyVolume: z.number().positive(),
      sessionSeconds: z.number().positive().default(23_400),
      participation: z.number().positive().max(1).default(0.1),
      referenceFraction: z.number().positive().max(1).default(0.01),
      beta: z.number().positive().lt(1).default(0.5),
      tau0Seconds: z.number().positive().default(1),
    })
    .strict(),
  (p, ctx) => sqrtLawPropagator({ ...p, price: ctx.initialPrice }),
);
