import { z } from 'zod';
import { DataError, SorError } from '../core/errors.js';
import { zodProblem } from '../core/zod-problem.js';

/** Bad scenario input: names the file and the field (exit 3). */
export class ScenarioError extends DataError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field ? field + ': ' : ''}${problem}`);
  }
}

/**
 * World-model kinds by name (fee, latency, contra-flow, flow, impact), each with the zod schema of its parameters and a factory. A scenario names a model by
 * `kind`; users register their own kinds (`feeModels.register('my-tiers', schema, make)`) without touching the
 * simulator: there is no closed list of kinds.
 */
export class KindRegistry<T, C = unknown> {
  private readonly kinds = new Map<string, { schema: z.ZodType; make: (params: never, ctx: C) => T }>();
  constructor(readonly what: string) {}

  register<S extends z.ZodType>(kind: string, schema: S, make: (params: z.infer<S>, ctx: C) => T): void {
    this.kinds.set(kind, { schema, make: make as (params: never, ctx: C) => T });
  }

  names(): string[] {
    return [...this.kinds.keys()];
  }

  /** Validates `spec` ({ kind, ...params }) found at `path` of `file`, and builds the model. */
  build(spec: { kind: string } & Record<string, unknown>, file: string, path: string, ctx: C): T {
    const entry = this.kinds.get(spec.kind);
    if (!entry) {
      throw new ScenarioError(file, `${path}.kind`, `unknown ${this.what} "${spec.kind}" (known: ${this.names().join(', ')})`);
    }
    const { kind: _kind, ...params } = spec;
    const parsed = entry.schema.safeParse(params);
    if (!parsed.success) {
      const p = zodProblem(parsed.error);
      throw new ScenarioError(file, p.path ? `${path}.${p.path}` : path, p.message);
    }
    try {
      return entry.make(parsed.data as never, ctx);
    } catch (e) {
      // a model that cannot be built from valid-looking parameters (a series file that is empty, too many venues
      // for a replay) is the scenario's problem: named with its file and field
      if (!(e instanceof Error) || e instanceof SorError) throw e;
      throw new ScenarioError(file, path, e.message);
    }
  }
}
