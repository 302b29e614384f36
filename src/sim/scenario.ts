import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fsDo } from '../core/errors.js';
import { SESSION_MINUTES } from '../core/types.js';
import { zodProblem } from '../core/zod-problem.js';
import { ScenarioError } from './kind-registry.js';
import { latencyNs } from './kinds.js';

const modelSpec = z.looseObject({ kind: z.string().min(1) });
const latencySet = z.object({ entry: modelSpec, response: modelSpec, feed: modelSpec.optional() }).strict();
const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a name of letters, digits, _ and -');

const litVenue = z
  .object({
    name,
    type: z.literal('lit'),
    /** Share of the background limit-order flow sent here (relative weight, at most 10^6 so that the sum stays exact). */
    share: z.number().positive().max(1e6, 'a relative weight of at most 1e6'),
    fees: modelSpec,
    latency: latencySet.extend({ feed: modelSpec }),
    speedBumpNs: latencyNs.default(0),
    description: z.string().optional(),
  })
  .strict();

const darkVenue = z
  .object({
    name,
    type: z.literal('dark'),
    fees: modelSpec,
    latency: latencySet,
    contraFlow: modelSpec,
    description: z.string().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name,
    description: z.string().optional(),
    symbol: z.string().min(1),
    /** Price increment, in 1/10,000 of the currency (100 = one cent). */
    tick: z.number().int().positive().max(1_000_000),
    /** Opening price, in 1/10,000 of the currency (at most 10^8 in the currency). */
    initialPrice: z.number().int().positive().max(1e12),
    /** Session start, HH:MM:SS. */
    start: z
      .string()
      .regex(/^\d\d:\d\d:\d\d$/, 'HH:MM:SS')
      .refine((t) => {
        const [h, m, s] = t.split(':').map(Number) as [number, number, number];
        // the session must end by midnight
        return h < 24 && m < 60 && s < 60 && (h * 60 + m) * 60 + s <= (24 * 60 - SESSION_MINUTES) * 60;
      }, 'a time of day HH:MM:SS from which a 6.5-hour session ends by midnight (at the latest 17:30:00)')
      .default('09:30:00'),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(1),
    venues: z.array(z.discriminatedUnion('type', [litVenue, darkVenue])).min(1),
    flow: modelSpec,
    /** How participants' trades move prices (none: only through the books). */
    impact: modelSpec.optional(),
    /** Provenance of a calibrated scenario (what it was fitted to, and what was observed there). */
    calibration: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.venues.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: ['venues', i, 'name'], message: `duplicate venue name "${v.name}"` });
      seen.add(v.name);
    });
    if (!s.venues.some((v) => v.type === 'lit')) ctx.addIssue({ code: 'custom', path: ['venues'], message: 'at least one lit venue is needed' });
    if (s.initialPrice % s.tick !== 0) ctx.addIssue({ code: 'custom', path: ['initialPrice'], message: `not a multiple of the tick (${s.tick})` });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type LitVenueSpec = z.infer<typeof litVenue>;
export type DarkVenueSpec = z.infer<typeof darkVenue>;

/** Parses and validates scenario text; errors name the file and the field (or line and column). */
export function parseScenario(text: string, file: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      throw new ScenarioError(file, `line ${line}, column ${col}`, `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
    }
    throw new ScenarioError(file, '', `invalid JSON: ${msg}`);
  }
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) {
    const p = zodProblem(r.error);
    throw new ScenarioError(file, p.path, p.message);
  }
  return r.data;
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(
    fsDo(path, 'read the scenario file', () => readFileSync(path, 'utf8')),
    path,
  );
}

/** "09:30:00" → ns since midnight. */
export function clockToNs(hms: string): number {
  const [h, m, s] = hms.split(':').map(Number) as [number, number, number];
  return ((h * 60 + m) * 60 + s) * 1e9;
}
