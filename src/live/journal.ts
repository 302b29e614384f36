import type { VenueKind } from '../core/types.js';
import type { RiskLimits } from '../risk/limits.js';
import type { VolumeProfile } from '../router/schedulers.js';
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataError, fsDo, ioError } from '../core/errors.js';
import { makeFolder } from '../core/files.js';

export type JournalRecord =
  // inputs: messages as they came (header left out), market data, timer firings, venues lost and back, a restart
  | { k: 'oms'; t: number; oms: string; type: string; body: [string, string][] }
  | { k: 'venue'; t: number; venue: string; type: string; body: [string, string][] }
  | { k: 'md'; t: number; venue: string; type: string; body: [string, string][] }
  | { k: 'timer'; t: number }
  | { k: 'down'; t: number; venue: string }
  | { k: 'up'; t: number; venue: string }
  | { k: 'recover'; t: number }
  /**
   * The router (re)started with this setup: what an offline replay builds its router from. `v`: the journal's format
   * (JOURNAL_VERSION); a start record without it was written before the field, in the first version.
   */
  | { k: 'start'; t: number; v?: number; setup: JournaledSetup }
  /**
   * A person's control action through the control API (who: the name of the token used), or a call it refused
   * (`refused`: why, e.g. no or a wrong token; who then is null and nothing is done): the audit trail of human control.
   */
  | ControlRecord
  // outputs: messages to send, and the decisions (the compliance record)
  | { k: 'to-venue'; t: number; venue: string; type: string; body: [string, string][] }
  | { k: 'to-oms'; t: number; oms: string; type: string; body: [string, string][] }
  | { k: 'decision'; t: number; parentId: string; round: number; target: number; filled: number; children: number }
  /** The guardrails refused a child or a parent (its reason code and text), or moved a trading state. */
  | { k: 'denial'; t: number; code: string; detail: string; parentId: string; venue?: string }
  | { k: 'state'; t: number; scope: string; from: string; to: string; reason: string; who: string }
  /** A model-driven decision was anomalous (the rule router made it); `sticky`: the parent stays there until reset. */
  | { k: 'anomaly'; t: number; parentId: string; reason: string; recent: number; sticky: boolean; decision: number; overrunUs?: number }
  /** A person put a parent back on its model. */
  | { k: 'model-reset'; t: number; parentId: string; who: string }
  /** A control action's outcome: the parents it cancelled, the state it set. */
  | { k: 'control-done'; t: number; action: string; who: string; parents: string[] };

export type ControlAction = 'halt' | 'reduce' | 'resume' | 'cancel-all' | 'reset-model';
export const CONTROL_ACTIONS: readonly ControlAction[] = ['halt', 'reduce', 'resume', 'cancel-all', 'reset-model'];

export interface ControlRecord {
  k: 'control';
  t: number;
  who: string | null;
  /** What was asked (for a refused call, what its path named, if anything). */
  action: string;
  /** A symbol, or '*' for all. */
  scope: string;
  /** reset-model: the parent (the router's id, P<n>, or the OMS's ClOrdID). */
  parent?: string;
  reason: string;
  /** Where the call came from (the peer's address). */
  from: string;
  refused?: string;
}

/** The parts of a router's setup a replay needs, as JSON (the clock by its spec). */
export interface JournaledSetup {
  symbol: string;
  tick: number;
  venues: { name: string; kind: VenueKind; takeFee: number; makeFee: number }[];
  clock: { originMs: number; originNs: number; speed: number };
  /** TargetStrategy (847) values → policy names; without 847, `defaultPolicy`. */
  strategies: Record<string, string>;
  defaultPolicy: string;
  decisionSeconds: number;
  /** A parent without ExpireTime (126) works for this long. */
  defaultHorizonMinutes: number;
  adv: number;
  volBps?: number;
  /** The intraday volume profile VWAP follows, where the router had one (from its calibration scenario). */
  profile?: VolumeProfile;
  /** The trained models' registry ids by kind, where the router had them: a replay loads the same ones. */
  models: Record<string, string> | false;
  /** The guardrails' limits it ran under (absent in journals from before them: the defaults). */
  risk?: RiskLimits;
}

export type SyncMode = 'every' | 'group' | 'os';

/** The journal format this router writes and reads; a journal of another version is refused, not guessed at. */
export const JOURNAL_VERSION = 1;

const INPUTS = new Set(['oms', 'venue', 'md', 'timer', 'down', 'up', 'recover', 'start', 'control']);
export const isInput = (r: JournalRecord): boolean => INPUTS.has(r.k);

/**
 * The router's write-ahead journal: one JSON line per record, numbered. Inputs (a parent order, a cancel, a timer,
 * a venue's report, a market-data message, a venue going down) are appended before the engine acts on them; outputs
 * (a child order to a venue, a report to the OMS, a decision) before they are sent. Each line is written to the
 * operating system at once (a killed process loses nothing); when it also reaches the disk is the `sync` setting:
 * every record (fsync each), `group` (one fsync every `groupMs` for what came since), or `os` (left to the system).
 * Reading it back cuts a last line a crash left short and names a damaged one by its line.
 */
export class Journal {
  private fd: number;
  private count = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly file: string,
    private readonly sync: SyncMode = 'every',
    groupMs = 2,
  ) {
    makeFolder(dirname(file), 'the journal’s folder');
    try {
      this.fd = openSync(file, 'a+');
      const text = readFileSync(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) ftruncateSync(this.fd, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
      this.count = text.length === 0 ? 0 : text.slice(0, text.lastIndexOf('\n') + 1).split('\n').length - 1;
    } catch (e) {
      throw ioError(file, 'open the journal', e);
    }
    if (sync === 'group') {
      this.timer = setInterval(() => this.flush(), groupMs);
      this.timer.unref();
    }
  }

  /** Records appended so far (in this file, before this process too). */
  get length(): number {
    return this.count;
  }

  /** Appends a record, written to the operating system (a crash of the process cannot lose it); `commit` syncs it. */
  append(r: JournalRecord): void {
    const line = JSON.stringify(r) + '\n';
    fsDo(this.file, 'append to the journal', () => writeSync(this.fd, line));
    this.dirty = true;
    this.count++;
  }

  /**
   * In the `every` mode, syncs to the disk what was appended since the last sync: the router calls it before an
   * output goes out and before a session's input is acknowledged, so one sync covers an input and all it caused. In
   * the other modes it does nothing (the group timer syncs, or the OS does).
   */
  commit(): void {
    if (this.sync === 'every') this.flush();
  }

  /** Syncs what was written since the last sync (the group mode's timer calls it). */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    fsDo(this.file, 'sync the journal', () => fsyncSync(this.fd));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
    closeSync(this.fd);
  }
}

/** A journal's records in order; a last line a crash cut short is left out, any other bad line is an error naming it. */
export function readJournal(file: string): JournalRecord[] {
  if (!existsSync(file)) return [];
  const text = fsDo(file, 'read the journal', () => readFileSync(file, 'utf8'));
  const lines = text.split('\n');
  const out: JournalRecord[] = [];
  // the last element is '' after a complete last line; anything else there is a line cut short
  lines.slice(0, -1).forEach((line, i) => {
    let r: JournalRecord;
    try {
      r = JSON.parse(line) as JournalRecord;
    } catch {
      throw new DataError(`${file}:${i + 1}: not a journal record (not JSON)`);
    }
    if (typeof r !== 'object' || r === null || typeof r.k !== 'string' || typeof r.t !== 'number')
      throw new DataError(`${file}:${i + 1}: not a journal record`);
    if (r.k === 'start' && (r.v ?? 1) !== JOURNAL_VERSION)
      throw new DataError(
        `${file}:${i + 1}: a journal of version ${JSON.stringify(r.v)}; this router reads version ${JOURNAL_VERSION} (journals written before the version field are version 1)`,
      );
    out.push(r);
  });
  return out;
}
