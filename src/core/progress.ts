/**
 * Progress of long work (datasets, training, reading a large file, a backtest), reported by the code that does it and
 * shown by whoever set a reporter: the CLI sets one that draws a line on a terminal's stderr, and none when stderr is
 * piped, the output is --json or --no-progress is given. Without a reporter, reporting costs a function call.
 */
export interface ProgressReporter {
  (task: string, done: number, total: number): void;
  /** Clears what the reporter shows (before a result or a note is printed). */
  clear?(): void;
}

let reporter: ProgressReporter | null = null;

export function setProgressReporter(r: ProgressReporter | null): void {
  reporter = r;
}

export function clearProgress(): void {
  reporter?.clear?.();
}

/** `done` of `total` steps of `task` are finished. */
export function progress(task: string, done: number, total: number): void {
  reporter?.(task, done, total);
}

/** `m:ss` */
const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.round(ms / 1000) % 60).padStart(2, '0')}`;

/**
 * The reporter a terminal gets: one line (the task, a bar, the counts and the time left at the pace so far),
 * redrawn at most ten times a second, cleared when the work is done.
 */
export function terminalReporter(stream: NodeJS.WriteStream): ProgressReporter {
  let last = 0;
  let shown = false;
  let current = '';
  let startedAt = 0;
  let startedDone = 0;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  const r = (task: string, done: number, total: number) => {
    const now = Date.now();
    if (task !== current || done < startedDone) {
      current = task;
      startedAt = now;
      startedDone = done;
    }
    if (now - last < 100 && done < total) return;
    last = now;
    const width = 24;
    const filled = total > 0 ? Math.round((width * Math.min(done, total)) / total) : 0;
    const pace = done > startedDone ? (now - startedAt) / (done - startedDone) : NaN;
    const left = Number.isFinite(pace) && done < total ? ` · ${clock(pace * (total - done))} left` : '';
    const tail = ` [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}${left}`;
    // a narrow terminal shortens the task's name, never the counts
    const room = Math.max(0, (stream.columns || 80) - 1 - tail.length);
    stream.write(`\r\x1b[2K${task.length > room ? task.slice(0, Math.max(0, room - 1)) + '…' : task}${tail}`);
    shown = true;
    if (done >= total) clear();
  };
  return Object.assign(r, { clear });
}
