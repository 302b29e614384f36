import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IoError } from '../../core/errors.js';
import { FixAcceptor } from '../acceptor.js';
import { dictionaryFor, loadDictionary } from '../dictionary.js';
import type { SessionSettings } from '../session.js';
import { runScript, type RunOptions, type ScriptResult } from './runner.js';
import { loadScript, waitsOnTimers } from './script.js';

export interface SuiteOptions extends RunOptions {
  beginString: string;
  /** The acceptor's CompID (the scripts' TargetCompID, 56) and the client's (49). */
  senderCompID: string;
  targetCompID: string;
  /** The acceptor's ResendRequestChunkSize (0: a whole gap at once). */
  resendChunkSize?: number;
  /** The dictionary the acceptor checks messages against: a FIX version (FIX44), a QuickFIX XML file, or 'none'; by default the BeginString's. */
  dictionary?: string;
  /** Other session settings of the acceptor (NextExpectedMsgSeqNum, LastMsgSeqNumProcessed, timestamp digits…). */
  session?: Partial<
    Pick<SessionSettings, 'nextExpectedMsgSeqNum' | 'lastMsgSeqNumProcessed' | 'timestampDigits' | 'validateUserDefinedFields' | 'maxLatencyMs'>
  >;
  /** Run only the scripts that wait on the acceptor's timers (true), only the others (false), or all (undefined). */
  slow?: boolean;
}

/** The `.def` files named: files as they are, folders by their `.def` files in name order. */
export function scriptFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new IoError(`${p}: no such file or folder`);
    if (st.isDirectory())
      out.push(
        ...readdirSync(p)
          .filter((f) => f.endsWith('.def'))
          .sort()
          .map((f) => join(p, f)),
      );
    else out.push(p);
  }
  return out;
}

/** Each script against a fresh acceptor of the project (on a free loopback port), as the suite's README describes. */
export async function runSuite(paths: readonly string[], o: SuiteOptions): Promise<{ results: ScriptResult[]; skipped: string[] }> {
  const results: ScriptResult[] = [];
  const skipped: string[] = [];
  const name = o.dictionary ?? dictionaryFor(o.beginString);
  const dictionary = name === 'none' ? undefined : await loadDictionary(name);
  for (const file of scriptFiles(paths)) {
    const steps = loadScript(file);
    if (o.slow !== undefined && waitsOnTimers(steps) !== o.slow) {
      skipped.push(file);
      continue;
    }
    const acceptor = new FixAcceptor({
      beginString: o.beginString,
      senderCompID: o.senderCompID,
      targetCompID: o.targetCompID,
      ...(o.resendChunkSize ? { resendChunkSize: o.resendChunkSize } : {}),
      ...(dictionary ? { dictionary } : {}),
      ...o.session,
    });
    const port = await acceptor.listen(0);
    try {
      results.push(await runScript(file, steps, { host: '127.0.0.1', port }, o));
    } finally {
      await acceptor.close();
    }
  }
  return { results, skipped };
}
