import type { EventSink } from '../core/event-log.js';
import { buildSession, startSession, type Session } from '../sim/session.js';
import { MidPath, TradeTape } from '../tca/benchmarks.js';
import type { Market } from './market.js';

/** Which world: the market, the seed of every draw in it, when it opens, and an optional extra sink of its event log. */
export interface WorldSpec {
  market: Market;
  seed: number;
  /** When the world opens, ns since midnight (default: the scenario's start; a backtest skips the hours before its order). */
  startNs?: number;
  /** Receives every logged event besides the world's hash (a realism collector, a test's recorder). */
  sink?: EventSink;
}

/** A built world: the session (kernel, venues, consolidated quote, flow) and the participants bound to it. */
export interface World<B> {
  readonly session: Session;
  readonly bound: B;
  /** Opens the market: the flow seeds the books, the pools' contra flow starts. */
  start(): void;
  /** Runs the world's events up to and including `untilNs`. */
  run(untilNs: number): void;
  now(): number;
}

/**
 * The one place a world is built, for backtests, datasets, realism experiments, benchmarks and (later) the live
 * venue simulator and a learning environment. `bind` attaches the participants (a router, probes, recorders, a
 * metaorder) before the market opens, in the order it binds them: each feed subscription draws its own latencies,
 * so the same binding on the same seed gives the same world byte for byte.
 */
export function buildWorld<B = undefined>(spec: WorldSpec, bind?: (s: Session) => B): World<B> {
  const { scenario, file } = spec.market;
  const session = buildSession(scenario, spec.seed, file, spec.sink, spec.startNs !== undefined ? { startNs: spec.startNs } : {});
  const bound = (bind ? bind(session) : undefined) as B;
  return {
    session,
    bound,
    start: () => startSession(session),
    run: (t) => session.kernel.run(t),
    now: () => session.kernel.now(),
  };
}

// Recording participants, each bound to a session by a function, so that a caller's `bind` composes them with the
// others (the router, `new SimRouter(s, hooks, features)`; the datasets' features, `sessionFeatures(s, adv, vol)`).

/** The consolidated mid over time. */
export function recordMids(s: Session): MidPath {
  const path = new MidPath();
  s.nbbo.onChange(() => path.record(s.kernel.now(), s.nbbo.lastMid));
  return path;
}

/** Every lit print (venue time, price, size), from the venues' feeds. */
export function recordTrades(s: Session): TradeTape {
  const tape = new TradeTape();
  for (const v of s.lit) v.subscribe({ onQuote() {}, onTrade: (t) => tape.record(t.venueTime, t.price, t.qty) });
  return tape;
}
