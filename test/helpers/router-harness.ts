import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScenario } from '../../src/backtest/market.js';
import { NS_PER_SECOND } from '../../src/core/types.js';
import { hashPassword } from '../../src/fix/auth.js';
import { parseRouterConfig } from '../../src/live/config.js';
import { Journal, JOURNAL_VERSION, readJournal, type JournalRecord } from '../../src/live/journal.js';
import { LiveRouter, replayJournal, type FixBody } from '../../src/live/router.js';
import { bookRequest, routerSetup } from '../../src/live/service.js';
import { MSG } from '../../src/fix/tags.js';
import { VenueSimulator, type InProcessVenues } from '../../src/live/venues.js';

/** A message the router sent, as the harness caught it. */
export interface Sent {
  /** Its place among everything the router sent, to the OMS and to the venues. */
  seq: number;
  t: number;
  to: string;
  type: string;
  body: FixBody;
  map: Map<string, string>;
}

/**
 * The live router with no socket: the simulated venues of the default market linked to it in the same process, on
 * a virtual clock that moves only when the test says. Every input goes through `LiveRouter.feed`, as the service's
 * sessions put it there, and is journaled; what the router sends to the OMS is caught in `toOms`, and what it sends
 * to the venues reaches their order entry at once and is caught in `toVenues`. The same seed gives the same run.
 */
export class RouterHarness {
  readonly sim: VenueSimulator;
  readonly router: LiveRouter;
  readonly journalFile: string;
  readonly toOms: Sent[] = [];
  readonly toVenues: Sent[] = [];
  private readonly venues: InProcessVenues;
  private readonly journal: Journal;
  /** The venues' messages to the router not yet delivered: they arrive at the next step. */
  private readonly inbox: JournalRecord[] = [];
  private wallMs: number;
  private sent = 0;

  constructor(o: { seed?: number } = {}) {
    // a virtual wall clock on a fixed day: every FIX timestamp is the same from run to run
    const market = resolveScenario('default');
    this.wallMs = Date.UTC(2026, 0, 5, 12);
    this.sim = new VenueSimulator({ market, seed: o.seed ?? 1, speed: 1, wall: () => this.wallMs });
    this.venues = this.sim.inProcess({
      order: (venue, type, body) => this.inbox.push({ k: 'venue', t: 0, venue, type, body }),
      marketData: (venue, type, body) => this.inbox.push({ k: 'md', t: 0, venue, type, body }),
    });
    const fees = this.sim.fees();
    const config = parseRouterConfig({
      symbol: this.sim.symbol,
      tick: market.scenario.tick,
      oms: { sessions: [{ compId: 'OMS1', username: 'desk', passwordHash: PASSWORD_HASH }] },
      // in-process: the ports are never opened
      venues: this.sim.world.session.venues.map((v, i) => ({ name: v.name, kind: v.kind, port: 1 + i, ...fees[v.name] })),
      clock: this.sim.clock.spec,
      policy: { default: 'rule', decisionSeconds: 5 },
      journal: { dir: mkdtempSync(join(tmpdir(), 'sor-harness-')), sync: 'os' },
    });
    this.journalFile = join(config.journal.dir, 'router.journal');
    this.journal = new Journal(this.journalFile, 'os');
    this.router = new LiveRouter(routerSetup(config, this.sim.clock), this.journal, {
      toVenue: (venue, type, body) => {
        this.toVenues.push({ seq: ++this.sent, t: this.t, to: venue, type, body, map: new Map(body) });
        this.venues.toOrderEntry(venue, type, body);
      },
      toOms: (oms, type, body) => this.toOms.push({ seq: ++this.sent, t: this.t, to: oms, type, body, map: new Map(body) }),
    });
    this.feed({ k: 'start', t: this.t, v: JOURNAL_VERSION, setup: this.router.journaledSetup() });
    for (const v of config.venues) if (v.kind === 'lit') this.venues.toMarketData(v.name, MSG.MarketDataRequest, bookRequest(v.name, config.symbol));
    this.advance(0);
  }

  /** The market's time now, ns since midnight. */
  get t(): number {
    return this.sim.clock.now();
  }

  /** A FIX timestamp `secondsFromNow` from now. */
  fix(secondsFromNow = 0): string {
    return this.sim.clock.fix(this.t + secondsFromNow * NS_PER_SECOND);
  }

  private feed(r: JournalRecord): void {
    this.router.feed(r, () => this.t);
  }

  /** A message from the OMS (its session OMS1), taken at once. */
  oms(type: string, body: FixBody): void {
    this.feed({ k: 'oms', t: this.t, oms: 'OMS1', type, body });
  }

  /** Moves the clock on by `ns` in steps: the market runs, the venues publish and answer, the router's timers fire. */
  advance(ns: number): void {
    // (counted on the wall clock the market's clock reads, so that the last step lands on the end exactly)
    const end = this.wallMs + ns / 1e6;
    do {
      this.wallMs = Math.min(this.wallMs + STEP_NS / 1e6, end);
      this.sim.advance();
      this.sim.publish();
      for (const r of this.inbox.splice(0)) this.feed({ ...r, t: this.t });
      if (this.router.nextWake() <= this.t) this.feed({ k: 'timer', t: this.t });
    } while (this.wallMs < end);
  }

  /** Advances until `cond` holds, or throws after `maxSeconds` of market time. */
  until(cond: () => boolean, maxSeconds = 120): void {
    const end = this.t + maxSeconds * NS_PER_SECOND;
    while (!cond()) {
      if (this.t >= end) throw new Error(`not so after ${maxSeconds} s of market time`);
      this.advance(STEP_NS);
    }
  }

  /** The router's messages to the OMS about one ClOrdID. */
  reply(clOrdId: string): Sent[] {
    return this.toOms.filter((m) => m.map.get('11') === clOrdId);
  }

  /** The journal so far, and its replay through a fresh router. */
  records(): JournalRecord[] {
    this.journal.flush();
    return readJournal(this.journalFile);
  }

  replay() {
    return replayJournal(this.records());
  }

  close(): void {
    this.journal.close();
  }
}

/** How far the clock moves at each step, ns: the venues' publication interval. */
const STEP_NS = 10_000_000;

/** The OMS session's password hash: the config needs one, though no session logs on in-process. */
const PASSWORD_HASH = hashPassword('in-process');
