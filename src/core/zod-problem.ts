import type { z } from 'zod';

/** A zod issue's path as a field path: venues[2].fees.take. */
export function fieldPath(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/** The first problem of a zod error: its field path and message. */
export function zodProblem(err: z.ZodError): { path: string; message: string } {
  const issue = err.issues[0]!;
  return { path: fieldPath(issue.path), message: issue.message };
}
