/**
 * The errors the project expects, each with the exit code the `sor` command gives it (README, "Exit codes"):
 *
 * - usage (2): the command line is wrong — an option, a value, a policy, a seed set;
 * - data (3): a file's content is wrong — a scenario, a LOBSTER file, a model artifact, a store that is not one;
 * - io (4): a file or folder cannot be read or written — missing, a directory, unwritable, locked, disk full.
 *
 * Anything else is a bug (exit 1): the command prints a short message and where the whole trace was written.
 */
export type ErrorKind = 'usage' | 'data' | 'io';

export const EXIT_CODES = { internal: 1, usage: 2, data: 3, io: 4 } as const;

export class SorError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** The command line is wrong: an option, a value, a name (exit 2). */
export class UsageError extends SorError {
  constructor(message: string, options?: ErrorOptions) {
    super('usage', message, options);
  }
}

/** A file's content is not what it should be: the message names the file and where in it. */
export class DataError extends SorError {
  constructor(message: string, options?: ErrorOptions) {
    super('data', message, options);
  }
}

/** A file or folder cannot be read or written: the message names it and what was being done. */
export class IoError extends SorError {
  constructor(message: string, options?: ErrorOptions) {
    super('io', message, options);
  }
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EISDIR: 'a folder, not a file',
  ENOTDIR: 'not a folder',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'a read-only file system',
  EMFILE: 'too many open files',
  EBUSY: 'busy',
  EINVAL: 'not a valid target',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

/** Node's errno of a file-system error, or undefined for any other error. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** A file-system failure as an IoError that names the path and the action: `report.html: cannot write (permission denied)`. */
export function ioError(path: string, action: string, e: unknown): IoError {
  const code = errnoOf(e);
  const why = code ? (ERRNO_WORDS[code] ?? code) : (e as Error).message;
  return new IoError(`${path}: cannot ${action} (${why})`, { cause: e });
}

/** Runs a file-system action; a failure becomes an IoError naming the path. */
export function fsDo<T>(path: string, action: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SorError) throw e;
    throw ioError(path, action, e);
  }
}
