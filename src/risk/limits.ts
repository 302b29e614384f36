import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError, fsDo } from '../core/errors.js';
import { zodProblem } from '../core/zod-problem.js';

/**
 * The guardrails' limits: one zod-checked document (a limits file, or the `risk` part of router.json), every field
 * with the default a desk would start from. Prices and notionals are in the currency (dollars), not price units;
 * quantities in shares; times in milliseconds or seconds as named. A limit of 0 where the text says so switches a
 * check off; nothing is off by default except the restricted list, which starts empty.
 */
const positive = z.number().positive().finite();
const count = z.number().int().min(1).max(1e9);

export const riskLimitsSchema = z
  .object({
    /** One child order: its size, its notional, and how far its price may be from the consolidated quote. */
    child: z
      .object({
        maxQty: count.default(100_000),
        maxNotional: positive.default(50_000_000),
        /**
         * Price collar, basis points: a buy priced above the consolidated ask (a sell below the bid) by more than
         * this is refused, and so is a buy below the bid (a sell above the ask) by more than it, a price far from
         * the market either way. Midpoint pegs trade at the mid and are not collared.
         */
        collarBps: positive.max(10_000).default(500),
      })
      .strict()
      .default({ maxQty: 100_000, maxNotional: 50_000_000, collarBps: 500 }),
    /** Child orders a second (a sliding one-second window), per venue and in all. */
    rate: z
      .object({ perVenuePerSecond: count.default(1_000), totalPerSecond: count.default(3_000) })
      .strict()
      .default({ perVenuePerSecond: 1_000, totalPerSecond: 3_000 }),
    /** Child orders working at once, per venue and in all. */
    openOrders: z
      .object({ perVenue: count.default(5_000), total: count.default(20_000) })
      .strict()
      .default({ perVenue: 5_000, total: 20_000 }),
    /**
     * Participation: the shares sent to the lit venues in the last `windowSeconds` may be at most `maxShare` of the
     * market's lit volume in that window, or `floorShares`, whichever is more (so that a quiet minute does not stop
     * every order). 0 for maxShare switches it off.
     */
    participation: z
      .object({
        maxShare: z.number().min(0).max(100).default(1),
        windowSeconds: positive.max(3600).default(60),
        floorShares: z.number().int().min(0).default(50_000),
      })
      .strict()
      .default({ maxShare: 1, windowSeconds: 60, floorShares: 50_000 }),
    /** Credit: the notional of every open parent of an account together (its remaining size at its reference price). */
    credit: z
      .object({ perAccountNotional: positive.default(250_000_000) })
      .strict()
      .default({ perAccountNotional: 250_000_000 }),
    /**
     * The same child order (venue, side, type, price, size) for the same parent again within this many ms: refused.
     * Policies repeat an order at each decision by design (a dark ping of the same size, a slice at the same touch),
     * so the window is short: it catches an order sent twice at once, a loop. 0: off.
     */
    duplicateWindowMs: z.number().min(0).max(60_000).default(1),
    /** Symbols no order may be sent for. */
    restricted: z.array(z.string().min(1).max(32)).default([]),
    /**
     * The cross-check: what has left for the venues against what the parents allow, after every child. A parent's
     * children may not add up to more than its size (working plus filled), nor number more than `maxChildrenPerParent`
     * (the runaway of Knight Capital's router); a mismatch halts the router.
     */
    crossCheck: z
      .object({ maxChildrenPerParent: count.default(20_000) })
      .strict()
      .default({ maxChildrenPerParent: 20_000 }),
    /**
     * Market conditions that move the symbol to a safer state by rule, and back when they clear: a consolidated quote
     * crossed, locked or one-sided for longer than `badQuoteMs` → HALTED; no change of the quote for `staleQuoteMs`
     * → HALTED; the mid moved more than `bandPct` % from where it was `bandSeconds` before (in the manner of LULD) →
     * HALTED; a venue's session lost → REDUCING (off by default: the router routes around a lost venue, and at a
     * start every venue is down until it logs on). 0 (false) switches a rule off.
     */
    marketRules: z
      .object({
        badQuoteMs: z.number().min(0).max(3_600_000).default(2_000),
        staleQuoteMs: z.number().min(0).max(3_600_000).default(60_000),
        bandPct: z.number().min(0).max(100).default(10),
        bandSeconds: positive.max(3600).default(300),
        venueDown: z.boolean().default(false),
      })
      .strict()
      .default({ badQuoteMs: 2_000, staleQuoteMs: 60_000, bandPct: 10, bandSeconds: 300, venueDown: false }),
    /**
     * The model checks (model-driven policies such as ml): every output is checked before it is used. A probability
     * outside [0, 1], a NaN or an infinity, a cost term (σ, drift, impact, toxicity, a saving; bps) beyond
     * ±`maxCostBps`, a feature further than `maxFeatureZ` training standard deviations from its training mean, or a
     * decision whose inference took longer than `inferenceBudgetUs` (wall clock; live only: a backtest's decisions
     * take no simulated time, and a wall-clock test would make it depend on the machine) is an anomaly: that
     * decision is the rule router's. After `anomalies` of them within `windowSeconds` the parent stays on the rule
     * router until a person resets it.
     */
    models: z
      .object({
        maxCostBps: positive.default(2_000),
        maxFeatureZ: positive.default(100),
        inferenceBudgetUs: positive.default(5_000),
        anomalies: count.default(3),
        windowSeconds: positive.max(86_400).default(300),
      })
      .strict()
      .default({ maxCostBps: 2_000, maxFeatureZ: 100, inferenceBudgetUs: 5_000, anomalies: 3, windowSeconds: 300 }),
  })
  .strict();

export type RiskLimits = z.infer<typeof riskLimitsSchema>;

/** The defaults, whole. */
export const DEFAULT_LIMITS: RiskLimits = riskLimitsSchema.parse({});

/** Limits from JSON-like data; a bad field is a usage error naming its path. */
export function parseRiskLimits(data: unknown, where = 'risk limits'): RiskLimits {
  const r = riskLimitsSchema.safeParse(data);
  if (!r.success) {
    const p = zodProblem(r.error);
    throw new UsageError(`${where}: ${p.path || '(the whole document)'}: ${p.message}`);
  }
  return r.data;
}

/** A limits file (JSON). */
export function loadRiskLimits(file: string): RiskLimits {
  const text = fsDo(file, 'read the limits file', () => readFileSync(file, 'utf8'));
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  return parseRiskLimits(data, file);
}
