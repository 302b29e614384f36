import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Market } from '../backtest/market.js';
import { Rng } from '../core/rng.js';
import { BUY, NS_PER_SECOND, SELL } from '../core/types.js';
import { hashPassword } from '../fix/auth.js';
import { decodeExecutionReport, FINAL_ORD_STATUS } from '../fix/child-orders.js';
import type { Received } from '../fix/session.js';
import { EXEC_TYPE, MSG, TAG } from '../fix/tags.js';
import { implementationShortfall } from '../tca/shortfall.js';
import { slippageBps } from '../tca/benchmarks.js';
import { parseRouterConfig, STRATEGIES, type RouterConfig } from './config.js';
import { readJournal } from './journal.js';
import { omsSession, RouterService } from './service.js';
import { VenueSimulator } from './venues.js';
import { encodeParentOrder } from '../fix/parent-orders.js';
import { childIdOf } from './router-core.js';

/**
 * `sor live demo`: the whole live world on loopback in one process. The venue simulator (each venue a FIX acceptor),
 * the router service (its OMS acceptor, venue initiators and journal), and a small OMS that logs on with a password
 * and sends parent orders over FIX. When every parent has ended it prints each one's TCA (implementation shortfall
 * against the arrival mid, as a backtest does, and slippage against the interval's VWAP) and the reconciliation of
 * the fills three ways: what the OMS was told, what the journal says was told, and what the venues filled.
 */
export interface DemoOptions {
  market: Market;
  seed: number;
  orders: number;
  /** Market time per wall time. */
  speed: number;
  /** Each parent's horizon, market seconds. */
  horizonSeconds: number;
  policy: string;
  /** Where the journal and session stores go (default: a new temporary folder). */
  dir?: string;
  /** How long to wait for every parent to end, wall seconds. */
  timeoutSeconds?: number;
  sync?: RouterConfig['journal']['sync'];
  /** The ml policy's model registry. */
  models?: string;
}

export interface DemoParent {
  clOrdId: string;
  side: 'buy' | 'sell';
  qty: number;
  state: string;
  filled: number;
  avg_price: number;
  arrival_mid: number;
  shortfall_bps: number;
  spread_bps: number;
  drift_bps: number;
  fees_bps: number;
  opportunity_bps: number;
  vs_vwap_bps: number;
  venues: Record<string, number>;
}

export interface DemoResult {
  scenario: string;
  symbol: string;
  policy: string;
  speed: number;
  orders: number;
  ended: number;
  parents: DemoParent[];
  summary: { mean_shortfall_bps: number; mean_vs_vwap_bps: number; fill_rate: number; children: number; decisions: number };
  reconciliation: {
    oms_fills: number;
    journal_fills: number;
    venue_fills: number;
    oms_shares: number;
    journal_shares: number;
    venue_shares: number;
    agree: boolean;
    per_parent_agree: boolean;
  };
  journal: { file: string; records: number; sync: string };
}

/** Each policy's TargetStrategy (847), as the router's config maps them. */
const STRATEGY: Record<string, string> = Object.fromEntries(Object.entries(STRATEGIES).map(([tag, name]) => [name, tag]));

export async function runLiveDemo(o: DemoOptions): Promise<DemoResult> {
  const sim = new VenueSimulator({ market: o.market, seed: o.seed, speed: o.speed });
  await sim.start();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'sor-live-'));
  // the OMS's password exists only in this process: the router's config holds its salted hash
  const password = randomBytes(18).toString('base64url');
  const scenario = o.market.scenario;
  const fees = sim.fees();
  const config = parseRouterConfig(
    sim.routerConfig({
      passwordHash: hashPassword(password),
      journalDir: dir,
      sync: o.sync ?? 'every',
      policy: o.policy,
      horizonMinutes: o.horizonSeconds / 60,
      ...(o.models ? { models: o.models } : {}),
    }),
  );
  const service = new RouterService(config);
  await service.start();
  const got: Received[] = [];
  const oms = await omsSession({ port: service.omsPort, password, router: config.router.compId, onMessage: (m) => void got.push(m) });
  try {
    await oms.start();
    const rng = Rng.stream(o.seed, 'live-demo');
    const sent: { clOrdId: string; side: 'buy' | 'sell'; qty: number }[] = [];
    const strategy = STRATEGY[o.policy];
    for (let i = 0; i < o.orders; i++) {
      const side = rng.bernoulli(0.5) ? 'buy' : 'sell';
      const qty = 100 * (2 + rng.int(19));
      const clOrdId = `OMS1-${i + 1}`;
      const start = sim.clock.now();
      const body = encodeParentOrder({
        clOrdId,
        symbol: scenario.symbol,
        side: side === 'buy' ? BUY : SELL,
        transactTime: sim.clock.fix(start),
        qty,
        expireTime: sim.clock.fix(start + o.horizonSeconds * NS_PER_SECOND),
        ...(strategy ? { strategy } : {}),
      });
      oms.session.send(MSG.NewOrderSingle, body);
      sent.push({ clOrdId, side, qty });
      // the parents arrive over the first part of the run, not all at once
      await new Promise((r) => setTimeout(r, (o.horizonSeconds * 1000) / o.speed / o.orders / 2));
    }
    const done = (id: string) =>
      got.some((m) => m.type === MSG.ExecutionReport && m.map.get(TAG.ClOrdID) === id && FINAL_ORD_STATUS.has(m.map.get(TAG.OrdStatus) ?? ''));
    const deadline = Date.now() + (o.timeoutSeconds ?? 120) * 1000;
    while (!sent.every((s) => done(s.clOrdId)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // the last reports settle (a fill the venue gave as the parent ended)
    await new Promise((r) => setTimeout(r, 200));
    const market = service.router.market;
    const states = new Map(service.router.parentStates().map((p) => [p.clOrdId, p]));
    const fillsOf = (id: string) =>
      got
        .filter((m) => m.type === MSG.ExecutionReport && m.map.get(TAG.ExecType) === EXEC_TYPE.Trade && m.map.get(TAG.ClOrdID) === id)
        .map((m) => decodeExecutionReport(m.fields));
    const parents: DemoParent[] = sent.map((s) => {
      const st = states.get(s.clOrdId);
      const fills = fillsOf(s.clOrdId).map((r) => {
        const venue = r.lastMkt ?? '';
        const fee = fees[venue] ? (r.liquidity === 'make' ? fees[venue]!.makeFee : fees[venue]!.takeFee) : 0;
        const qty = r.lastQty ?? NaN;
        return { time: sim.clock.nsOf(r.transactTime), price: r.lastPx ?? NaN, qty, fee: fee * qty, venue };
      });
      const order = st?.order;
      const arrival = order ? market.mids.at(order.start) : NaN;
      const sh = order
        ? implementationShortfall({
            side: order.side,
            qty: order.qty,
            arrivalMid: arrival,
            fills,
            midAt: (t) => market.mids.at(t),
            endMid: market.mids.at(order.end),
          })
        : null;
      const filled = fills.reduce((a, f) => a + f.qty, 0);
      const avg = filled > 0 ? fills.reduce((a, f) => a + f.price * f.qty, 0) / filled : NaN;
      const vwap = order ? market.tape.interval(order.start, order.end).vwap : NaN;
      const venues: Record<string, number> = {};
      for (const f of fills) venues[f.venue] = (venues[f.venue] ?? 0) + f.qty;
      return {
        clOrdId: s.clOrdId,
        side: s.side,
        qty: s.qty,
        state: st?.state ?? 'rejected',
        filled,
        avg_price: avg / 10_000,
        arrival_mid: arrival / 10_000,
        shortfall_bps: sh?.total_bps ?? NaN,
        spread_bps: sh?.spread_bps ?? NaN,
        drift_bps: sh?.drift_bps ?? NaN,
        fees_bps: sh?.fees_bps ?? NaN,
        opportunity_bps: sh?.opportunity_bps ?? NaN,
        vs_vwap_bps: filled > 0 && vwap > 0 ? slippageBps(order!.side === BUY ? 0 : 1, avg, vwap) : NaN,
        venues,
      };
    });
    // the reconciliation: the OMS's fills, the journal's, the venues'
    const records = readJournal(service.journalFile);
    const journalFills = records.flatMap((r) => {
      if (r.k !== 'to-oms' || r.type !== MSG.ExecutionReport) return [];
      const er = decodeExecutionReport(r.body);
      return er.execType === EXEC_TYPE.Trade ? [er] : [];
    });
    const byParentJournal = new Map<string, number>();
    for (const er of journalFills) byParentJournal.set(er.clOrdId, (byParentJournal.get(er.clOrdId) ?? 0) + (er.lastQty ?? NaN));
    const venueFills = sim.fills();
    const byParentVenue = new Map<string, number>();
    for (const f of venueFills) {
      const child = service.router.orders.child(childIdOf(f.clOrdId));
      const clOrdId = child ? service.router.parentStates().find((p) => p.id === child.parentId)?.clOrdId : undefined;
      if (clOrdId) byParentVenue.set(clOrdId, (byParentVenue.get(clOrdId) ?? 0) + f.qty);
    }
    const omsFills = sent.flatMap((s) => fillsOf(s.clOrdId));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const rec = {
      oms_fills: omsFills.length,
      journal_fills: journalFills.length,
      venue_fills: venueFills.length,
      oms_shares: sum(omsFills.map((r) => r.lastQty ?? NaN)),
      journal_shares: sum([...byParentJournal.values()]),
      venue_shares: sum(venueFills.map((f) => f.qty)),
      agree: false,
      per_parent_agree: sent.every((s) => {
        const a = sum(fillsOf(s.clOrdId).map((r) => r.lastQty ?? NaN));
        return a === (byParentJournal.get(s.clOrdId) ?? 0) && a === (byParentVenue.get(s.clOrdId) ?? 0);
      }),
    };
    rec.agree =
      rec.oms_fills === rec.journal_fills &&
      rec.journal_fills === rec.venue_fills &&
      rec.oms_shares === rec.journal_shares &&
      rec.journal_shares === rec.venue_shares;
    const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : NaN);
    const withFills = parents.filter((p) => p.filled > 0);
    return {
      scenario: scenario.name,
      symbol: scenario.symbol,
      policy: o.policy,
      speed: o.speed,
      orders: o.orders,
      ended: sent.filter((s) => done(s.clOrdId)).length,
      parents,
      summary: {
        mean_shortfall_bps: mean(parents.map((p) => p.shortfall_bps).filter(Number.isFinite)),
        mean_vs_vwap_bps: mean(withFills.map((p) => p.vs_vwap_bps).filter(Number.isFinite)),
        fill_rate: sum(parents.map((p) => p.filled)) / sum(parents.map((p) => p.qty)),
        children: records.filter((r) => r.k === 'to-venue' && r.type === MSG.NewOrderSingle).length,
        decisions: records.filter((r) => r.k === 'decision').length,
      },
      reconciliation: rec,
      journal: { file: service.journalFile, records: records.length, sync: config.journal.sync },
    };
  } finally {
    await oms.stop(500);
    await service.stop();
    await sim.stop();
  }
}
