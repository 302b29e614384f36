import { progress } from '../core/progress.js';
import { Rng } from '../core/rng.js';
import { BUY, GTC, NS_PER_MINUTE, NS_PER_SECOND, SELL, type Side } from '../core/types.js';
import { F, FEATURE_NAMES, FEATURE_SCHEMA, mergeLevels, N_FEATURES, type BookSnapshot } from '../features/engine.js';
import { sessionFeatures } from '../features/feed.js';
import { Garch11 } from '../features/streaming.js';
import type { Example } from '../models/inputs.js';
import type { ToxicityExample } from '../models/toxicity.js';
import { EWMA_HALF_LIVES_S, FIVE_MINUTES, type GarchParams, type VolExample } from '../models/volatility.js';
import type { Scenario } from '../sim/scenario.js';
import type { Session } from '../sim/session.js';
import type { ExecReport, VenueClient } from '../venue/types.js';
import { Store } from '../data/store.js';
import { IMPACT_FEATURES, IMPACT_SCHEMA } from '../models/impact.js';
import { impactExamples } from './impact-data.js';
import { marketFacts, marketOf, type Market } from './market.js';
import { standardSpec } from './spec.js';
import { buildWorld } from './world.js';

/** The columns of a fill-probability example, after its feature vector. */
export const FILL_LABEL_COLUMNS = [
  't_ns',
  'venue',
  'side',
  'price',
  'qty',
  'horizon_ns',
  'filled_qty',
  'fill_time_ns',
  'label',
  'mid_move_bps',
  'adverse',
] as const;

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

/** The consolidated top five levels of both sides, from the lit venues' books. */
export function consolidatedTop(s: Session, n = 5): BookSnapshot {
  const side = (sd: Side) =>
    mergeLevels(
      s.lit.map((v) => v.book.depth(sd, n)),
      sd,
      n,
    );
  return { bids: side(BUY), asks: side(SELL) };
}

/**
 * How the probes are placed (a probe model's registry entry records it, and the ml router takes only models of this
 * design): 2 = inside the spread as well as at and behind the touch.
 */
export const PROBE_DESIGN = 2;

/**
 * A probe's distance from its side's best, in ticks (+ = behind, − = inside the spread), for a spread of
 * `spreadTicks`: the touch 40 % of the time, one to three ticks behind 30 %, one to three inside 30 % (where the
 * spread leaves room: a probe stays strictly inside it, else it goes to the touch).
 */
export function probeDistance(rng: Rng, spreadTicks: number): number {
  const u = rng.float();
  if (u < 0.4) return 0;
  const k = 1 + rng.int(3);
  if (u < 0.7) return k;
  return k < spreadTicks ? -k : 0;
}

/**
 * Labelled examples for fill probability: small post-only limit orders ("probes") placed at random times on a
 * random lit venue and side, at the touch, one to three ticks behind it or one to three inside the spread
 * (probeDistance), each cancelled after the horizon. The
 * features are those the router would see at placement (streaming, from the session's feeds and the probes' own
 * outcomes); the label is whether the whole probe filled within the horizon, and a second one whether the mid moved
 * against the probe's side over the horizon (the adverse move). Probes are small, rest passively and
 * so move no fair value. The market of each seed is the scenario's; every draw comes from the seed.
 */
export function fillExamples(scenario: Scenario, opts: FillProbeOptions): FillExamples {
  const rows: FillExamples['rows'] = [];
  for (const [k, seed] of opts.seeds.entries()) {
    progress(`probes: market seed ${seed}`, k, opts.seeds.length);
    const world = buildWorld({ market: marketOf(scenario, opts.file), seed }, (s) => sessionFeatures(s, opts.adv, opts.longRunVolBps));
    const s = world.session;
    const fe = world.bound;
    const rng = Rng.stream(seed, 'dataset:fill-probes');
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
          const behind = probeDistance(rng, Math.round(Math.abs(opposite - best) / scenario.tick));
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
          const p: Probe = {
            id: nextId++,
            venue: venueIdx,
            sentAt: now,
            qty: opts.qty,
            filled: 0,
            fillTime: NaN,
            values,
            done: false,
            mid: s.nbbo.lastMid,
            side,
          };
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
    world.start();
    const startNs = s.t0 + opts.startMinute * NS_PER_MINUTE;
    const endNs = startNs + opts.minutes * NS_PER_MINUTE;
    s.kernel.at(startNs, place, null);
    world.run(endNs + opts.horizonNs + NS_PER_SECOND);
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

export interface VolOptions {
  seeds: readonly number[];
  startMinute: number;
  minutes: number;
  /** Time between examples, and the forecast horizon. */
  everyNs: number;
  horizonNs: number;
  adv: number;
  longRunVolBps: number;
  file?: string;
  /** GARCH(1,1) parameters for the baseline (fitted on training data); the feature's fixed ones otherwise. */
  garch?: GarchParams;
  /** Receives each seed's one-minute mid log returns over the window (to fit GARCH on training seeds). */
  onMinuteReturns?: (returns: number[]) => void;
}

/**
 * Examples for short-term volatility: every `everyNs`, the feature vector (the market part; the order and venue
 * parts are fixed) and, as baselines, the EWMA forecast (squared 1-second returns, half-life 5 minutes) and the
 * GARCH(1,1) feature, each scaled to the horizon; the target is the realised variance over the next horizon,
 * from 1-second samples of the mid.
 */
export function volExamples(scenario: Scenario, o: VolOptions): VolExample[] {
  const out: VolExample[] = [];
  const H = Math.round(o.horizonNs / NS_PER_SECOND);
  const lambdas = EWMA_HALF_LIVES_S.map((h) => Math.pow(2, -1 / h));
  for (const [k, seed] of o.seeds.entries()) {
    progress(`volatility examples: market seed ${seed}`, k, o.seeds.length);
    const world = buildWorld({ market: marketOf(scenario, o.file), seed }, (s) => sessionFeatures(s, o.adv, o.longRunVolBps));
    const s = world.session;
    const fe = world.bound;
    world.start();
    const start = s.t0 + o.startMinute * NS_PER_MINUTE;
    const end = start + o.minutes * NS_PER_MINUTE;
    // one-second mids over the whole window and the horizon after it; the EWMA runs on them
    const secs: number[] = [];
    const ewmaAt: number[][] = [];
    const pending: { t: number; x: Float64Array; sec: number }[] = [];
    const ewma = EWMA_HALF_LIVES_S.map(() => NaN);
    let next = start;
    const garch = o.garch ? new Garch11(o.garch.longRunBps, o.garch.alpha, o.garch.beta) : null;
    const garchAt = new Map<number, number>();
    const minute: number[] = [];
    for (let t = s.t0 + NS_PER_SECOND; t <= end + o.horizonNs; t += NS_PER_SECOND) {
      world.run(t);
      const m = s.nbbo.lastMid;
      const prev = secs[secs.length - 1];
      if (prev !== undefined && m > 0 && prev > 0) {
        const r2 = Math.log(m / prev) ** 2;
        for (let k = 0; k < ewma.length; k++) ewma[k] = ewma[k] !== ewma[k] ? r2 : lambdas[k]! * ewma[k]! + (1 - lambdas[k]!) * r2;
      }
      secs.push(m);
      ewmaAt.push([...ewma]);
      if (m > 0) garch?.onMid(t, m);
      if (t >= start && t <= end && (t - start) % NS_PER_MINUTE === 0) minute.push(m);
      if (t >= next && t <= end) {
        const x = new Float64Array(N_FEATURES);
        const book = consolidatedTop(s);
        if (book.bids.length > 0 && book.asks.length > 0) {
          fe.write(
            {
              t,
              book,
              order: { side: BUY, qty: 1, remaining: 1, start: t, end: t + o.horizonNs },
              venue: { index: 0, takeFee: 0, makeFee: 0, queueAhead: 0, price: book.bids[0]!.price },
            },
            x,
          );
          pending.push({ t, x, sec: secs.length - 1 });
          // the fitted baseline sees the same one-minute samples as the feature's, strictly before t
          if (garch) garchAt.set(secs.length - 1, garch.value(t));
        }
        next += o.everyNs;
      }
    }
    o.onMinuteReturns?.(minute.slice(1).map((m, i) => Math.log(m / minute[i]!)));
    for (const p of pending) {
      let rv = 0;
      for (let k = p.sec + 1; k <= p.sec + H && k < secs.length; k++) rv += Math.log(secs[k]! / secs[k - 1]!) ** 2;
      if (!(rv > 0)) continue; // a horizon without a single move has no log target
      const g = (garch ? garchAt.get(p.sec)! : p.x[F.garch_bps]!) * 1e-4;
      const ewmas = ewmaAt[p.sec]!.map((v) => v * H);
      out.push({ t: p.t, x: p.x, y: Math.log(rv), rv, ewma: ewmas[FIVE_MINUTES]!, ewmas, garch: g * g * (o.horizonNs / NS_PER_MINUTE) });
    }
  }
  progress('volatility examples', o.seeds.length, o.seeds.length);
  return out;
}

/** The filled probes of a probe dataset, labelled by the adverse move after them (bps, + = against the filled side). */
export function toxicityExamples(scenario: Scenario, opts: FillProbeOptions): ToxicityExample[] {
  const label = fillColumn('label');
  const move = fillColumn('mid_move_bps');
  const venue = fillColumn('venue');
  return fillExamples(scenario, opts)
    .rows.filter((r) => r.values[label] === 1 && Number.isFinite(r.values[move]!))
    .map((r) => ({ x: r.values.subarray(0, N_FEATURES), y: -r.values[move]!, venue: r.values[venue]! }));
}

/** A dataset ready for the store: its table, its metadata, the columns after the seed, one row per example. */
export interface Dataset {
  table: string;
  meta: { datasetId: string; kind: string; scenario: string; schemaVersion: number; schemaHash: string };
  columns: readonly string[];
  rows: readonly { seed: number; values: ArrayLike<number> }[];
  /** What the command reports beside the row count. */
  extra: Record<string, unknown>;
}

const seedTag = (seeds: string) => seeds.replace(/[^0-9,-]/g, '');
const datasetMeta = (datasetId: string, kind: string, scenario: string, schema: { version: number; hash: string }): Dataset['meta'] => ({
  datasetId,
  kind,
  scenario,
  schemaVersion: schema.version,
  schemaHash: schema.hash,
});

/** The fill-probability dataset of `sor dataset fill` (`seedsText`: the seeds as the user wrote them, for the id). */
export function fillDataset(market: Market, opts: Omit<FillProbeOptions, 'adv' | 'longRunVolBps' | 'file'>, seedsText: string, id?: string): Dataset {
  const { scenario, file } = market;
  const facts = marketFacts(scenario, file);
  const d = fillExamples(scenario, { ...opts, adv: facts.adv, longRunVolBps: facts.volBps, file });
  const positives = d.rows.reduce((a, r) => a + r.values[d.columns.indexOf('label')]!, 0);
  return {
    table: 'fill_examples',
    meta: datasetMeta(id ?? `fill_${scenario.name}_s${seedTag(seedsText)}`, 'fill-probability', scenario.name, d.schema),
    columns: d.columns,
    rows: d.rows,
    extra: { seeds: opts.seeds, fill_rate: d.rows.length > 0 ? Math.round((positives / d.rows.length) * 1e4) / 1e4 : 0, feature_schema: d.schema },
  };
}

/** The volatility dataset of `sor dataset volatility`: features, time, horizon, realised variance, EWMA and GARCH. */
export function volatilityDataset(
  market: Market,
  opts: Omit<VolOptions, 'adv' | 'longRunVolBps' | 'file' | 'garch' | 'onMinuteReturns'>,
  seedsText: string,
  id?: string,
): Dataset {
  const { scenario, file } = market;
  const facts = marketFacts(scenario, file);
  const rows: { seed: number; values: number[] }[] = [];
  for (const seed of opts.seeds) {
    const ex = volExamples(scenario, { ...opts, seeds: [seed], adv: facts.adv, longRunVolBps: facts.volBps, file });
    for (const e of ex) rows.push({ seed, values: [...Array.from(e.x), e.t, opts.horizonNs, e.rv, e.ewma, e.garch] });
  }
  return {
    table: 'volatility_examples',
    meta: datasetMeta(id ?? `volatility_${scenario.name}_s${seedTag(seedsText)}`, 'volatility', scenario.name, FEATURE_SCHEMA),
    columns: [...FEATURE_NAMES, 't_ns', 'horizon_ns', 'rv', 'ewma', 'garch'],
    rows,
    extra: { seeds: opts.seeds, feature_schema: { version: FEATURE_SCHEMA.version, hash: FEATURE_SCHEMA.hash } },
  };
}

/** The impact dataset of `sor dataset impact`: `orders` parent orders traded by rule, each against its market without it. */
export async function impactDataset(market: Market, orders: number, seed: number, id?: string): Promise<Dataset> {
  const { scenario, file } = market;
  const d = await impactExamples(standardSpec(scenario, file, ['rule'], orders, seed), 2);
  return {
    table: 'impact_examples',
    meta: datasetMeta(id ?? `impact_${scenario.name}_b${seed}`, 'impact', scenario.name, IMPACT_SCHEMA),
    columns: [...IMPACT_FEATURES, 't_ns', 'qty', 'end_impact_bps'],
    rows: d.examples.map((e, i) => ({ seed: d.orders[i]!.seed, values: [...e.x, d.orders[i]!.start, d.orders[i]!.qty, e.y] })),
    extra: { batch_seed: seed, data_hash: d.hash },
  };
}

/** Writes a dataset to the store (and to Parquet if asked); returns what was stored. */
export async function storeDataset(db: string, parquetDir: string | undefined, d: Dataset) {
  const s = await Store.open(db);
  try {
    const n = await s.writeDataset(d.table, d.meta, d.columns, d.rows);
    const parquet = parquetDir ? await s.exportDatasetParquet(d.table, d.meta.datasetId, parquetDir, 'seed, t_ns') : undefined;
    return { db, dataset_id: d.meta.datasetId, scenario: d.meta.scenario, rows: n, ...d.extra, ...(parquet ? { parquet } : {}) };
  } finally {
    s.close();
  }
}
