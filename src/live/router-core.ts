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
