import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Prints a command's result: JSON with --json, else Node's inspection of it. */
export function print(out: unknown, json: boolean): void {
  if (json) console.log(JSON.stringify(out, null, 2));
  else console.dir(out, { depth: 5 });
}

/**
 * Writes an output file whole or not at all: to a temporary file beside it, then renamed over it, so a crash or a
 * full disk never leaves half a report or scenario where the user looks for it.
 */
export function writeFileWhole(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** An output file's folder must exist before the work that fills it starts (exit 2 otherwise). */
export function outputFolderExists(path: string): boolean {
  return statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory() ?? false;
}
