import type { FixBody } from '../fix/child-orders.js';
import type { RouterEngine } from '../router/engine.js';
import type { LiveClock } from './clock.js';
import type { JournaledSetup, JournalRecord } from './journal.js';
import type { LoadedModels } from './models.js';

/** The bodies the router journals and sends (the codec's). */
export type { FixBody };

/** Where the router's messages go once the journal holds them: the sessions (live), or a test's catch. */
export interface Outbox {
  toVenue(venue: string, type: string, body: FixBody): void;
  toOms(oms: string, type: string, body: FixBody): void;
}

/** The router's setup: the journaled part (JSON), the live clock, and the models (journaled by their registry ids). */
export interface RouterSetup extends Omit<JournaledSetup, 'clock' | 'models'> {
  clock: LiveClock;
  models?: LoadedModels;
}

/**
 * What the router's gateways (its OMS side and its venue side) share of its core: the setup, the engine, the time
 * of the input being applied, and the one way out, `emit`: an output journaled before it is sent, or, in a replay,
 * compared with the journal's.
 */
export interface RouterCore {
  readonly setup: RouterSetup;
  readonly engine: RouterEngine;
  /** Outputs made so far (the router's own ids for what it makes up are numbered by them). */
  readonly outputs: number;
  now(): number;
  emit(r: JournalRecord): void;
}

/** A side of the router: it reads the time, the setup and the engine of its core, and writes through its `emit`. */
export abstract class Gateway {
  constructor(protected readonly core: RouterCore) {}

  /** The time of the input being applied. */
  protected get t(): number {
    return this.core.now();
  }

  protected get setup(): RouterSetup {
    return this.core.setup;
  }

  protected get engine(): RouterEngine {
    return this.core.engine;
  }

  protected emit(r: JournalRecord): void {
    this.core.emit(r);
  }
}

/** A child's ClOrdID at its venue: C<n>, n the order manager's id (a cancel or replace adds .<k>). */
export const childClOrdId = (id: number): string => `C${id}`;

/** The order manager's id of a child from any of its ClOrdIDs (C<n>, C<n>.<k>); NaN if it is not one. */
export function childIdOf(clOrdId: string | undefined): number {
  const x = clOrdId === undefined ? null : /^C(\d+)/.exec(clOrdId);
  return x ? Number(x[1]) : NaN;
}
