import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { Policy } from './engine.js';
import type { MlModels } from './ml/models.js';
import { POLICY_DEFAULTS, type VolumeProfile } from './policy-base.js';
import { zodProblem } from '../core/zod-problem.js';
import { SorError } from '../core/errors.js';

/** What the world gives every policy it builds: the decision interval, the market's facts, a seeded stream, models. */
export interface PolicyContext {
  /** Time between decisions, ns. */
  decisionNs: number;
  /** The intraday volume profile (VWAP's schedule, the impact model's expected volume). */
  profile?: VolumeProfile;
  /** Average daily volume, shares. */
  adv: number;
  /** The policy's own random stream (derived from the order's market seed and the policy's name). */
  rng: Rng;
  /** The trained models, for a policy registered with `models: true`. */
  models?: MlModels;
}

/** A policy kind: its name, what it does, its options (a zod object with defaults) and how to build one. */
export interface PolicyKind<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  options: S;
  /** Whether it routes by the trained models (a backtest then loads or trains them). */
  models?: boolean;
  make(options: z.infer<S>, ctx: PolicyContext): Policy;
}

/** Bad policy input: names the policy and the option. */
export class PolicyError extends SorError {
  constructor(message: string, options?: ErrorOptions) {
    super('usage', message, options);
  }
}

/** Options every policy takes: how deep a sweep may go into each lit book. */
export const sweepOptions = z.object({ sweepDepth: z.number().int().positive().max(1000).default(POLICY_DEFAULTS.sweepDepth) });
/** And those of a policy that pings dark pools: the smallest execution a ping accepts. */
export const darkOptions = sweepOptions.extend({ darkMinQty: z.number().int().positive().max(1e7).default(POLICY_DEFAULTS.darkMinQty) });

/**
 * Policies by name, each with its own validated options, open to users as the world-model kinds are: register a
 * kind and every tool (backtests, and later the live router and a learning environment) can run it by name.
 * Each parent order gets its own instance: policies keep per-order state.
 */
export class PolicyRegistry {
  private readonly kinds = new Map<string, PolicyKind>();
  /** Each kind's options, refusing keys it does not name. */
  private readonly strict = new Map<string, z.ZodObject>();

  register<S extends z.ZodObject>(kind: PolicyKind<S>): void {
    if (!/^[a-z][a-z0-9-]*$/.test(kind.name)) throw new PolicyError(`policy name "${kind.name}": lower-case letters, digits and -`);
    if (this.kinds.has(kind.name)) throw new PolicyError(`policy "${kind.name}" is already registered`);
    this.kinds.set(kind.name, kind as unknown as PolicyKind);
    this.strict.set(kind.name, kind.options.strict());
  }

  names(): string[] {
    return [...this.kinds.keys()];
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  kind(name: string): PolicyKind {
    const k = this.kinds.get(name);
    if (!k) throw new PolicyError(`unknown policy "${name}" (registered: ${this.names().join(', ')})`);
    return k;
  }

  /** Whether any of these policies routes by the trained models. */
  needsModels(names: readonly string[]): boolean {
    return names.some((n) => this.kind(n).models === true);
  }

  /** The option names a policy takes. */
  optionNames(name: string): string[] {
    return Object.keys(this.kind(name).options.shape);
  }

  /** A policy's options validated, defaults filled in; a bad one names the policy and the option. */
  options(name: string, raw: Record<string, unknown> = {}): Record<string, unknown> {
    this.kind(name);
    const r = this.strict.get(name)!.safeParse(raw);
    if (!r.success) {
      // an unknown option has no path: its name is in the issue's keys
      const issue = r.error.issues[0]!;
      const key = zodProblem(r.error).path || ('keys' in issue ? (issue.keys as string[]).join(', ') : '');
      throw new PolicyError(`policy ${name}${key ? `, option ${key}` : ''}: ${issue.message}`);
    }
    return r.data as Record<string, unknown>;
  }

  /** Builds a policy for one parent order. */
  build(name: string, raw: Record<string, unknown> | undefined, ctx: PolicyContext): Policy {
    return this.kind(name).make(this.options(name, raw) as never, ctx);
  }

  /** Each policy with its description and its options' defaults (what `sor backtest --policies` lists). */
  describe(): { name: string; description: string; models: boolean; options: Record<string, unknown> }[] {
    return [...this.kinds.values()].map((k) => ({ name: k.name, description: k.description, models: k.models === true, options: this.options(k.name) }));
  }
}

/** The registry every tool builds its policies from. */
export const policies = new PolicyRegistry();
