import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError, fsDo } from '../core/errors.js';
import { zodProblem } from '../core/zod-problem.js';
import { isPasswordHash } from '../fix/auth.js';
import { DEFAULT_LIMITS, riskLimitsSchema } from '../risk/limits.js';

/**
 * `sor serve`'s configuration (router.json), checked whole before anything starts: a bad field is named with its
 * path and the command exits 2. Secrets are not in it: OMS passwords as salted hashes (`sor fix hash-password`),
 * the router's own venue passwords by the name of an environment variable that holds them.
 */
const compId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a CompID: 1–64 letters, digits, _ . -');
const port = z.number().int().min(0).max(65_535);

/** TargetStrategy (847) → policy: FIX's 1–3, and 1000 and up by agreement with the OMS. */
export const STRATEGIES: Record<string, string> = { '1': 'vwap', '2': 'pov', '3': 'ac', '1000': 'rule', '1001': 'twap', '1002': 'ck', '1003': 'ml' };

export const routerConfigSchema = z
  .object({
    symbol: z.string().min(1).max(32),
    /** Price tick, price units (1/10,000). */
    tick: z.number().int().positive().max(1e8),
    router: z
      .object({ compId: compId.default('SOR'), marketDataCompId: compId.default('SOR-MD') })
      .strict()
      .default({ compId: 'SOR', marketDataCompId: 'SOR-MD' }),
    oms: z
      .object({
        port: port.default(0),
        sessions: z
          .array(
            z
              .object({
                compId,
                username: z.string().min(1).max(64),
                passwordHash: z.string().refine(isPasswordHash, 'a salted hash from `sor fix hash-password`, not a password'),
              })
              .strict(),
          )
          .min(1),
        tls: z.object({ keyFile: z.string(), certFile: z.string() }).strict().optional(),
      })
      .strict(),
    venues: z
      .array(
        z
          .object({
            name: compId,
            kind: z.enum(['lit', 'dark']),
            host: z.string().default('127.0.0.1'),
            port: port.refine((p) => p > 0, 'a venue’s port must be above 0'),
            /** Fees per share to take and to make, price units (negative: a rebate). */
            takeFee: z.number().min(-1e6).max(1e6).default(0),
            makeFee: z.number().min(-1e6).max(1e6).default(0),
            username: z.string().max(64).optional(),
            /** The environment variable holding the router's password at this venue. */
            passwordEnv: z
              .string()
              .regex(/^[A-Z_][A-Z0-9_]*$/)
              .optional(),
            tls: z.object({ caFile: z.string() }).strict().optional(),
          })
          .strict(),
      )
      .min(1)
      .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, 'venue names must differ'),
    /** The market's clock (as `sor venues` prints it); absent: the wall clock, in real time. */
    clock: z
      .object({ originMs: z.number().positive(), originNs: z.number().min(0).max(86_400e9), speed: z.number().min(0.01).max(1000) })
      .strict()
      .optional(),
    policy: z
      .object({
        default: z.string().default('rule'),
        /** TargetStrategy (847) values (1–3 FIX's, 1000 and up by agreement) → policy names. */
        strategies: z.record(z.string().regex(/^\d+$/), z.string()).default(STRATEGIES),
        decisionSeconds: z.number().min(1).max(3600).default(10),
        defaultHorizonMinutes: z.number().min(0.1).max(390).default(5),
        /** Daily volume (order sizes and participation refer to it); absent: the calibration market's, else 1,000,000. */
        adv: z.number().positive().max(1e12).optional(),
        volBps: z.number().positive().max(1e5).optional(),
      })
      .strict()
      .default({ default: 'rule', strategies: STRATEGIES, decisionSeconds: 10, defaultHorizonMinutes: 5 }),
    /** The market the policies are calibrated on (a shipped scenario's name or a scenario file): VWAP's volume profile, ADV, volatility. */
    market: z
      .object({ scenario: z.string().min(1) })
      .strict()
      .optional(),
    /** The `ml` policy's trained models: the registry they are taken from (the newest fitting ones, as a backtest takes them). */
    models: z
      .object({ registry: z.string().min(1) })
      .strict()
      .optional(),
    journal: z
      .object({ dir: z.string().min(1), sync: z.enum(['every', 'group', 'os']).default('every'), groupMs: z.number().min(0.1).max(1000).default(2) })
      .strict(),
    /**
     * The control API (monitor/control.ts) on 127.0.0.1: each person's token by a salted hash (`sor ctl new-token`),
     * never the token itself. Absent: no control API (the OMS can still cancel, and mass cancel).
     */
    control: z
      .object({
        port: port.default(0),
        tokens: z
          .array(
            z
              .object({
                who: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a name: 1–64 letters, digits, _ . @ -'),
                tokenHash: z.string().refine(isPasswordHash, 'a salted hash from `sor ctl new-token`, not a token'),
              })
              .strict(),
          )
          .min(1),
      })
      .strict()
      .optional(),
    /** The guardrails' limits (risk/limits.ts); every field has a default. */
    risk: riskLimitsSchema.default(DEFAULT_LIMITS),
  })
  .strict();

export type RouterConfig = z.infer<typeof routerConfigSchema>;

/** A config object checked; a bad field is a UsageError naming it (`<where>: <path>: <problem>`). */
export function parseRouterConfig(raw: unknown, where = 'the config'): RouterConfig {
  const r = routerConfigSchema.safeParse(raw);
  if (!r.success) {
    const p = zodProblem(r.error);
    throw new UsageError(`${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
  }
  return r.data;
}

export function loadRouterConfig(file: string): RouterConfig {
  const text = fsDo(file, 'read the config', () => readFileSync(file, 'utf8'));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  return parseRouterConfig(raw, file);
}
