import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fsDo, IoError } from './errors.js';

/**
 * Output folders and files, checked before the work that fills them and written whole: a run never ends with its
 * result lost to a folder that cannot be written, and a crash or a full disk never leaves half a file.
 */

/**
 * Creates a folder and its missing parents, one level at a time. (Node's recursive mkdirSync never returns for some
 * paths under /proc, where ENOENT comes back for a parent that exists.)
 */
export function makeFolder(dir: string, what: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!statSync(d, { throwIfNoEntry: false })) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (statSync(d, { throwIfNoEntry: false })?.isDirectory() === false) throw new IoError(`${what} ${dir}: ${d} is a file, not a folder`);
  for (const m of missing.reverse()) fsDo(dir, `create the folder (${what})`, () => mkdirSync(m));
}

/** Proves a folder can be written: a probe file written and removed. */
function probeWrite(dir: string, what: string): void {
  const probe = join(dir, `.sor-probe-${process.pid}`);
  fsDo(dir, `write in the folder (${what})`, () => writeFileSync(probe, ''));
  rmSync(probe, { force: true });
}

/** Creates `dir` if missing and proves it can be written; `what` names it in errors. */
export function writableFolder(dir: string, what: string): void {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw new IoError(`${what} ${dir}: a file, not a folder`);
  if (!st) makeFolder(dir, what);
  probeWrite(dir, what);
}

/** An output file's folder must exist and be writable, and the file must not be a folder, before the work starts. */
export function writableFile(path: string, what: string): void {
  const dir = dirname(path);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new IoError(`${what} ${path}: no such folder ${dir}`);
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new IoError(`${what} ${path}: a folder, not a file`);
  probeWrite(dir, what);
}

/** The temporary name a file is written under before it is renamed into place. */
const tempBeside = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);

/** Replaces `path` whole or not at all: `write` fills a temporary file beside it, which is then renamed over it. */
export function replaceFile(path: string, write: (tmp: string) => void): void {
  const tmp = tempBeside(path);
  fsDo(path, 'write the file', () => {
    try {
      write(tmp);
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  });
}

/** The same, for a writer that works asynchronously (DuckDB's COPY). */
export async function replaceFileAsync(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempBeside(path);
  try {
    await write(tmp);
    fsDo(path, 'write the file', () => renameSync(tmp, path));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes a text file whole or not at all. */
export function writeFileWhole(path: string, text: string): void {
  replaceFile(path, (tmp) => writeFileSync(tmp, text));
}
