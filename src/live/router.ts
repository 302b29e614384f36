import { DataError, UsageError } from '../core/errors.js';
import { MinHeap } from '../core/heap.js';
import { EXEC_TYPE, MSG } from '../fix/tags.js';
import type { ModelRegistry } from '../models/registry.js';
import { RouterEngine, type RouterPorts } from '../router/engine.js';
import type { OrderMessage } from '../venue/types.js';
import { LiveClock } from './clock.js';
import { isInput, type ControlRecord, type Journal, type JournaledSetup, type JournalRecord } from './journal.js';
import type { TradingState } from '../risk/guard.js';
import { LiveMarket } from './market.js';
import { loadModelsById, type LoadedModels } from './models.js';
import { OmsGateway } from './oms-gateway.js';
import type { Outbox, RouterCore, RouterSetup } from './router-core.js';
import { VenueGateway } from './venue-gateway.js';

export type { FixBody, Outbox, RouterSetup } from './router-core.js';

/**
 * The router of the live world, transport-free: the backtest's RouterEngine, policies and models, driven by inputs
 * (the OMS's and the venues' messages as they came, market data, timer firings, a venue lost or back), each
 * appended to the journal before it takes effect. Its outputs (FIX messages to the venues and to the OMS, and its
 * decisions) are appended before they go out. Everything it does is a function of its inputs and their times, so a
 * journal replayed through a fresh LiveRouter regenerates every output: `replay` checks them one by one (the
 * parity of the two worlds), and a restart after a crash uses it to rebuild every parent and child without
 * sending anything twice, then sends what the crash kept from going out.
 */
export class LiveRouter implements RouterPorts, RouterCore {
  readonly market: LiveMarket;
  readonly engine: RouterEngine;
  /** Its OMS side: the parents, by the OMS's ClOrdIDs, and what the OMS is told. */
  readonly oms: OmsGateway;
  /** Its venue side: the children out, the venues' reports in, the venues that are down. */
  readonly venues: VenueGateway;
  private t = 0;
  /** The wake-up times the engine asked for and not yet passed: a set (asked once each) and a heap (the earliest). */
  private readonly wakes = new Set<number>();
  private readonly wakeOrder = new MinHeap<number>();
  /** In a replay: the journal's outputs of the current input, still to be regenerated. */
  private expected: JournalRecord[] | null = null;
  readonly mismatches: string[] = [];
  /** Outputs a replay regenerated that the journal lacks: what a crash kept from going out. */
  readonly unsent: JournalRecord[] = [];
  /** Outputs journaled and waiting to be sent at the end of the input that made them. */
  private readonly sending: JournalRecord[] = [];
  /** Whether the inputs taken since the last send include a session's message (acknowledged once it returns). */
  private acknowledging = false;
  outputs = 0;
  /** The last control action's outcome (the parents it cancelled or reset). */
  lastControl: { action: string; parents: string[] } | null = null;

  constructor(
    readonly setup: RouterSetup,
    private journal: Journal | null,
    private outbox: Outbox | null,
    private readonly onWake: (t: number) => void = () => {},
  ) {
    this.market = new LiveMarket(setup.venues, {
      tick: setup.tick,
      ...(setup.models ? { features: { adv: setup.adv, longRunVolBps: setup.volBps ?? NaN } } : {}),
    });
    this.engine = new RouterEngine(
      this,
      this.market,
      {
        onFill: (f) => this.oms.onFill(f.parentId, f.qty, f.price, f.venue, f.liquidity),
        onDone: (p) => this.oms.onDone(p),
        onAmend: (id, _order, reason) => this.oms.onAmended(id, reason),
        onDecision: (d) =>
          this.emit({ k: 'decision', t: this.t, parentId: d.parentId, round: d.round, target: d.target, filled: d.filled, children: d.children }),
        // the guardrails' refusals and state changes, journaled as outputs: a replay regenerates them too
        onDenial: (d) =>
          this.emit({ k: 'denial', t: this.t, code: d.code, detail: d.detail, parentId: d.parentId, ...(d.venue === undefined ? {} : { venue: d.venue }) }),
        onRiskState: (e) => this.emit({ k: 'state', t: this.t, scope: e.scope, from: e.from, to: e.to, reason: e.reason, who: e.who }),
        onAnomaly: (a) =>
          this.emit({
            k: 'anomaly',
            t: this.t,
            parentId: a.parentId,
            reason: a.reason,
            recent: a.recent,
            sticky: a.sticky,
            decision: a.decision,
            ...(a.overrunUs === undefined ? {} : { overrunUs: a.overrunUs }),
          }),
        onModelReset: (e) => this.emit({ k: 'model-reset', t: this.t, parentId: e.parentId, who: e.who }),
      },
      { symbol: setup.symbol, ...(setup.risk ? { limits: setup.risk } : {}) },
    );
    this.oms = new OmsGateway(this);
    this.venues = new VenueGateway(this);
  }

  // ------------------------------------------------------------------ ports

  now(): number {
    return this.t;
  }

  wakeAt(time: number): void {
    if (this.wakes.has(time)) return;
    this.wakes.add(time);
    this.wakeOrder.push(time, time);
    this.onWake(time);
  }

  /** The earliest wake-up asked for and not yet passed (the service arms its timer for it); Infinity: none. */
  nextWake(): number {
    return this.wakeOrder.peekKey();
  }

  send(venue: string, msg: OrderMessage): void {
    this.venues.send(venue, msg);
  }

  // ------------------------------------------------------------------ inputs

  /**
   * An input, then every wake-up the engine asked for that is due by `now()` (a parent that starts now decides now,
   * in the same turn of the event loop, not a timer's tick later): each journaled, then applied; what they make is
   * journaled as it is made and sent together once they are done (in the `every` mode, once the journal holds it all
   * on the disk: one sync before anything goes out, and before a session's message is acknowledged; market data and
   * timers, which nothing outside waits on, are synced with the next output).
   */
  feed(r: JournalRecord, now: () => number): void {
    this.take(r);
    // (bounded: an engine that kept asking for now would otherwise never let the event loop turn)
    for (let i = 0; i < 100 && this.nextWake() <= now(); i++) this.take({ k: 'timer', t: now() });
    if (this.sending.length > 0 || this.acknowledging) this.journal?.commit();
    this.acknowledging = false;
    this.flush();
  }

  private take(r: JournalRecord): void {
    this.journal?.append(r);
    this.apply(r);
    if (r.k === 'oms' || r.k === 'venue') this.acknowledging = true;
  }

  /**
   * Sends what is waiting to go (the journal holds it): the venues' orders first, then the OMS's reports (each session
   * in the order the router made them), so that a new parent's children are on their way before its acknowledgement
   * is written.
   */
  private flush(): void {
    if (!this.outbox) return;
    const out = this.sending.splice(0);
    for (const r of out) if (r.k === 'to-venue') this.outbox.toVenue(r.venue, r.type, r.body);
    for (const r of out) if (r.k === 'to-oms') this.outbox.toOms(r.oms, r.type, r.body);
  }

  /** The one place an input takes effect, live and in a replay. */
  apply(r: JournalRecord): void {
    this.t = r.t;
    switch (r.k) {
      case 'oms':
        this.oms.message(r.oms, r.type, r.body);
        break;
      case 'venue':
        this.venues.message(r.venue, r.type, r.body);
        break;
      case 'md':
        this.market.onMarketData(r.venue, r.type, r.body, r.t);
        this.engine.risk.onMarket();
        break;
      case 'timer':
        while (this.wakeOrder.peekKey() <= r.t) this.wakes.delete(this.wakeOrder.pop()!);
        this.engine.onTimer(r.t);
        break;
      case 'down':
        this.venues.setDown(r.venue, true);
        this.market.onMarketData(r.venue, MSG.MarketDataSnapshotFullRefresh, [], r.t); // its book is gone with it
        this.engine.risk.onVenue(r.venue, false);
        this.engine.risk.onMarket();
        break;
      case 'up':
        this.venues.setDown(r.venue, false);
        this.engine.risk.onVenue(r.venue, true);
        this.venues.reconcile(r.venue, this.oms.all());
        break;
      case 'start':
        break;
      case 'control':
        this.control(r);
        break;
      case 'recover':
        for (const v of this.setup.venues) if (!this.venues.isDown(v.name)) this.venues.reconcile(v.name, this.oms.all());
        for (const p of this.oms.all()) if (this.engine.om.parent(p.id).state !== 'filled') this.oms.report(p, EXEC_TYPE.OrderStatus);
        break;
      default:
        throw new Error(`not an input: ${r.k}`);
    }
    this.venues.settle();
  }

  /** An output: journaled, then sent once the input that made it is done; in a replay, compared with the journal's. */
  emit(r: JournalRecord): void {
    this.outputs++;
    if (this.expected) {
      const want = this.expected.shift();
      if (want === undefined) {
        this.unsent.push(r);
        return;
      }
      if (JSON.stringify(want) !== JSON.stringify(r)) this.mismatches.push(`journal ${JSON.stringify(want)} ≠ replay ${JSON.stringify(r)}`);
      return;
    }
    this.journal?.append(r);
    // sent once the input that made it is done (see feed): in the same turn of the event loop, so no later
    if (this.outbox && (r.k === 'to-venue' || r.k === 'to-oms')) this.sending.push(r);
  }

  /**
   * Replays journal records through this (fresh) router: each input applied, each output it regenerates compared
   * with the journal's, nothing sent. Returns the number of inputs replayed; mismatches and unsent say the rest.
   */
  replay(records: readonly JournalRecord[]): number {
    // the decisions whose inference overran its budget live: the same anomalies again, without reading a clock
    const overran = new Map<number, number>();
    for (const r of records) if (r.k === 'anomaly' && r.overrunUs !== undefined) overran.set(r.decision, r.overrunUs);
    this.engine.models.check.timeBy({ recorded: overran });
    let inputs = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (!isInput(r)) {
        this.mismatches.push(`journal record ${i + 1} (${r.k}) follows no input that makes it`);
        continue;
      }
      const outs: JournalRecord[] = [];
      while (i + 1 < records.length && !isInput(records[i + 1]!)) outs.push(records[++i]!);
      this.expected = outs;
      this.apply(r);
      for (const left of this.expected) this.mismatches.push(`journal ${JSON.stringify(left)}: not regenerated`);
      this.expected = null;
      inputs++;
    }
    return inputs;
  }

  /** The setup as the journal keeps it. */
  journaledSetup(): JournaledSetup {
    const { clock, models, ...json } = this.setup;
    return { ...json, clock: { ...clock.spec }, models: models ? { ...models.ids } : false };
  }

  /**
   * After a replay, the live journal and outbox. What the crash kept from going out goes now: first `journaled`, the
   * outputs the journal holds that never reached their session (the crash fell between the two), then what the
   * replay regenerated and the journal lacks (journaled now).
   */
  goLive(outbox: Outbox, journal: Journal | null, journaled: readonly JournalRecord[] = []): void {
    this.outbox = outbox;
    this.journal = journal;
    // live, each model-driven decision's inference is timed against its budget
    this.engine.models.check.timeBy({ wallUs: () => performance.now() * 1000 });
    this.sending.push(...journaled);
    for (const r of this.unsent.splice(0)) this.emit(r);
    this.journal?.commit();
    this.flush();
  }

  // ------------------------------------------------------------------ human control

  /**
   * A person's control action (journaled first, as every input): a trading state for a symbol or in all, every open
   * parent cancelled, or a parent put back on its model. A refused call (no or a wrong token) is journaled and does
   * nothing.
   */
  private control(r: ControlRecord): void {
    if (r.refused !== undefined || r.who === null) return;
    const who = r.who;
    const states: Record<string, TradingState> = { halt: 'HALTED', reduce: 'REDUCING', resume: 'ACTIVE' };
    const to = states[r.action];
    if (to) {
      this.engine.risk.setState(r.scope, to, r.reason || `${r.action} by ${who}`, who);
      return;
    }
    if (r.action === 'cancel-all') {
      const done = this.oms.cancelOpen(() => r.scope === '*' || r.scope === this.setup.symbol, `cancelled by ${who}${r.reason ? `: ${r.reason}` : ''}`);
      this.emit({ k: 'control-done', t: this.t, action: r.action, who, parents: done });
      this.lastControl = { action: r.action, parents: done };
      return;
    }
    if (r.action === 'reset-model') {
      const p = r.parent === undefined ? undefined : this.oms.find(r.parent);
      const reset = p !== undefined && this.engine.models.reset(p.id, who);
      this.emit({ k: 'control-done', t: this.t, action: r.action, who, parents: reset ? [p.id] : [] });
      this.lastControl = { action: r.action, parents: reset ? [p.id] : [] };
    }
  }

  /** Where each parent stands: what `sor live demo` reconciles, and what a restart tells the OMS. */
  parentStates(): ReturnType<OmsGateway['parentStates']> {
    return this.oms.parentStates();
  }

  /** A child's parent, by the child's ClOrdID (C<n>): the parent's ClOrdID at the OMS. */
  parentOf(child: string): string | undefined {
    return this.oms.parentOf(child);
  }

  /** Each child's ClOrdID (C<n>) → its parent's ClOrdID at the OMS. */
  childParents(): Record<string, string> {
    return this.oms.childParents();
  }

  /** The engine's order books, for the reconciliations. */
  get orders() {
    return this.engine.om;
  }
}

/** What an offline replay of a journal found. */
export interface ReplayResult {
  records: number;
  inputs: number;
  outputs: number;
  decisions: number;
  mismatches: string[];
  unsent: number;
  parents: ReturnType<LiveRouter['parentStates']>;
  /** Each child's ClOrdID (C<n>) → its parent's ClOrdID at the OMS. */
  childParent: Record<string, string>;
}

/**
 * Replays a journal through a fresh router built from its first `start` record: the parity check of the two worlds
 * (every output regenerated and compared) and the compliance record (every decision again, from its inputs).
 */
export function replayJournal(records: readonly JournalRecord[], registry?: ModelRegistry): ReplayResult {
  const start = records.find((r): r is Extract<JournalRecord, { k: 'start' }> => r.k === 'start');
  if (!start) throw new DataError('the journal has no start record: nothing to build its router from');
  const { clock, models: ids, ...json } = start.setup;
  let models: LoadedModels | undefined;
  if (ids) {
    if (!registry)
      throw new UsageError(`the journal’s router had trained models (${Object.values(ids).join(', ')}): give their registry (--models) to replay it`);
    models = loadModelsById(registry, ids);
  }
  const router = new LiveRouter({ ...json, clock: new LiveClock(clock), ...(models ? { models } : {}) }, null, null);
  const inputs = router.replay(records);
  return {
    records: records.length,
    inputs,
    outputs: records.length - inputs,
    decisions: records.filter((r) => r.k === 'decision').length,
    mismatches: router.mismatches,
    unsent: router.unsent.length,
    parents: router.parentStates(),
    childParent: router.childParents(),
  };
}
