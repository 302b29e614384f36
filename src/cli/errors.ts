import { errnoOf, ioError, SorError } from '../core/errors.js';

export { DataError, IoError, SorError, UsageError } from '../core/errors.js';

/** DuckDB's own I/O failures (a lock held by another process, a file it cannot open or write). */
const DUCKDB_IO = /^IO Error: |Could not set lock on file|Cannot open (database|file)/;

/**
 * The error as the project's kind of error, or null for a bug. Project errors keep their kind; one wrapped with
 * its context (a backtest names the order and policy) is its cause's; a file-system failure (ENOENT, EACCES,
 * EISDIR…) and DuckDB's lock and open failures are I/O errors.
 */
export function knownError(e: unknown): SorError | null {
  if (e instanceof SorError) return e;
  if (!(e instanceof Error)) return null;
  if (e.cause !== undefined) {
    const c = knownError(e.cause);
    if (c) return new SorError(c.kind, e.message, { cause: e });
  }
  if (errnoOf(e) && typeof (e as NodeJS.ErrnoException).path === 'string') {
    const x = e as NodeJS.ErrnoException;
    return ioError(x.path!, x.syscall ?? 'use it', e);
  }
  if (DUCKDB_IO.test(e.message)) return new SorError('io', e.message.split('\n')[0]!, { cause: e });
  return null;
}
