import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { EXIT_CODES } from '../core/errors.js';
import { clearProgress } from '../core/progress.js';
import { knownError } from './errors.js';

/**
 * The CLI's one way out on an error. A known error (usage, data, I/O) prints `sor: <what, where>` and exits with its
 * code; commander's own usage errors have been printed by commander and exit 2; anything else is a bug: a short
 * message on stderr, the whole trace in a file (SOR_ERROR_LOG, or a new file in the temporary folder), exit 1.
 */
export function fail(err: unknown): never {
  clearProgress();
  if (err instanceof CommanderError) {
    // --help and --version end through here too
    process.exit(err.exitCode === 0 ? 0 : EXIT_CODES.usage);
  }
  const known = knownError(err);
  if (known) {
    console.error(`sor: ${known.message}`);
    process.exit(known.exitCode);
  }
  const trace = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const file = process.env.SOR_ERROR_LOG ?? join(tmpdir(), `sor-error-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  let where;
  try {
    writeFileSync(file, `sor ${process.argv.slice(2).join(' ')}\n${trace}\n`);
    where = `the full trace is in ${file}`;
  } catch {
    where = 'the trace could not be written';
  }
  console.error(`sor: internal error: ${message}\nsor: this is a bug; ${where}`);
  process.exit(EXIT_CODES.internal);
}
