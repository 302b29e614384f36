import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fsDo } from '../core/errors.js';
import { LatencyHistogram, monotonicUs } from '../core/latency.js';
import { FixAcceptor } from '../fix/acceptor.js';
import { authenticator } from '../fix/auth.js';
import { loadDictionary, type DictionaryExtension } from '../fix/dictionary.js';
import { FixInitiator } from '../fix/initiator.js';
import type { FixSession, Received } from '../fix/session.js';
import { FileStore } from '../fix/store.js';
import { MD_ENTRY_TYPE, MD_UPDATE_TYPE, MSG, SUBSCRIPTION_REQUEST_TYPE, TAG } from '../fix/tags.js';
import { LiveClock } from './clock.js';
import type { RouterConfig } from './config.js';
import { Journal, JOURNAL_VERSION, readJournal, type JournalRecord } from './journal.js';
import { MARKET_DATA_EXTENSION } from './market.js';
import { loadRouterModels, marketSetup, type LoadedModels } from './models.js';
import { LiveRouter, type FixBody, type Outbox, type RouterSetup } from './router.js';
import type { ControlRecord } from './journal.js';

/** The OMS sessions' dictionary: FIX 4.4 with FIX 5.0's StrategyParameters group, and TargetStrategy open to 1000+. */
export const OMS_EXTENSION: DictionaryExtension = {
  fields: [
    { tag: 847, name: 'TargetStrategy', type: 'INT' },
    { tag: 957, name: 'NoStrategyParameters', type: 'NUMINGROUP' },
    { tag: 958, name: 'StrategyParameterName', type: 'STRING' },
    { tag: 959, name: 'StrategyParameterType', type: 'INT' },
    { tag: 960, name: 'StrategyParameterValue', type: 'STRING' },
  ],
  groups: [{ messages: [MSG.NewOrderSingle, MSG.OrderCancelReplaceRequest], count: 957, members: [958, 959, 960] }],
};

/** A message's fields without the session's header and trailer (PossDup and PossResend kept: the router reads them). */
const SESSION_FIELDS = new Set<string>([
  TAG.BeginString,
  TAG.BodyLength,
  TAG.CheckSum,
  TAG.MsgSeqNum,
  TAG.MsgType,
  TAG.SenderCompID,
  TAG.SendingTime,
  TAG.TargetCompID,
  TAG.OrigSendingTime,
  TAG.LastMsgSeqNumProcessed,
]);
export const bodyOf = (m: Received): FixBody => m.fields.filter(([t]) => !SESSION_FIELDS.has(t));

/**
 * The desk's side of an OMS session to the router (what a demo, a bench or a test logs on with): OMS1 as `desk`, with
 * the OMS dictionary. Not started.
 */
export async function omsSession(o: {
  port: number;
  password: string;
  onMessage: (m: Received) => void;
  router?: string;
  reconnectMs?: number;
}): Promise<FixInitiator> {
  return new FixInitiator(
    {
      beginString: 'FIX.4.4',
      senderCompID: 'OMS1',
      targetCompID: o.router ?? 'SOR',
      dictionary: await loadDictionary('FIX44', OMS_EXTENSION),
      credentials: { username: 'desk', password: o.password },
    },
    o.onMessage,
    { port: o.port, ...(o.reconnectMs !== undefined ? { reconnectMs: o.reconnectMs } : {}) },
  );
}

export interface ServiceOptions {
  /** Models already loaded (else the config's models.registry is read). */
  models?: LoadedModels;
}

/** The router's market-data subscription at a lit venue: the book to 10 levels and the trades, a snapshot then incremental refreshes. */
export function bookRequest(venue: string, symbol: string): FixBody {
  return [
    [TAG.MDReqID, `${venue}-book`],
    [TAG.SubscriptionRequestType, SUBSCRIPTION_REQUEST_TYPE.SnapshotPlusUpdates],
    [TAG.MarketDepth, '10'],
    [TAG.MDUpdateType, MD_UPDATE_TYPE.IncrementalRefresh],
    [TAG.NoMDEntryTypes, '3'],
    [TAG.MDEntryType, MD_ENTRY_TYPE.Bid],
    [TAG.MDEntryType, MD_ENTRY_TYPE.Offer],
    [TAG.MDEntryType, MD_ENTRY_TYPE.Trade],
    [TAG.NoRelatedSym, '1'],
    [TAG.Symbol, symbol],
  ];
}

/** A router's setup from its configuration: the service's, and a socket-free harness's. */
export function routerSetup(c: RouterConfig, clock: LiveClock, models?: LoadedModels): RouterSetup {
  return {
    symbol: c.symbol,
    tick: c.tick,
    venues: c.venues.map((v) => ({ name: v.name, kind: v.kind, takeFee: v.takeFee, makeFee: v.makeFee })),
    clock,
    strategies: c.policy.strategies,
    defaultPolicy: c.policy.default,
    decisionSeconds: c.policy.decisionSeconds,
    defaultHorizonMinutes: c.policy.defaultHorizonMinutes,
    ...marketSetup(c),
    ...(models ? { models } : {}),
    risk: c.risk,
  };
}

/**
 * `sor serve`: the router service. An acceptor for the OMS sessions; per venue an order-entry initiator and, for lit
 * venues, a market-data initiator (subscribed on every logon); the LiveRouter between them, its timers on the live
 * clock, its journal in `journal.dir` with the FIX sessions' stores beside it. On start it replays the journal it
 * finds (a restart after a crash): every parent and child is rebuilt, nothing is sent twice, what the crash kept from
 * going out is sent, each venue is asked where its working children stand as it logs on, and the OMS is told where
 * each open parent stands.
 */
export class RouterService {
  readonly clock: LiveClock;
  router!: LiveRouter;
  private journal!: Journal;
  private oms!: FixAcceptor;
  private readonly entry = new Map<string, FixInitiator>();
  private readonly md = new Map<string, FixInitiator>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  omsPort = 0;
  /** The control API's port, once one is started on this service (monitor/control.ts's startControl); 0: none. */
  controlPort = 0;
  /** Control calls waiting for what they asked to be done (every working child cancelled, the parents ended). */
  private readonly waiters: { done: () => boolean; resolve: () => void; until: number }[] = [];
  /** What the start found in the journal: records replayed, outputs that did not match, outputs sent late. */
  recovery = { records: 0, inputs: 0, mismatches: [] as string[], resent: 0, handedOverLate: 0 };
  private stopped = false;
  private childOrders = 0;
  /**
   * The router's own part of a parent's path: its NewOrderSingle's bytes read from the OMS connection → its first
   * child orders written to the venues' connections (sent as that turn of the event loop ends), µs.
   */
  readonly parentToChild = new LatencyHistogram();

  constructor(
    readonly config: RouterConfig,
    private readonly opts: ServiceOptions = {},
  ) {
    this.clock = config.clock ? new LiveClock(config.clock) : LiveClock.startingAt(nsSinceMidnightUtc(Date.now()));
  }

  get journalFile(): string {
    return join(this.config.journal.dir, 'router.journal');
  }

  async start(): Promise<void> {
    const c = this.config;
    const [omsDict, venueDict, mdDict] = await Promise.all([
      loadDictionary('FIX44', OMS_EXTENSION),
      loadDictionary('FIX44'),
      loadDictionary('FIX44', MARKET_DATA_EXTENSION),
    ]);
    const models = this.opts.models ?? (c.models ? loadRouterModels(c.models.registry, c.policy.decisionSeconds) : undefined);
    const setup = routerSetup(c, this.clock, models);
    // a restart: the journal replayed through a fresh router, nothing sent
    const records = readJournal(this.journalFile);
    this.router = new LiveRouter(setup, null, null, () => this.arm());
    if (records.length > 0) {
      this.recovery.inputs = this.router.replay(records);
      this.recovery.records = records.length;
      this.recovery.mismatches = [...this.router.mismatches];
      this.recovery.resent = this.router.unsent.length;
    }
    this.journal = new Journal(this.journalFile, c.journal.sync, c.journal.groupMs);
    const outbox: Outbox = {
      toVenue: (venue, type, body) => {
        if (type === MSG.NewOrderSingle) this.childOrders++;
        this.entry.get(venue)?.session.send(type, body);
      },
      toOms: (oms, type, body) => this.oms.sessions.get(oms)?.send(type, body),
    };
    const store = (name: string) => new FileStore(c.journal.dir, name, c.journal.sync === 'every' ? 'every' : 'os');
    const tls = c.oms.tls
      ? {
          key: fsDo(c.oms.tls.keyFile, 'read the TLS key', () => readFileSync(c.oms.tls!.keyFile)),
          cert: fsDo(c.oms.tls.certFile, 'read the TLS certificate', () => readFileSync(c.oms.tls!.certFile)),
        }
      : undefined;
    this.oms = new FixAcceptor(
      c.oms.sessions.map((s) => ({
        beginString: 'FIX.4.4',
        senderCompID: c.router.compId,
        targetCompID: s.compId,
        dictionary: omsDict,
        resetOnDisconnect: false,
        authenticate: authenticator(c.oms.sessions),
      })),
      (m: Received, session: FixSession) =>
        this.feed({ k: 'oms', t: this.clock.now(), oms: session.settings.targetCompID, type: m.type, body: bodyOf(m) }, m.at),
      (s) => store(`oms-${s.targetCompID}`),
      tls,
    );
    for (const v of c.venues) {
      const credentials =
        v.username && v.passwordEnv && process.env[v.passwordEnv] ? { credentials: { username: v.username, password: process.env[v.passwordEnv]! } } : {};
      const vtls = v.tls ? { tls: { ca: fsDo(v.tls.caFile, 'read the venue’s CA', () => readFileSync(v.tls!.caFile)) } } : {};
      const oe = new FixInitiator(
        {
          beginString: 'FIX.4.4',
          senderCompID: c.router.compId,
          targetCompID: v.name,
          dictionary: venueDict,
          ...credentials,
          onState: (ev) => {
            if (this.stopped) return;
            if (ev === 'logon') this.feed({ k: 'up', t: this.clock.now(), venue: v.name });
            if (ev === 'disconnect') this.feed({ k: 'down', t: this.clock.now(), venue: v.name });
          },
        },
        (m) => this.feed({ k: 'venue', t: this.clock.now(), venue: v.name, type: m.type, body: bodyOf(m) }),
        { host: v.host, port: v.port, reconnectMs: 200, ...vtls },
        store(`venue-${v.name}`),
      );
      this.entry.set(v.name, oe);
      if (v.kind === 'lit') {
        const md = new FixInitiator(
          {
            beginString: 'FIX.4.4',
            senderCompID: c.router.marketDataCompId,
            targetCompID: v.name,
            dictionary: mdDict,
            resetOnLogon: true,
            ...credentials,
            onState: (ev) => {
              if (ev !== 'logon' || this.stopped) return;
              mdSession.send(MSG.MarketDataRequest, bookRequest(v.name, c.symbol));
            },
          },
          (m) => {
            if (m.type === MSG.MarketDataSnapshotFullRefresh || m.type === MSG.MarketDataIncrementalRefresh)
              this.feed({ k: 'md', t: this.clock.now(), venue: v.name, type: m.type, body: bodyOf(m) });
          },
          { host: v.host, port: v.port, reconnectMs: 200, ...vtls },
        );
        const mdSession = md.session;
        this.md.set(v.name, md);
      }
    }
    // the sessions exist (what goes out now is kept in their stores and resent as they log on); then the router is live
    this.router.goLive(outbox, this.journal, this.notHandedOver(records));
    this.feed({ k: 'start', t: this.clock.now(), v: JOURNAL_VERSION, setup: this.router.journaledSetup() });
    for (const v of c.venues) this.feed({ k: 'down', t: this.clock.now(), venue: v.name });
    if (records.length > 0) this.feed({ k: 'recover', t: this.clock.now() });
    this.omsPort = await this.oms.listen(c.oms.port);
    await Promise.all([...this.entry.values(), ...this.md.values()].map((i) => i.start()));
    this.arm();
  }

  /**
   * The journal's outputs that never reached their session's store (a crash between the journal's write and the
   * session's): per session, those past the count of application messages its store holds.
   */
  private notHandedOver(records: readonly JournalRecord[]): JournalRecord[] {
    const handed = new Map<string, number>();
    const missing: JournalRecord[] = [];
    for (const r of records) {
      const name = r.k === 'to-oms' ? `oms-${r.oms}` : r.k === 'to-venue' ? `venue-${r.venue}` : null;
      if (name === null) continue;
      let left = handed.get(name);
      if (left === undefined) {
        const store = new FileStore(this.config.journal.dir, name, 'os');
        left = store.applicationSent();
        store.close();
      }
      // the first `applicationSent` outputs reached the store; the rest, in the order the router made them, did not
      if (left > 0) handed.set(name, left - 1);
      else {
        handed.set(name, 0);
        missing.push(r);
      }
    }
    this.recovery.handedOverLate = missing.length;
    return missing;
  }

  /** An input to the router, with the wake-ups already due (see LiveRouter.feed). */
  private feed(r: JournalRecord, receivedAt?: number): void {
    const before = this.childOrders;
    this.router.feed(r, () => this.clock.now());
    // a parent's first children are written now, and leave as this turn ends
    if (r.k === 'oms' && r.type === MSG.NewOrderSingle && receivedAt !== undefined && this.childOrders > before)
      this.parentToChild.record(monotonicUs() - receivedAt);
    this.arm();
    if (this.waiters.length > 0) this.settleWaiters();
  }

  private settleWaiters(): void {
    const now = Date.now();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.done() || now >= w.until) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves once `done` holds after an input (or at the deadline, ms). */
  private waitFor(done: () => boolean, ms: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const w = { done, resolve, until: Date.now() + ms };
      this.waiters.push(w);
      setTimeout(() => this.settleWaiters(), ms + 1).unref();
    });
  }

  /**
   * A control call (monitor/control.ts): journaled as an input and applied; a halt answers once every working child
   * is confirmed cancelled by its venue, a cancel-all once the parents have ended (each within 5 s, or it answers
   * with what is still working).
   */
  async act(r: ControlRecord): Promise<unknown> {
    const t0 = performance.now();
    const open = () => this.router.engine.risk.openOrders().total;
    const before = open();
    this.feed({ ...r, t: this.clock.now() });
    if (r.refused !== undefined) return { refused: r.refused };
    let parents: string[] = [];
    if (r.action === 'halt') await this.waitFor(() => open() === 0, 5000);
    if (r.action === 'cancel-all' || r.action === 'reset-model') parents = this.router.lastControl?.parents ?? [];
    if (r.action === 'cancel-all') {
      const ended = () => parents.every((id) => ['filled', 'cancelled', 'expired'].includes(this.router.engine.om.parent(id).state));
      await this.waitFor(ended, 5000);
    }
    return {
      action: r.action,
      who: r.who,
      scope: r.scope,
      state: this.router.engine.risk.state(r.scope === '*' ? undefined : r.scope),
      working_before: before,
      working_after: open(),
      ...(r.action === 'cancel-all' || r.action === 'reset-model' ? { parents } : {}),
      ms: Math.round((performance.now() - t0) * 1000) / 1000,
    };
  }

  /** Where the router stands: its trading state and why, what works, what the guardrails and model checks did. */
  status(): unknown {
    const e = this.router.engine;
    return {
      symbol: this.config.symbol,
      state: e.risk.state(),
      all: e.risk.state('*'),
      rule_holds: e.risk.ruleHolds(),
      cross_check_failure: e.risk.crossCheckFailure,
      open_orders: e.risk.openOrders(),
      refused: e.risk.denials,
      model_anomalies: e.models.anomalies,
      on_rule_router: e.models.stuckParents(),
      parents: this.router.parentStates().map((p) => ({ id: p.id, clOrdId: p.clOrdId, state: p.state, qty: p.qty, cumQty: p.cumQty })),
      journal: this.journalFile,
    };
  }

  /** The engine's next wake-up on the live clock. */
  private arm(): void {
    if (this.stopped) return;
    const next = this.router?.nextWake() ?? Infinity;
    if (next === Infinity || next >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.armedFor = Infinity;
      this.feed({ k: 'timer', t: Math.max(next, this.clock.now()) });
    }, this.clock.msUntil(next));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.entry.values(), ...this.md.values()].map((i) => i.stop(500)));
    await this.oms.close();
    this.journal.close();
  }
}

/** The wall clock's time of day (UTC), ns. */
export function nsSinceMidnightUtc(ms: number): number {
  const d = new Date(ms);
  return (ms - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())) * 1e6;
}
