import { Rng } from '../core/rng.js';
import { BUY, GTC, NS_PER_MINUTE, NS_PER_SECOND, SELL, type Side } from '../core/types.js';
import { FEATURE_NAMES, FEATURE_SCHEMA, FeatureEngine, mergeLevels, N_FEATURES, type BookSnapshot } from '../features/engine.js';
import type { Example } from './inputs.js';
import type { Scenario } from '../sim/scenario.js';
import { buildSession, startSession, type Session } from '../sim/session.js';
import type { ExecReport, VenueClient } from '../venue/types.js';

/** The columns of a fill-probability example, after its feature vector. */
export const FILL_LABEL_COLUMNS = ['t_ns', 'venue', 'side', 'price', 'qty', 'horizon_ns', 'filled_qty', 'fill_time_ns', 'label', 'mid_move_bps', 'adverse'] as const;

/** Where a label column sits in a row of fill examples. */
export const fillColumn = (name: (typeof FILL_LABEL_COLUMNS)[number]): number => N_FEATURES + FILL_LABEL_COLUMNS.indexOf(name);

export interface FillExamples {
  scenario: string;
  schema: { version: number; hash: string };
  columns: string[];
  /** One row per probe order: its features at placement, then FILL_LABEL_COLUMNS; and the seed of its market. */
  rows: { seed: number; values: Float64Array }[];
}

export interface FillProbeOptions {
  seeds: readonly number[];
  /** Where in the day to probe, minutes from the open, and for how long. */
  startMinute: number;
  minutes: number;
  /** Mean time between probes, and how long each rests before it is cancelled (the label's horizon). */
  meanGapNs: number;
  horizonNs: number;
  /** Probe size, shares. */
  qty: number;
  adv: number;
  longRunVolBps: number;
  file?: string;
}

/**
 * A feature engine fed by a session as a router's would be: mids from the consolidated quote, prints from the lit
 * venues' feeds (the datasets' one definition; SimRouter feeds its own the same way, on its own subscription).
 */
export function sessionFeatures(s: Session, adv: number, longRunVolBps: number): FeatureEngine {
  const fe = new FeatureEngine({ venues: s.venues.map((v) => v.name), tick: s.scenario.tick, adv, longRunVolBps });
  s.nbbo.onChange(() => fe.onMid(s.kernel.now(), s.nbbo.lastMid));
  for (const v of s.lit) v.subscribe({ onQuote() {}, onTrade: (t) => fe.onTrade(s.kernel.now(), t.aggressor, t.qty) });
  return fe;
}

/** The consolidated top five levels of both sides, from the lit venues' books. */
export function consolidatedTop(s: Session, n = 5): BookSnapshot {
  const side = (sd: Side) => mergeLevels(s.lit.map((v) => v.book.depth(sd, n)), sd, n);
  return { bids: side(BUY), asks: side(SELL) };
}

/**
 * Labelled examples for fill probability: small post-only limit orders ("probes") placed at random times on a
 * random lit venue and side, at the touch or one to three ticks behind it, each cancelled after the horizon. The
 * features are those the router would see at placement (streaming, from the session's feeds and the probes' own
 * outcomes); the label is whether the whole probe filled within the horizon, and a second one whether the mid moved
 * against the probe's side over the horizon (the adverse move). Probes are small, rest passively and
 * so move no fair value. The market of each seed is the scenario's; every draw comes from the seed.
 */
export function fillExamples(scenario: Scenario, opts: FillProbeOptions): FillExamples {
  const rows: FillExamples['rows'] = [];
  for (const seed of opts.seeds) {
    const s = buildSession(scenario, seed, opts.file);
    const rng = Rng.stream(seed, 'dataset:fill-probes');
    const fe = sessionFeatures(s, opts.adv, opts.longRunVolBps);
    interface Probe {
      id: number;
      venue: number;
      sentAt: number;
      qty: number;
      filled: number;
      fillTime: number;
      values: Float64Array;
      done: boolean;
      /** The mid at placement, and the probe's side: the horizon's mid move is measured against the order. */
      mid: number;
      side: Side;
    }
    const probes = new Map<number, Probe>();
    let nextId = 1;
    const client: VenueClient = {
      onExecReport(r: ExecReport) {
        const p = probes.get(r.clOrdId);
        if (!p) return;
        if (r.kind === 'ack') fe.onAck(p.venue, s.kernel.now() - p.sentAt);
        if (r.kind === 'fill' && r.venueTime <= p.sentAt + opts.horizonNs) {
          p.filled += r.qty;
          if (p.filled >= p.qty) p.fillTime = r.venueTime;
        }
        if ((r.kind === 'fill' && r.leaves === 0) || r.kind === 'cancelled' || r.kind === 'rejected') finish(p, r.kind === 'rejected');
      },
    };
    const finish = (p: Probe, rejected: boolean) => {
      if (p.done) return;
      p.done = true;
      if (rejected) return; // post-only refused (the market moved through the price in flight): no example
      fe.onPostedOutcome(p.venue, p.qty, p.filled);
      const v = p.values;
      v[fillColumn('filled_qty')] = p.filled;
      v[fillColumn('fill_time_ns')] = p.filled >= p.qty ? p.fillTime : NaN;
      v[fillColumn('label')] = p.filled >= p.qty ? 1 : 0;
      rows.push({ seed, values: v });
    };
    const place = {
      handle: (now: number) => {
        const venueIdx = rng.int(s.lit.length);
        const side: Side = rng.float() < 0.5 ? BUY : SELL;
        const venue = s.lit[venueIdx]!;
        const best = side === BUY ? s.nbbo.bid : s.nbbo.ask;
        const opposite = side === BUY ? s.nbbo.ask : s.nbbo.bid;
        if (best === best && opposite === opposite) {
          const behind = rng.float() < 0.5 ? 0 : 1 + rng.int(3);
          const price = side === BUY ? best - behind * scenario.tick : best + behind * scenario.tick;
          const values = new Float64Array(N_FEATURES + FILL_LABEL_COLUMNS.length);
          fe.write(
            {
              t: now,
              book: consolidatedTop(s),
              order: { side, qty: opts.qty, remaining: opts.qty, start: now, end: now + opts.horizonNs },
              venue: {
                index: venueIdx,
                takeFee: venue.cfg.fees.fee('take', price, 1),
                makeFee: venue.cfg.fees.fee('make', price, 1),
                queueAhead: venue.book.visibleAt(side, price),
                price,
              },
            },
            values,
          );
          values.set([now, venueIdx, side, price, opts.qty, opts.horizonNs, 0, NaN, 0, NaN, NaN], N_FEATURES);
          const p: Probe = { id: nextId++, venue: venueIdx, sentAt: now, qty: opts.qty, filled: 0, fillTime: NaN, values, done: false, mid: s.nbbo.lastMid, side };
          probes.set(p.id, p);
          venue.send(client, { type: 'new', clOrdId: p.id, side, ordType: 'limit', price, qty: opts.qty, tif: GTC, postOnly: true });
          s.kernel.at(now + opts.horizonNs, cancel, p);
        }
        const next = now + Math.max(1, Math.round(rng.exponential(1 / opts.meanGapNs)));
        if (next < endNs) s.kernel.at(next, place, null);
      },
    };
    const cancel = {
      handle: (_t: number, p: Probe) => {
        // the second label: did the mid move against the order's side over the horizon (a buyer pays more)?
        const move = ((p.side === BUY ? 1 : -1) * (s.nbbo.lastMid - p.mid) * 1e4) / p.mid;
        p.values[fillColumn('mid_move_bps')] = move;
        p.values[fillColumn('adverse')] = move > 0 ? 1 : 0;
        if (!p.done) s.lit[p.venue]!.send(client, { type: 'cancel', clOrdId: p.id });
      },
    };
    startSession(s);
    const startNs = s.t0 + opts.startMinute * NS_PER_MINUTE;
    const endNs = startNs + opts.minutes * NS_PER_MINUTE;
    s.kernel.at(startNs, place, null);
    s.kernel.run(endNs + opts.horizonNs + NS_PER_SECOND);
  }
  rows.sort((a, b) => a.seed - b.seed || a.values[N_FEATURES]! - b.values[N_FEATURES]!);
  return {
    scenario: scenario.name,
    schema: { version: FEATURE_SCHEMA.version, hash: FEATURE_SCHEMA.hash },
    columns: [...FEATURE_NAMES, ...FILL_LABEL_COLUMNS],
    rows,
  };
}

/** Probe examples as a model sees them: the feature vector, and one of the two labels. */
export function probeExamples(scenario: Scenario, opts: FillProbeOptions, label: 'label' | 'adverse'): Example[] {
  const k = fillColumn(label);
  return fillExamples(scenario, opts).rows.map((r) => ({ x: r.values.subarray(0, N_FEATURES), y: r.values[k]! }));
}
