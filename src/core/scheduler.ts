/**
 * The port through which anything that lives in simulated (or live) time asks to be called back later.
 * The simulator kernel implements it; venues and generators depend only on this interface.
 */
export interface Handler<A = unknown> {
  handle(time: number, arg: A): void;
}

export interface Scheduler {
  /** Current time, ns since midnight. */
  now(): number;
  /** Calls handler.handle(time, arg) at `time` (≥ now). Calls at the same time run in the order scheduled. */
  at<A>(time: number, handler: Handler<A>, arg: A): void;
}
