import { MinHeap } from '../core/heap.js';
import { BUY, GTC, IOC, type Side, type VenueKind } from '../core/types.js';
import type { FeatureEngine } from '../features/engine.js';
import type { Liquidity } from '../venue/fees.js';
import type { ExecReport, OrderMessage } from '../venue/types.js';
import type { ChildPlan, VenueView } from './allocators.js';
import { Guardrails, type RiskDenial, type RiskHooks } from '../risk/guard.js';
import { DEFAULT_LIMITS, type RiskLimits } from '../risk/limits.js';
import { ModelGuard, type ModelCheck, type ModelGuardHooks } from '../risk/model-check.js';
import { isChildDone, isParentDone, OrderError, OrderManager, type Child, type Parent } from './order-manager.js';
import type { Schedule } from './schedulers.js';

/**
 * The router engine: a deterministic state machine, events in (parent orders, timers, execution reports),
 * commands out (child orders and cancels, wake-up requests). It reaches venues, time and market data only through
 * the ports below, so the same engine runs over the simulator and over FIX sessions.
 */
export interface RouterPorts {
  /** The current time (ns since midnight): simulated time, or the live clock. */
  now(): number;
  /** Sends a message to a venue; its execution reports come back through RouterEngine.onReport. */
  send(venue: string, msg: OrderMessage): void;
  /** Asks for RouterEngine.onTimer to be called at `time` (or as soon after as possible). */
  wakeAt(time: number): void;
}

export interface VenueInfo {
  name: string;
  kind: VenueKind;
  /** Fee per share to take and to make liquidity, price units (negative = a rebate). */
  takeFee: number;
  makeFee: number;
}

/** The router's view of the market, kept up to date by the world it runs in. */
export interface MarketView {
  readonly venues: readonly VenueInfo[];
  /** The price increment, price units. */
  readonly tick: number;
  /** Displayed levels of a lit venue on one side, best first, at most `depth`. */
  levels(venue: string, side: Side, depth: number): { price: number; qty: number }[];
  /** The consolidated best bid and offer (NaN where a side is empty). */
  bid(): number;
  ask(): number;
  /** Shares printed on the lit venues since the open, everyone's (the router's own included). */
  tradedVolume(): number;
  /**
   * Shares that have left the front of a lit venue's queue on `side` since the open: decreases of the displayed
   * best quantity while the best price stays (trades and cancels there).
   */
  depletion(venue: string, side: Side): number;
  /**
   * Streaming market features (the models' inputs), fed by the world since the session began, where it keeps them.
   * Its per-venue statistics (fill rates, latencies) are the router's to feed.
   */
  readonly features?: FeatureEngine;
}

export interface ParentOrder {
  id: string;
  side: Side;
  qty: number;
  /** The horizon, ns since midnight. */
  start: number;
  end: number;
  /**
   * The worst price the parent may trade at (a buy's cap, a sell's floor), price units; absent: none. The engine
   * holds every policy to it: a child priced beyond it is sent at it, and a dark ping carries it as its limit.
   */
  limit?: number;
  /** The account it trades for (credit is per account); absent: 'default'. */
  account?: string;
}

/** An OMS replace of a parent: a new size, horizon end (or start, before it has begun) or limit; absent ones stay. */
export interface ParentAmend {
  qty?: number;
  start?: number;
  end?: number;
  /** A new limit; null removes it. */
  limit?: number | null;
}

/**
 * What became of a replace: applied at once; pending while working children are cancelled to make room for a smaller
 * size (EngineHooks.onAmend tells the outcome); or refused with the reason.
 */
export type AmendResult = { status: 'applied' } | { status: 'pending' } | { status: 'refused'; reason: string };

export interface FillRecord {
  parentId: string;
  clOrdId: number;
  venue: string;
  /** Execution time at the venue. */
  time: number;
  price: number;
  qty: number;
  fee: number;
  liquidity: Liquidity;
}

export interface DecisionRecord {
  parentId: string;
  time: number;
  round: number;
  /** Shares the schedule wants done by now, and done so far. */
  target: number;
  filled: number;
  /** Child orders the policy sent at this decision. */
  children: number;
}

/** What a policy sees and may do at a decision. Orders placed here are checked against the parent's size. */
export interface DecisionContext {
  readonly now: number;
  /** 0 at a scheduled decision; 1, 2, … when called again to reroute what the last sweep left unfilled. */
  readonly round: number;
  /** The decision at the end of the horizon: the schedule now wants everything. */
  readonly final: boolean;
  readonly order: ParentOrder;
  readonly market: MarketView;
  /** Shares the schedule wants done by now, less what is filled (≥ 0). */
  readonly behind: number;
  /** Shares the schedule adds before the next decision. */
  readonly upcoming: number;
  /** Shares that may still be sent: the parent's size less fills and live children's exposure. */
  available(): number;
  /** The parent's child orders so far, and its fills (what a learning policy learns from). */
  children(): readonly Readonly<Child>[];
  readonly fills: readonly FillRecord[];
  /** The lit venues' displayed liquidity on the side this order takes from, with their take fees. */
  views(depth: number): VenueView[];
  /** Immediate-or-cancel limit orders (a sweep); returns the shares sent. */
  take(plans: readonly ChildPlan[]): number;
  /** A post-only limit that rests until the next decision; returns the shares sent. */
  post(venue: string, price: number, qty: number): number;
  /** A midpoint order in a dark pool with a minimum execution size, resting until the next decision. */
  ping(venue: string, qty: number, minQty: number): number;
}

/** How and when to trade: a schedule for the parent and the orders placed at each decision. */
export interface Policy {
  readonly name: string;
  /** Time between scheduled decisions. */
  readonly decisionNs: number;
  /** How many times a decision may be repeated at once to reroute what a sweep left unfilled. */
  readonly rerouteRounds: number;
  /** The parent's schedule; `litFilled` tells it the router's own lit fills so far (participation schedules). */
  schedule(order: ParentOrder, market: MarketView, litFilled: () => number): Schedule;
  decide(ctx: DecisionContext): void;
}

/**
 * A policy that routes by models. The engine hands it the decision's ModelCheck; it reads every model output
 * through it before use, and if the check finds an anomaly it sends nothing the models chose and returns. The engine
 * then has `fallback`, the rule-based router, make the rest of that decision. Before consulting the models the policy
 * may only have sent what the rule router itself would (its sweep of what is behind); it returns whether it did.
 */
export interface ModelDrivenPolicy extends Policy {
  readonly fallback: Policy;
  decideChecked(ctx: DecisionContext, check: ModelCheck): { swept: boolean };
}

export function isModelDriven(p: Policy): p is ModelDrivenPolicy {
  return typeof (p as Partial<ModelDrivenPolicy>).decideChecked === 'function';
}

export interface EngineHooks {
  /** A child order was sent. */
  onChild?(c: { parentId: string; clOrdId: number; venue: string; qty: number; intent: 'take' | 'rest'; time: number }): void;
  onFill?(f: FillRecord): void;
  onDecision?(d: DecisionRecord): void;
  /** A pending replace was applied (reason absent) or given up (reason). */
  onAmend?(parentId: string, order: ParentOrder, reason?: string): void;
  /** The parent reached a terminal state (filled, expired or cancelled) with nothing left working. */
  onDone?(parent: Parent, order: ParentOrder): void;
  /** The guardrails refused a child or a parent (the reason code and text), or changed a trading state. */
  onDenial?: RiskHooks['onDenial'];
  onRiskState?: RiskHooks['onState'];
  /** A model-driven decision was anomalous and the rule router made it; a person put a parent back on its model. */
  onAnomaly?: ModelGuardHooks['onAnomaly'];
  onModelReset?: ModelGuardHooks['onModelReset'];
}

/** The guardrails an engine applies: its limits, and the symbol it trades (trading states are per symbol). */
export interface EngineRisk {
  limits?: RiskLimits;
  symbol?: string;
}

type Phase = 'waiting' | 'clearing' | 'taking' | 'resting' | 'ending' | 'done';

interface Active {
  order: ParentOrder;
  policy: Policy;
  schedule: Schedule;
  phase: Phase;
  /** When the next step is due (a decision, a clearing timeout, the expiry). */
  due: number;
  /** The scheduled decision in progress or next. */
  decisionTime: number;
  round: number;
  live: Map<number, 'take' | 'rest'>;
  litFilled: number;
  fills: FillRecord[];
  /** A replace waiting for working children to be cancelled. */
  amend?: ParentAmend;
  /** The order it came in (due parents are served in it). */
  seq: number;
}

/** How long to wait for cancels before deciding anyway, and for the last sweep before the parent expires. */
const SETTLE_NS = 1_000_000_000;

/**
 * One decision cycle per parent: at each scheduled time, resting children are cancelled; once none is left
 * working (or after SETTLE_NS), the policy decides on a clean slate; when its immediate orders have all come back,
 * it may be asked again to reroute what they left (up to rerouteRounds). At the end of the horizon a final
 * decision is made; SETTLE_NS later the parent expires and whatever still works is cancelled.
 */
export class RouterEngine {
  readonly om = new OrderManager();
  private readonly active = new Map<string, Active>();
  private readonly byChild = new Map<number, Active>();
  /** Each wake-up asked for, by time (stale ones, whose parent's due has moved, are dropped when reached). */
  private readonly timers = new MinHeap<{ a: Active; t: number }>();
  /** Parents whose due time has come and who have not been given a later one: served at every timer until they are. */
  private readonly overdue = new Set<Active>();
  private seq = 0;
  /** Between the policy and the venues: every child passes its checks before it is sent (see risk/guard.ts). */
  readonly risk: Guardrails;
  private readonly venueKinds: ReadonlyMap<string, VenueKind>;
  /** Every model-driven decision's outputs are checked; an anomalous one is the rule router's (see ModelDrivenPolicy). */
  readonly models: ModelGuard;

  constructor(
    private readonly ports: RouterPorts,
    private readonly market: MarketView,
    private readonly hooks: EngineHooks = {},
    risk: EngineRisk = {},
  ) {
    this.venueKinds = new Map(market.venues.map((v) => [v.name, v.kind]));
    this.risk = new Guardrails(risk.limits ?? DEFAULT_LIMITS, risk.symbol ?? '*', market, () => ports.now(), {
      onDenial: (d) => hooks.onDenial?.(d),
      onState: (e) => {
        hooks.onRiskState?.(e);
        if (e.to === 'HALTED') this.cancelWorking();
      },
    });
    this.models = new ModelGuard(this.risk.limits.models, () => ports.now(), {
      onAnomaly: (a) => hooks.onAnomaly?.(a),
      onModelReset: (e) => hooks.onModelReset?.(e),
    });
  }

  /**
   * A new parent order; trading starts at its start time. Returns the guardrails' refusal (trading state, restricted
   * list, the account's credit), and then nothing of it is kept; null when it is taken.
   */
  onParent(order: ParentOrder, policy: Policy): RiskDenial | null {
    if (!(order.end > order.start)) throw new OrderError(`parent ${order.id}: the horizon must end after it starts`);
    const req = {
      id: order.id,
      account: order.account ?? 'default',
      side: order.side,
      qty: order.qty,
      ...(order.limit === undefined ? {} : { limit: order.limit }),
    };
    const denied = this.risk.checkParent(req);
    if (denied) return denied;
    this.om.newParent(order.id, order.side, order.qty);
    this.risk.parentOpened(req);
    const a: Active = {
      order,
      policy,
      schedule: undefined as unknown as Schedule,
      phase: 'waiting',
      due: order.start,
      decisionTime: order.start,
      round: 0,
      live: new Map(),
      litFilled: 0,
      fills: [],
      seq: this.seq++,
    };
    a.schedule = policy.schedule(order, this.market, () => a.litFilled);
    this.active.set(order.id, a);
    this.timers.push(order.start, { a, t: order.start });
    this.ports.wakeAt(Math.max(order.start, this.ports.now()));
    return null;
  }

  /** A venue's kind (the market's venues are fixed); an unknown name counts as lit, the stricter checks. */
  private kindOf(venue: string): VenueKind {
    return this.venueKinds.get(venue) ?? 'lit';
  }

  /** Halted: every working child of every parent is cancelled (the parents stay, and send nothing new while halted). */
  private cancelWorking(): void {
    for (const a of this.active.values()) for (const [id] of a.live) if (this.om.requestCancel(id)) this.sendCancel(id);
  }

  /** The OMS cancels a parent: working children are cancelled, and no new ones are sent. */
  cancelParent(id: string): void {
    const a = this.active.get(id);
    if (!a || a.phase === 'done') return;
    for (const c of this.om.cancelParent(id)) this.sendCancel(c);
    a.phase = 'ending';
    this.finishIfDone(a);
  }

  /**
   * The OMS replaces a parent (size, horizon, limit). A change that fits what is filled and working applies at
   * once, and the policy decides afresh on the new schedule; a size below what the working children could still
   * fill cancels them first and applies when they are gone (or is given up if fills leave no room). Never overfills.
   */
  amendParent(id: string, change: ParentAmend): AmendResult {
    const a = this.active.get(id);
    const p = this.om.parent(id);
    if (!a || a.phase === 'done' || a.phase === 'ending' || p.ending) return { status: 'refused', reason: 'the order is done' };
    if (a.amend) return { status: 'refused', reason: 'a replace is already pending' };
    const refused = this.checkAmend(a, change);
    if (refused) return { status: 'refused', reason: refused };
    const now = this.ports.now();
    if (this.fits(a, change)) {
      this.applyAmend(a, change);
      if (a.phase === 'resting') this.beginDecision(a, now);
      return { status: 'applied' };
    }
    a.amend = change;
    for (const [cid] of a.live) if (this.om.requestCancel(cid)) this.sendCancel(cid);
    a.phase = 'clearing';
    a.decisionTime = now;
    this.wake(a, now + SETTLE_NS);
    return { status: 'pending' };
  }

  /** Whether a replace's size leaves room for what is filled and what the working children could still fill. */
  private fits(a: Active, change: ParentAmend): boolean {
    const p = this.om.parent(a.order.id);
    return (change.qty ?? p.qty) >= p.cumQty + this.om.working(a.order.id);
  }

  private checkAmend(a: Active, change: ParentAmend): string | undefined {
    const p = this.om.parent(a.order.id);
    const now = this.ports.now();
    const qty = change.qty ?? p.qty;
    const start = change.start ?? a.order.start;
    const end = change.end ?? a.order.end;
    if (!Number.isInteger(qty) || !(qty > p.cumQty)) return `the new quantity ${qty} must be a whole number above the ${p.cumQty} already filled`;
    if (change.start !== undefined && change.start !== a.order.start && a.phase !== 'waiting')
      return 'the horizon’s start cannot change once the order has begun';
    if (!(end > now)) return 'the new horizon ends in the past';
    if (!(end > start)) return 'the new horizon must end after it starts';
    if (change.limit !== undefined && change.limit !== null && !(change.limit > 0)) return `the new limit ${change.limit} is not a price`;
    return undefined;
  }

  private applyAmend(a: Active, change: ParentAmend): void {
    const now = this.ports.now();
    const o = a.order;
    if (change.qty !== undefined) {
      this.om.resize(o.id, change.qty);
      this.risk.parentResized(o.id, change.qty);
      o.qty = change.qty;
    }
    if (change.start !== undefined) o.start = Math.max(change.start, now);
    if (change.end !== undefined) o.end = change.end;
    if (change.limit === null) delete o.limit;
    else if (change.limit !== undefined) {
      o.limit = change.limit;
      // working children priced beyond the new limit are cancelled (the next decision prices within it)
      for (const [cid] of a.live) {
        const c = this.om.child(cid)!;
        if (capped(o, c.price) !== c.price && this.om.requestCancel(cid)) this.sendCancel(cid);
      }
    }
    a.schedule = a.policy.schedule(o, this.market, () => a.litFilled);
    if (a.phase === 'waiting') this.wake(a, Math.max(o.start, now));
    else if (a.due > o.end) this.wake(a, o.end);
  }

  /** A pending replace, once the working children are gone (or the wait is over): applied if it fits, else given up. */
  private settleAmend(a: Active): void {
    const change = a.amend;
    if (!change) return;
    a.amend = undefined;
    const refused = this.checkAmend(a, change) ?? (this.fits(a, change) ? undefined : 'children still working could overfill the new quantity');
    if (refused) return this.hooks.onAmend?.(a.order.id, a.order, refused);
    this.applyAmend(a, change);
    this.hooks.onAmend?.(a.order.id, a.order);
  }

  onTimer(now: number): void {
    // a quote that stopped changing is seen at the wake-ups
    this.risk.onMarket();
    // the parents due now, in the order they came in: those whose wake-up has come, and those still overdue
    while (this.timers.peekKey() <= now) {
      const { a, t } = this.timers.pop()!;
      if (a.due === t && a.phase !== 'done') this.overdue.add(a);
    }
    if (this.overdue.size === 0) return;
    const due = [...this.overdue].sort((x, y) => x.seq - y.seq);
    for (const a of due) {
      if (a.phase === 'done' || now < a.due) {
        this.overdue.delete(a);
        continue;
      }
      switch (a.phase) {
        case 'waiting':
        case 'resting':
          this.beginDecision(a, now);
          break;
        case 'clearing': // cancels did not all come back in time: decide anyway (availability still counts them)
          this.settleAmend(a);
          this.decide(a, now, 0);
          break;
        case 'taking': // a sweep not all answered by the next decision (or the last one by the expiry): move on
          if (a.decisionTime >= a.order.end) this.expire(a);
          else this.beginDecision(a, now);
          break;
        case 'ending':
          break;
      }
    }
    for (const a of due) if (a.phase === 'done' || a.due > now) this.overdue.delete(a);
  }

  onReport(r: ExecReport): void {
    if (!this.om.onReport(r)) return;
    const a = this.byChild.get(r.clOrdId);
    if (!a) return;
    const c = this.om.child(r.clOrdId)!;
    if (r.kind === 'fill') {
      this.risk.childFilled(r.clOrdId, r.qty);
      if (this.kindOf(c.venue) === 'lit') a.litFilled += r.qty;
      const f: FillRecord = {
        parentId: a.order.id,
        clOrdId: r.clOrdId,
        venue: r.venue,
        time: r.venueTime,
        price: r.price,
        qty: r.qty,
        fee: r.fee,
        liquidity: r.liquidity ?? 'take',
      };
      a.fills.push(f);
      this.hooks.onFill?.(f);
    }
    if (isChildDone(c.state)) {
      a.live.delete(r.clOrdId);
      this.byChild.delete(r.clOrdId);
      this.risk.childDone(r.clOrdId);
    }
    this.advance(a);
  }

  private beginDecision(a: Active, now: number): void {
    a.decisionTime = now;
    a.round = 0;
    let cancelling = false;
    for (const [id] of a.live) {
      if (this.om.requestCancel(id)) {
        this.sendCancel(id);
        cancelling = true;
      } else if (this.om.child(id)!.state === 'pending-cancel') cancelling = true;
    }
    if (cancelling || a.live.size > 0) {
      a.phase = 'clearing';
      this.wake(a, now + SETTLE_NS);
    } else this.decide(a, now, 0);
  }

  /** Moves a parent on after a report: a cleared slate gets its decision; a finished sweep may be rerouted. */
  private advance(a: Active): void {
    const now = this.ports.now();
    if (a.phase === 'clearing' && a.live.size === 0) {
      this.settleAmend(a);
      this.decide(a, now, 0);
    } else if (a.phase === 'taking' && !hasTakes(a)) {
      const p = this.om.parent(a.order.id);
      if (a.round < a.policy.rerouteRounds && p.cumQty < p.qty) this.decide(a, now, a.round + 1);
      else this.rest(a, now);
    } else if (a.phase === 'ending') this.finishIfDone(a);
    if (this.om.parent(a.order.id).state === 'filled') this.finishIfDone(a);
  }

  private decide(a: Active, now: number, round: number): void {
    const p = this.om.parent(a.order.id);
    if (p.cumQty >= p.qty) return this.finishIfDone(a);
    a.round = round;
    const final = a.decisionTime >= a.order.end;
    const next = final ? a.order.end : Math.min(a.decisionTime + a.policy.decisionNs, a.order.end);
    const targetNow = Math.min(p.qty, Math.round(a.schedule.target(final ? a.order.end : now)));
    const targetNext = Math.min(p.qty, Math.round(a.schedule.target(next)));
    const market = this.market;
    const om = this.om;
    const engine = this;
    const ctx: DecisionContext = {
      now,
      round,
      final,
      order: a.order,
      market,
      behind: Math.max(0, targetNow - p.cumQty),
      upcoming: Math.max(0, targetNext - Math.max(targetNow, p.cumQty)),
      children: () => p.children.map((id) => om.child(id)!),
      fills: a.fills,
      available: () => om.available(a.order.id),
      views(depth) {
        const side: Side = a.order.side === BUY ? 1 : 0; // take from the opposite side
        return market.venues.filter((v) => v.kind === 'lit').map((v) => ({ venue: v.name, levels: market.levels(v.name, side, depth), takeFee: v.takeFee }));
      },
      take(plans) {
        let n = 0;
        for (const pl of plans)
          n += engine.child(a, 'take', pl.venue, pl.qty, {
            type: 'new',
            clOrdId: 0,
            side: a.order.side,
            ordType: 'limit',
            price: capped(a.order, pl.price),
            qty: 0,
            tif: IOC,
          });
        return n;
      },
      post(venue, price, qty) {
        return engine.child(a, 'rest', venue, qty, {
          type: 'new',
          clOrdId: 0,
          side: a.order.side,
          ordType: 'limit',
          price: capped(a.order, price),
          qty: 0,
          tif: GTC,
          postOnly: true,
        });
      },
      ping(venue, qty, minQty) {
        return engine.child(a, 'rest', venue, qty, {
          type: 'new',
          clOrdId: 0,
          side: a.order.side,
          ordType: 'midpeg',
          price: a.order.limit ?? NaN,
          qty: 0,
          minQty,
        });
      },
    };
    this.runPolicy(a, ctx);
    this.hooks.onDecision?.({ parentId: a.order.id, time: now, round, target: targetNow, filled: p.cumQty, children: a.live.size });
    if (hasTakes(a)) {
      a.phase = 'taking';
      // a venue that never answers must not stall the parent: move on at the next decision regardless
      this.wake(a, final ? now + SETTLE_NS : next);
    } else this.rest(a, now);
  }

  /**
   * The policy's decision. A model-driven one is checked: on a model anomaly the rule router makes the rest of the
   * decision, and after too many in the window it makes every decision of the parent until a person resets it.
   */
  private runPolicy(a: Active, ctx: DecisionContext): void {
    const p = a.policy;
    if (!isModelDriven(p)) return p.decide(ctx);
    const g = this.models;
    if (g.sticky(a.order.id) !== undefined) {
      g.fallbackDecisions++;
      return p.fallback.decide(ctx);
    }
    const check = g.check;
    check.begin();
    const { swept } = p.decideChecked(ctx, check);
    if (check.reason === null) return;
    g.anomaly(a.order.id, check.reason);
    g.fallbackDecisions++;
    // what the policy already swept was the rule router's own sweep: the rule router makes the rest
    p.fallback.decide(swept ? { ...ctx, behind: 0 } : ctx);
  }

  /** Nothing immediate in flight: wait for the next decision, or expire after the final one. */
  private rest(a: Active, now: number): void {
    if (a.decisionTime >= a.order.end) {
      a.phase = 'taking';
      this.wake(a, Math.max(now, a.decisionTime + SETTLE_NS));
      if (a.live.size === 0) this.expire(a);
      return;
    }
    a.phase = 'resting';
    this.wake(a, Math.min(a.decisionTime + a.policy.decisionNs, a.order.end));
  }

  private expire(a: Active): void {
    if (a.phase === 'ending' || a.phase === 'done') return;
    for (const c of this.om.expire(a.order.id)) this.sendCancel(c);
    a.phase = 'ending';
    this.finishIfDone(a);
  }

  private finishIfDone(a: Active): void {
    if (a.phase === 'done') return;
    const p = this.om.parent(a.order.id);
    if (p.state === 'filled' && a.live.size > 0) {
      // filled while resting orders remain (a dark ping and a sweep both filled): cancel what is left
      for (const [id] of a.live) if (this.om.requestCancel(id)) this.sendCancel(id);
    }
    if (isParentDone(p.state) && a.live.size === 0) {
      a.phase = 'done';
      this.active.delete(a.order.id);
      this.risk.parentClosed(a.order.id);
      this.models.parentClosed(a.order.id);
      this.hooks.onDone?.(p, a.order);
    }
  }

  /**
   * Sends one child, sized to fit what the parent has available, if the guardrails let it go; returns the shares sent
   * (0: nothing went; a refusal is the guardrails' to record, and the policy sees an order that was not sent).
   */
  private child(a: Active, intent: 'take' | 'rest', venue: string, qty: number, msg: OrderMessage & { type: 'new' }): number {
    const q = Math.min(Math.floor(qty), this.om.available(a.order.id));
    if (!(q > 0)) return 0;
    const req = { parentId: a.order.id, venue, venueKind: this.kindOf(venue), side: msg.side, ordType: msg.ordType, price: msg.price, qty: q };
    if (this.risk.checkChild(req)) return 0;
    const c = this.om.newChild(a.order.id, venue, msg.price, q);
    a.live.set(c.clOrdId, intent);
    this.byChild.set(c.clOrdId, a);
    this.hooks.onChild?.({ parentId: a.order.id, clOrdId: c.clOrdId, venue, qty: q, intent, time: this.ports.now() });
    this.ports.send(venue, { ...msg, clOrdId: c.clOrdId, qty: q, ...(msg.minQty !== undefined ? { minQty: Math.min(msg.minQty, q) } : {}) });
    this.risk.childSent(req, c.clOrdId);
    return q;
  }

  private sendCancel(clOrdId: number): void {
    this.ports.send(this.om.child(clOrdId)!.venue, { type: 'cancel', clOrdId });
  }

  private wake(a: Active, t: number): void {
    a.due = t;
    this.timers.push(t, { a, t });
    this.ports.wakeAt(t);
  }
}

/** A child's price held to the parent's limit: no higher for a buy, no lower for a sell. */
function capped(o: ParentOrder, price: number): number {
  if (o.limit === undefined) return price;
  return o.side === BUY ? Math.min(price, o.limit) : Math.max(price, o.limit);
}

/** Whether any of the parent's live children is an immediate order still out (checked without allocating). */
function hasTakes(a: Active): boolean {
  for (const intent of a.live.values()) if (intent === 'take') return true;
  return false;
}
