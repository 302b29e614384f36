/**
 * Progress of long work (datasets, training, calibration), reported by the code that does it and shown by whoever
 * set a reporter: the CLI sets one that draws a line on a terminal's stderr, and none when stderr is piped or the
 * output is --json. Without a reporter, reporting costs a function call.
 */
export type ProgressReporter = (task: string, done: number, total: number) => void;

let reporter: (ProgressReporter & { clear?: () => void }) | null = null;

export function setProgressReporter(r: (ProgressReporter & { clear?: () => void }) | null): void {
  reporter = r;
}

/** Clears what the reporter shows (before a result is printed). */
export function clearProgress(): void {
  reporter?.clear?.();
}

/** `done` of `total` steps of `task` are finished. */
export function progress(task: string, done: number, total: number): void {
  reporter?.(task, done, total);
}

/** The reporter a terminal gets: one line, redrawn at most ten times a second, cleared when the work is done. */
export function terminalReporter(stream: NodeJS.WriteStream): ProgressReporter & { clear(): void } {
  let last = 0;
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  const r = (task: string, done: number, total: number) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const width = 24;
    const filled = total > 0 ? Math.round((width * Math.min(done, total)) / total) : 0;
    const tail = ` [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`;
    // a narrow terminal shortens the task's name, never the counts
    const room = Math.max(0, (stream.columns || 80) - 1 - tail.length);
    stream.write(`\r\x1b[2K${task.length > room ? task.slice(0, Math.max(0, room - 1)) + '…' : task}${tail}`);
    shown = true;
    if (done >= total) clear();
  };
  return Object.assign(r, { clear });
}
