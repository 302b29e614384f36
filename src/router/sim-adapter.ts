import type { Handler } from '../core/scheduler.js';
import type { Side } from '../core/types.js';
import type { Session } from '../sim/session.js';
import type { FeeModel } from '../venue/fees.js';
import type { ExecReport, OrderMessage, Quote, TradePrint, Venue, VenueClient } from '../venue/types.js';
import type { FeatureEngine } from '../features/engine.js';
import { featuresFor, feedFeatures } from '../features/feed.js';
import { RouterEngine, type EngineHooks, type MarketView, type RouterPorts, type VenueInfo } from './engine.js';
import { MarketTracker } from './market-tracker.js';
import type { RiskLimits } from '../risk/limits.js';

/**
 * The router in the simulator: the engine's ports bound to a session. Child orders go to the simulated venues and
 * travel their entry latency; reports come back after the response latency; timers are kernel events; quotes and
 * trade prints arrive over each venue's feed (after its feed latency) into a MarketTracker. The books' displayed
 * depth is read at decision time, as from a direct depth feed without delay (a simplification: the orders sent
 * on it still travel, so liquidity can be gone when they arrive).
 */
export class SimRouter implements RouterPorts, VenueClient, MarketView, Handler<null> {
  readonly engine: RouterEngine;
  readonly venues: VenueInfo[];
  private readonly byName = new Map<string, Venue>();
  private readonly tracker: MarketTracker;
  private lastWake = -1;
  readonly features?: FeatureEngine;
  readonly tick: number;

  /**
   * `features`: keep the streaming features too (mids from the consolidated quote, prints from the lit venues' feeds,
   * as the datasets the models learnt from were built), for the order sizes' daily volume and the long-run
   * volatility of the GARCH term.
   */
  constructor(
    private readonly s: Session,
    hooks: EngineHooks = {},
    features?: { adv: number; longRunVolBps: number },
    /** The guardrails' limits (absent: the defaults); their symbol is the scenario's. */
    limits?: RiskLimits,
  ) {
    const fees = (f: FeeModel, price: number) => ({ takeFee: f.fee('take', price, 1), makeFee: f.fee('make', price, 1) });
    this.venues = s.venues.map((v) => {
      this.byName.set(v.name, v);
      const fm = v.kind === 'lit' ? s.lit[v.index]!.cfg.fees : s.dark[v.index - s.lit.length]!.cfg.fees;
      return { name: v.name, kind: v.kind, ...fees(fm, s.scenario.initialPrice) };
    });
    this.tick = s.scenario.tick;
    this.tracker = new MarketTracker(s.lit.map((v) => v.name));
    const tracker = this.tracker;
    const fe = features && featuresFor(s, features.adv, features.longRunVolBps);
    if (fe) this.features = fe;
    // the features' one feed (as the datasets the models learnt from), with the tracker on the same subscription
    feedFeatures(s, fe, (name) => ({
      onQuote: (q: Quote) => {
        tracker.onQuote(name, q.bid, q.bidQty, q.ask, q.askQty);
        // the guardrails' market rules see every change of the quote
        this.engine.risk.onMarket();
      },
      onTrade: (t: TradePrint) => tracker.onTrade(t.qty),
    }));
    this.engine = new RouterEngine(this, this, hooks, { symbol: s.scenario.symbol, ...(limits ? { limits } : {}) });
  }

  // ports
  now(): number {
    return this.s.kernel.now();
  }
  send(venue: string, msg: OrderMessage): void {
    const v = this.byName.get(venue);
    if (!v) throw new Error(`no venue named ${venue}`);
    v.send(this, msg);
  }
  wakeAt(time: number): void {
    const t = Math.max(time, this.s.kernel.now());
    if (t === this.lastWake) return;
    this.lastWake = t;
    this.s.kernel.at(t, this, null);
  }
  handle(time: number): void {
    this.engine.onTimer(time);
  }
  onExecReport(r: ExecReport): void {
    this.engine.onReport(r);
  }

  // market view
  levels(venue: string, side: Side, depth: number): { price: number; qty: number }[] {
    const v = this.byName.get(venue);
    if (!v || v.kind !== 'lit') return [];
    if (this.prices.length < depth) {
      this.prices = new Float64Array(depth);
      this.qtys = new Float64Array(depth);
    }
    // displayed price and size only (not the order count a full depth query also makes)
    const n = this.s.lit[v.index]!.book.displayedLevels(side, depth, this.prices, this.qtys);
    const out = new Array<{ price: number; qty: number }>(n);
    for (let i = 0; i < n; i++) out[i] = { price: this.prices[i]!, qty: this.qtys[i]! };
    return out;
  }
  private prices = new Float64Array(64);
  private qtys = new Float64Array(64);
  bid(): number {
    return this.s.nbbo.bid;
  }
  ask(): number {
    return this.s.nbbo.ask;
  }
  tradedVolume(): number {
    return this.tracker.volume;
  }
  depletion(venue: string, side: Side): number {
    return this.tracker.depletion(venue, side);
  }
}
