import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, fsDo, ioError } from '../core/errors.js';
import { makeFolder } from '../core/files.js';
import { MSG } from './tags.js';

/** A message the session sent: enough to resend it (application messages) or to gap-fill over it (administrative). */
export interface SentRecord {
  type: string;
  body: [string, string][];
  time: string;
  /** Header fields beyond the session's own (routing tags). */
  header?: [string, string][];
}

/**
 * Where a session keeps its sequence numbers and what it sent, so that a restart resumes both sequences and still
 * answers a ResendRequest for messages sent before it.
 */
export interface SessionStore {
  /** The sequences and the most recent messages sent (at most `keep`; older ones by `fetch`, where the store has them). */
  load(keep?: number): { nextSender: number; nextTarget: number; sent: Map<number, SentRecord> };
  /** Messages sent from `begin` to `end`, read back from where the store keeps them (a journal file). */
  fetch?(begin: number, end: number): Map<number, SentRecord>;
  sent(seq: number, rec: SentRecord): void;
  target(next: number): void;
  reset(): void;
  close(): void;
}

/** The session layer's own message types (Heartbeat … Logon): gap-filled over, never resent, bodies not kept. */
export const SESSION_TYPES: ReadonlySet<string> = new Set([
  MSG.Heartbeat,
  MSG.TestRequest,
  MSG.ResendRequest,
  MSG.Reject,
  MSG.SequenceReset,
  MSG.Logout,
  MSG.Logon,
]);

/** Nothing kept past the process: the acceptance suite's acceptor (which resets on every disconnect anyway). */
export class MemoryStore implements SessionStore {
  load() {
    return { nextSender: 1, nextTarget: 1, sent: new Map<number, SentRecord>() };
  }
  sent(): void {}
  target(): void {}
  reset(): void {}
  close(): void {}
}

/**
 * An append-only journal per session (`<dir>/<session>.fixlog`): one line per message sent (`S <seq> <json>`), per
 * change of the next expected inbound number (`T <n>`), and per reset (`R`). Each line is written to the operating
 * system before the session goes on; with `sync: 'every'` it is also flushed to the disk (fsync) before the turn's
 * messages leave (see append). Loading replays
 * the lines; a last line cut short by a crash is ignored.
 */
export class FileStore implements SessionStore {
  private readonly fd: number;
  readonly file: string;
  private syncQueued = false;
  private closed = false;

  constructor(
    dir: string,
    session: string,
    private readonly sync: 'every' | 'os' = 'every',
  ) {
    makeFolder(dir, 'the FIX session store');
    this.file = join(dir, `${session.replace(/[^A-Za-z0-9_.-]/g, '_')}.fixlog`);
    try {
      this.fd = openSync(this.file, 'a+');
      // a line a crash cut short is cut off, so that the next line starts clean
      const text = readFileSync(this.file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) ftruncateSync(this.fd, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    } catch (e) {
      throw ioError(this.file, 'open the FIX session store', e);
    }
  }

  load(keep = Infinity) {
    const { nextSender, nextTarget, sent } = this.parse(keep, 1, Infinity);
    return { nextSender, nextTarget, sent };
  }

  fetch(begin: number, end: number): Map<number, SentRecord> {
    return this.parse(Infinity, begin, end).sent;
  }

  /**
   * Replays the journal: the sequences, the sent messages numbered begin…end (the last `keep` of them), and how many
   * application messages were ever stored, resets included.
   */
  private parse(keep: number, begin: number, end: number) {
    let nextSender = 1;
    let nextTarget = 1;
    let applicationSent = 0;
    const sent = new Map<number, SentRecord>();
    const text = fsDo(this.file, 'read the FIX session store', () => readFileSync(this.file, 'utf8'));
    const lines = text.split('\n');
    // the last element is '' after a complete last line; anything else there is a line a crash cut short
    lines.slice(0, -1).forEach((line, i) => {
      const bad = () => new DataError(`${this.file}:${i + 1}: not a line of a FIX session store`);
      if (line === 'R') {
        nextSender = 1;
        nextTarget = 1;
        sent.clear();
      } else if (line.startsWith('T ')) {
        nextTarget = Number(line.slice(2));
        if (!Number.isInteger(nextTarget)) throw bad();
      } else if (line.startsWith('S ')) {
        const sp = line.indexOf(' ', 2);
        const seq = Number(line.slice(2, sp));
        let rec: SentRecord;
        try {
          rec = JSON.parse(line.slice(sp + 1)) as SentRecord;
        } catch {
          throw bad();
        }
        if (!Number.isInteger(seq)) throw bad();
        if (!SESSION_TYPES.has(rec.type)) applicationSent++;
        if (seq >= begin && seq <= end) {
          sent.set(seq, rec);
          if (sent.size > keep) sent.delete(sent.keys().next().value!);
        }
        nextSender = Math.max(nextSender, seq + 1);
      } else throw bad();
    });
    return { nextSender, nextTarget, sent, applicationSent };
  }

  /**
   * Each line is written to the OS at once. In the `every` mode the disk sync comes at the end of the turn, once for
   * all the lines of that turn: it is queued before the socket's corked writes of the same turn are released (the
   * session stores a message before it writes it, and the writer uncorks on the next tick), so no message leaves
   * before its line is on the disk.
   */
  private append(line: string): void {
    fsDo(this.file, 'append to the FIX session store', () => writeSync(this.fd, line + '\n'));
    if (this.sync === 'every' && !this.syncQueued) {
      this.syncQueued = true;
      process.nextTick(() => this.syncNow());
    }
  }

  private syncNow(): void {
    if (!this.syncQueued || this.closed) return;
    this.syncQueued = false;
    fsDo(this.file, 'sync the FIX session store', () => fsyncSync(this.fd));
  }

  sent(seq: number, rec: SentRecord): void {
    this.append(`S ${seq} ${JSON.stringify(rec)}`);
  }

  /**
   * How many application messages (not the session's own) were ever handed to the session, resets included: what
   * a router compares with its journal after a crash, to send what it journaled and never handed over.
   */
  applicationSent(): number {
    return this.parse(0, 1, 0).applicationSent;
  }

  target(next: number): void {
    this.append(`T ${next}`);
  }

  reset(): void {
    this.append('R');
  }

  close(): void {
    this.syncNow();
    this.closed = true;
    closeSync(this.fd);
  }
}
