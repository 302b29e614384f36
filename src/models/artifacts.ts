import { z } from 'zod';
import { N_FEATURES } from '../features/engine.js';

/**
 * The schemas of the model artifacts the registry keeps, checked whenever one is saved or loaded: every field of
 * the right type, every matrix of the shape the next layer and the inputs need, every number finite and within the
 * bounds a trained model has (a weight of 1e308 or a standard deviation of 0 is refused, not used). The bounds are
 * choices, far outside what training produces here (weights below 100, feature means below 1e7):
 */
export const ARTIFACT_BOUNDS = {
  /** |weight| and |bias| of a dense layer. */
  weight: 1e4,
  /** |mean| of an input, and its standard deviation (which must also be > 0). */
  scale: 1e12,
  /** Hidden units of a layer. */
  units: 4096,
} as const;

const finite = z.number().refine(Number.isFinite, 'not a finite number');
const weight = finite.refine((x) => Math.abs(x) <= ARTIFACT_BOUNDS.weight, `a weight beyond ±${ARTIFACT_BOUNDS.weight}`);
const mean = finite.refine((x) => Math.abs(x) <= ARTIFACT_BOUNDS.scale, `a mean beyond ±${ARTIFACT_BOUNDS.scale}`);
const sd = finite.refine((x) => x > 0 && x <= ARTIFACT_BOUNDS.scale, `a standard deviation must be > 0 and ≤ ${ARTIFACT_BOUNDS.scale}`);
const count = z.number().int().min(0);
const schemaRef = z.object({ version: count, hash: z.string().min(1) });
const training = z.object({ data_hash: z.string().min(1), rows: count }).loose();

const layers = z
  .array(z.object({ w: z.array(z.array(weight)).min(1), b: z.array(weight).min(1).max(ARTIFACT_BOUNDS.units) }).strict())
  .min(1)
  .max(8);

/** A dense network's shapes: `nIn` inputs, each layer's rows the previous layer's width, one output. */
function denseShapes(a: { layers: { w: number[][]; b: number[] }[] }, nIn: number, ctx: z.RefinementCtx): void {
  let width = nIn;
  a.layers.forEach((l, k) => {
    if (l.w.length !== width) ctx.addIssue({ code: 'custom', path: ['layers', k, 'w'], message: `${l.w.length} rows; the layer's input has ${width}` });
    const bad = l.w.findIndex((row) => row.length !== l.b.length);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['layers', k, 'w', bad], message: `${l.w[bad]!.length} columns; the layer has ${l.b.length} units` });
    width = l.b.length;
  });
  if (width !== 1)
    ctx.addIssue({ code: 'custom', path: ['layers', a.layers.length - 1, 'b'], message: `the last layer has ${width} units; a model has one output` });
}

const featureNet = {
  layers,
  schema: schemaRef.extend({ names: z.array(z.string()).length(N_FEATURES) }),
  transform: z.object({ log1p: z.array(z.boolean()).length(N_FEATURES), mean: z.array(mean).length(N_FEATURES), sd: z.array(sd).length(N_FEATURES) }).strict(),
  format: z.literal(1),
  training,
};

const fill = z
  .object({ ...featureNet, kind: z.enum(['fill-probability', 'adverse-move']), calibration: z.object({ a: weight, b: weight }).strict() })
  .loose()
  .superRefine((a, ctx) => denseShapes(a, N_FEATURES, ctx));
const positive = finite.refine((x) => x > 0, 'must be > 0');
const volatility = z
  .object({ ...featureNet, kind: z.literal('volatility'), horizon_ns: positive, scale: positive })
  .loose()
  .superRefine((a, ctx) => denseShapes(a, N_FEATURES, ctx));
const toxicity = z
  .object({ ...featureNet, kind: z.literal('toxicity'), horizon_ns: positive, clip_bps: positive })
  .loose()
  .superRefine((a, ctx) => denseShapes(a, N_FEATURES, ctx));
const impact = z
  .object({
    kind: z.literal('impact'),
    format: z.literal(1),
    layers,
    features: z.array(z.string()).min(1),
    mean: z.array(mean),
    sd: z.array(sd),
    sqrtLaw: z.object({ k: finite }).strict(),
    channels: z.object({ take: finite, post: finite, dark: finite }).strict().optional(),
    schema: schemaRef,
    training,
  })
  .loose()
  .superRefine((a, ctx) => {
    for (const k of ['mean', 'sd'] as const)
      if (a[k].length !== a.features.length) ctx.addIssue({ code: 'custom', path: [k], message: `${a[k].length} values for ${a.features.length} features` });
    denseShapes(a, a.features.length, ctx);
  });
const probability = finite.refine((x) => x >= 0 && x <= 1, 'a probability must be in [0, 1]');
const dark = z
  .object({
    kind: z.literal('dark-liquidity'),
    format: z.literal(1),
    lot: z.number().int().positive(),
    bins: z.number().int().positive().max(100_000),
    pools: z.record(z.string(), z.object({ tail: z.array(probability), observations: finite.refine((x) => x >= 0, 'must be ≥ 0') }).strict()),
    schema: schemaRef,
    training,
  })
  .loose()
  .superRefine((a, ctx) => {
    for (const [name, p] of Object.entries(a.pools))
      if (p.tail.length !== a.bins + 2)
        ctx.addIssue({ code: 'custom', path: ['pools', name, 'tail'], message: `${p.tail.length} values; ${a.bins} bins need ${a.bins + 2}` });
  });

/** The artifact schema of each model kind the registry knows. */
export const ARTIFACT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'fill-probability': fill,
  'adverse-move': fill,
  volatility,
  toxicity,
  impact,
  'dark-liquidity': dark,
};
