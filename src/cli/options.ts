import { availableParallelism } from 'node:os';
import { SESSION_MINUTES } from '../core/types.js';
import { UsageError } from './errors.js';

/**
 * Option parsers: each names the option in its error (exit 2). Integers are whole numbers written in digits, up to
 * 2^53 − 1 (past it two different numbers would read as one); an empty value is refused, never read as 0.
 */

const MAX_INT = BigInt(Number.MAX_SAFE_INTEGER);

/** A non-negative integer written in digits, or null. */
function digits(v: string): number | null {
  const t = v.trim();
  if (!/^\d+$/.test(t) || BigInt(t) > MAX_INT) return null;
  return Number(t);
}

export function nonNegativeInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = digits(v);
    if (n === null) throw new UsageError(`${name} must be a whole number 0–${Number.MAX_SAFE_INTEGER}, got "${v}"`);
    if (n > max) throw new UsageError(`${name} must be at most ${max}, got ${v}`);
    return n;
  };
}

export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  const p = nonNegativeInt(name, max);
  return (v: string): number => {
    const n = p(v);
    if (n === 0) throw new UsageError(`${name} must be at least 1, got "${v}"`);
    return n;
  };
}

/** A finite number > 0 (and ≤ max). */
export function positiveNumber(name: string, max = Infinity) {
  return (v: string): number => {
    const n = v.trim() === '' ? NaN : Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${name} must be a positive number, got "${v}"`);
    if (n > max) throw new UsageError(`${name} must be at most ${max}, got ${v}`);
    return n;
  };
}

/** A finite number in [lo, hi]. */
export function numberIn(name: string, lo: number, hi: number) {
  return (v: string): number => {
    const n = v.trim() === '' ? NaN : Number(v);
    if (!(n >= lo && n <= hi)) throw new UsageError(`${name} must be a number in [${lo}, ${hi}], got "${v}"`);
    return n;
  };
}

/** A time window of a day, `HH:MM-HH:MM` (seconds optional: `HH:MM:SS`), as nanoseconds since midnight, from < to. */
export interface DayWindow {
  fromNs: number;
  toNs: number;
  /** As written, normalised: 09:30-12:45. */
  label: string;
}

export function windowOption(name: string) {
  const clock = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
  return (v: string): DayWindow => {
    const parts = v.trim().split('-');
    const m = parts.length === 2 ? parts.map((x) => clock.exec(x.trim())) : [];
    if (m.length !== 2 || !m[0] || !m[1]) throw new UsageError(`${name} must be HH:MM-HH:MM (e.g. 09:30-12:45), got "${v}"`);
    const [from, to] = m.map((x) => ((Number(x![1]) * 60 + Number(x![2])) * 60 + Number(x![3] ?? 0)) * 1e9) as [number, number];
    if (!(to > from)) throw new UsageError(`${name}: the window must end after it starts, got "${v}"`);
    const fmt = (x: RegExpExecArray) => `${x[1]!.padStart(2, '0')}:${x[2]}${x[3] ? `:${x[3]}` : ''}`;
    return { fromNs: from, toNs: to, label: `${fmt(m[0])}-${fmt(m[1])}` };
  };
}

/** A repeatable option's values, in order. */
export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** The most seeds one set may name. */
export const MAX_SEEDS = 100_000;

/** "1-8" or "1,3,5" (or a mix): the seeds, in order, without repeats; each 0–2^53 − 1. */
export function parseSeeds(v: string, name = '--seeds'): number[] {
  const out = new Set<number>();
  for (const part of v.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`${name}: "${part}" is not a seed or a range a-b`);
    const a = digits(m[1]!);
    const b = m[2] === undefined ? a : digits(m[2]);
    if (a === null || b === null) throw new UsageError(`${name}: "${part.trim()}": a seed must be at most ${Number.MAX_SAFE_INTEGER}`);
    if (b < a) throw new UsageError(`${name}: bad range "${part.trim()}" (it ends before it starts)`);
    if (b - a >= MAX_SEEDS || out.size + (b - a + 1) > MAX_SEEDS) throw new UsageError(`${name}: more than ${MAX_SEEDS} seeds`);
    for (let x = a; x <= b; x++) out.add(x);
  }
  return [...out];
}

/** Each backtest worker holds a market and the models: more than two a core only costs memory. */
export const MAX_WORKERS = 2 * availableParallelism();

/** A window of minutes from --start-minute must fit in the session. */
export function sessionFits(o: { startMinute: number; minutes: number }): void {
  if (o.startMinute + o.minutes > SESSION_MINUTES) {
    throw new UsageError(`--start-minute ${o.startMinute} + --minutes ${o.minutes} runs past a ${SESSION_MINUTES}-minute session`);
  }
}
