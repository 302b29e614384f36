import { HashingSink, type EventSink } from '../core/event-log.js';
import { Rng } from '../core/rng.js';
import { NS_PER_MINUTE, formatPrice, type VenueKind } from '../core/types.js';
import { DarkPool } from '../venue/dark-pool.js';
import { LitVenue } from '../venue/lit-venue.js';
import type { Venue } from '../venue/types.js';
import type { FlowGenerator } from './cst-flow.js';
import { Kernel } from './kernel.js';
import { contraFlowModels, feeModels, flowModels, impactModels, latencyModels } from './kinds.js';
import { ConsolidatedQuote, round6 } from './nbbo.js';
import { clockToNs, type Scenario } from './scenario.js';

/** A market built from a scenario and a seed, ready to run: kernel, venues, consolidated quote and flow. */
export interface Session {
  scenario: Scenario;
  seed: number;
  kernel: Kernel;
  lit: LitVenue[];
  dark: DarkPool[];
  venues: Venue[];
  nbbo: ConsolidatedQuote;
  flow: FlowGenerator;
  log: HashingSink;
  t0: number;
}

/** Fans one log out to several sinks (the hash, and e.g. a test's recorder). */
class TeeSink implements EventSink {
  constructor(private readonly sinks: EventSink[]) {}
  record(k: number, t: number, a: number, b: number, c: number, d: number, e: number, f: number): void {
    for (const s of this.sinks) s.record(k, t, a, b, c, d, e, f);
  }
}

/**
 * Builds the market of a scenario. Each component draws from its own stream derived from the seed and its name,
 * so the same seed gives the same run byte for byte, and adding a component leaves the others' draws alone.
 */
export function buildSession(
  scenario: Scenario,
  seed: number,
  file = `scenario ${scenario.name}`,
  extraSink?: EventSink,
  opts: { startNs?: number } = {},
): Session {
  const open = clockToNs(scenario.start);
  // a session may open later than the scenario's start (a backtest skips the hours before its order); the
  // intraday profile stays anchored at the scenario's start
  const t0 = opts.startNs ?? open;
  const kernel = new Kernel(t0);
  const log = new HashingSink();
  const sink: EventSink = extraSink ? new TeeSink([log, extraSink]) : log;
  const litSpecs = scenario.venues.flatMap((v, i) => (v.type === 'lit' ? [{ v, i }] : []));
  const nbbo = new ConsolidatedQuote(litSpecs.length, scenario.tick, kernel);
  const lat = (spec: { kind: string }, i: number, which: string) =>
    latencyModels.build(spec, file, `venues[${i}].latency.${which}`, { file, path: `venues[${i}].latency.${which}` });

  const lit = litSpecs.map(({ v, i }, k) => {
    if (v.type !== 'lit') throw new Error('unreachable');
    const venue = new LitVenue(
      {
        name: v.name,
        index: k,
        tick: scenario.tick,
        fees: feeModels.build(v.fees, file, `venues[${i}].fees`, undefined),
        entryLatency: lat(v.latency.entry, i, 'entry'),
        responseLatency: lat(v.latency.response, i, 'response'),
        feedLatency: lat(v.latency.feed, i, 'feed'),
        speedBumpNs: v.speedBumpNs,
      },
      kernel,
      sink,
      Rng.stream(seed, `venue:${v.name}:latency`),
    );
    venue.setTopListener(nbbo);
    return venue;
  });

  const impact = scenario.impact ? impactModels.build(scenario.impact, file, 'impact', { initialPrice: scenario.initialPrice }) : undefined;
  if (impact) {
    // a participant's aggressive trade moves the fair value; the background's own trades do not (it is the noise)
    const observer = {
      onVenueTrade(_v: number, _p: number, qty: number, takerSide: 0 | 1, _mo: number, takerOwner: number): void {
        if (takerOwner !== 0) impact.onTrade(kernel.now(), takerSide, qty);
      },
    };
    for (const v of lit) v.setTradeObserver(observer);
  }
  const flow = flowModels.build(scenario.flow, file, 'flow', {
    file,
    sched: kernel,
    rng: Rng.stream(seed, 'flow'),
    fairRng: Rng.stream(seed, 'flow:fair-value'),
    ...(impact ? { impact } : {}),
    venues: lit,
    shares: litSpecs.map(({ v }) => (v.type === 'lit' ? v.share : 0)),
    nbbo,
    tick: scenario.tick,
    initialPrice: scenario.initialPrice,
    openNs: open,
  });

  const dark: DarkPool[] = [];
  scenario.venues.forEach((v, i) => {
    if (v.type !== 'dark') return;
    const pool = new DarkPool(
      {
        name: v.name,
        index: lit.length + dark.length,
        fees: feeModels.build(v.fees, file, `venues[${i}].fees`, undefined),
        entryLatency: lat(v.latency.entry, i, 'entry'),
        responseLatency: lat(v.latency.response, i, 'response'),
        contra: contraFlowModels.build(v.contraFlow, file, `venues[${i}].contraFlow`, undefined),
      },
      kernel,
      sink,
      Rng.stream(seed, `venue:${v.name}:latency`),
      Rng.stream(seed, `venue:${v.name}:contra`),
      nbbo,
      flow.info,
    );
    nbbo.onChange(() => pool.onNbboChange());
    dark.push(pool);
  });

  return { scenario, seed, kernel, lit, dark, venues: [...lit, ...dark], nbbo, flow, log, t0 };
}

/** Opens the market: the flow seeds the books, the pools' contra flow starts, statistics start. */
export function startSession(s: Session): void {
  s.flow.start(s.t0);
  for (const p of s.dark) p.start(s.t0);
  s.nbbo.startStats();
}

export interface SessionSummary {
  scenario: string;
  symbol: string;
  seed: number;
  start: string;
  minutes: number;
  venues: { name: string; kind: VenueKind; orders: number; cancels: number; trades: number; volume: number }[];
  nbbo: ReturnType<ConsolidatedQuote['summary']> & { close_bid: string; close_ask: string };
  dark_pools: { name: string; contra_arrivals: number; informed_share: number }[];
  regime?: { depth: number; volatility: number; label: string };
  events: number;
  kernel_events: number;
  event_log_hash: string;
}

/** Runs a session for `minutes` of simulated time and summarises it. Deterministic: no wall-clock values. */
export function simulate(s: Session, minutes: number): SessionSummary {
  startSession(s);
  s.kernel.run(s.t0 + minutes * NS_PER_MINUTE);
  return summarize(s, minutes);
}

export function summarize(s: Session, minutes: number): SessionSummary {
  return {
    scenario: s.scenario.name,
    symbol: s.scenario.symbol,
    seed: s.seed,
    start: s.scenario.start,
    minutes,
    venues: s.venues.map((v) => ({ name: v.name, kind: v.kind, ...pick(v.stats) })),
    nbbo: { ...s.nbbo.summary(), close_bid: formatPrice(s.nbbo.bid), close_ask: formatPrice(s.nbbo.ask) },
    dark_pools: s.dark.map((p) => ({
      name: p.name,
      contra_arrivals: p.stats.contraArrivals,
      informed_share: round6(p.stats.contraArrivals > 0 ? p.stats.informedArrivals / p.stats.contraArrivals : 0),
    })),
    ...(s.flow.regime ? { regime: s.flow.regime } : {}),
    events: s.log.count,
    kernel_events: s.kernel.executed,
    event_log_hash: s.log.hex(),
  };
}

function pick(st: { orders: number; cancels: number; trades: number; volume: number }) {
  return { orders: st.orders, cancels: st.cancels, trades: st.trades, volume: st.volume };
}
