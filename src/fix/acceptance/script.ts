import { readFileSync } from 'node:fs';
import { DataError, fsDo } from '../../core/errors.js';
import { MSG, TAG } from '../tags.js';
import { completeMessage, fieldMap, fixTime } from '../wire.js';

/**
 * The acceptance-script format of QuickFIX/J's FIX session tests (`.def` files; see
 * ../shared/data/fix-acceptance/README.md): one step a line, a test client's side of one conversation with the
 * acceptor under test. Written for the format, not for particular files: any connection number, any CompIDs, any
 * message.
 */
export type Step =
  | { kind: 'connect'; conn: number; line: number }
  | { kind: 'expect-disconnect'; conn: number; line: number }
  | { kind: 'set-session'; session: string; key: string; value: number; line: number }
  | { kind: 'send'; conn: number; text: string; line: number }
  | { kind: 'expect'; conn: number; text: string; line: number };

/** `2,` before a step names connection 2; without it, connection 1. */
function connOf(rest: string): { conn: number; body: string } {
  const m = /^(\d+),/.exec(rest);
  return m ? { conn: Number(m[1]), body: rest.slice(m[0].length) } : { conn: 1, body: rest };
}

/** Parses a script's text (ISO-8859-1, SOH written literally). Unknown lines are ignored, as the format says. */
export function parseScript(text: string, file: string): Step[] {
  const steps: Step[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (s === '' || s.startsWith('#')) return;
    const tag = s[0]!;
    const { conn, body } = connOf(s.slice(1));
    if (tag === 'i' && body.trim() === 'CONNECT') steps.push({ kind: 'connect', conn, line });
    else if (tag === 'e' && body.trim() === 'DISCONNECT') steps.push({ kind: 'expect-disconnect', conn, line });
    else if (tag === 'i' && body.startsWith('SET_SESSION')) {
      const m = /^SET_SESSION\s+(\S+)\s+([A-Z]+)=(\d+)\s*$/.exec(body);
      if (!m) throw new DataError(`${file}:${line}: SET_SESSION must read "SET_SESSION <session> <KEY>=<n>"`);
      steps.push({ kind: 'set-session', session: m[1]!, key: m[2]!, value: Number(m[3]), line });
    } else if (tag === 'I') steps.push({ kind: 'send', conn, text: body, line });
    else if (tag === 'E') {
      if (!body.startsWith('8=')) throw new DataError(`${file}:${line}: an expected message must start with 8=`);
      steps.push({ kind: 'expect', conn, text: body, line });
    }
  });
  return steps;
}

export function loadScript(file: string): Step[] {
  return parseScript(
    fsDo(file, 'read the acceptance script', () => readFileSync(file, 'latin1')),
    file,
  );
}

/** One `<TIME±N>` step, as QuickFIX/J's runner takes it. */
export const TIME_STEP_MS = 1100;

/** A send step's bytes at time `nowMs`: times filled in, then BodyLength and CheckSum where the line leaves them out. */
export function messageToSend(text: string, nowMs: number): string {
  const timed = text.replace(/<TIME([+-]\d+)?>/g, (_, shift: string | undefined) => fixTime(nowMs + (shift ? Number(shift) : 0) * TIME_STEP_MS));
  return completeMessage(timed);
}

/** Fields the comparison skips (lengths, checksums, times), and the placeholder that matches any time. */
const SKIPPED = new Set<string>([TAG.BodyLength, TAG.CheckSum, TAG.SendingTime, TAG.TransactTime, TAG.OrigSendingTime]);
const ANY_TIME = '00000000-00:00:00.000';

/**
 * Compares a received message with an expected one as QuickFIX/J's runner does: the same MsgType; every expected
 * tag present; every received field but 9, 10, 52, 60 and 122 equal to the expected value (Text, 58, need only start
 * with it). Returns null when they match, else the first difference.
 */
export function difference(expected: string, actual: string): string | null {
  const e = fieldMap(expected);
  const a = fieldMap(actual);
  if (e.get(TAG.MsgType) !== a.get(TAG.MsgType)) return `MsgType (35): expected ${e.get(TAG.MsgType)}, received ${a.get(TAG.MsgType) ?? 'none'}`;
  for (const tag of e.keys()) if (!a.has(tag)) return `tag ${tag}: expected ${e.get(tag)}, missing`;
  for (const [tag, v] of a) {
    if (SKIPPED.has(tag)) continue;
    const want = e.get(tag);
    if (want === undefined) return `tag ${tag}: received ${v}, not expected`;
    if (want === ANY_TIME) continue;
    if (tag === TAG.Text ? !v.startsWith(want) : v !== want) return `tag ${tag}: expected ${want}, received ${v}`;
  }
  return null;
}

/**
 * Whether a script waits on the acceptor's own timers: it expects a TestRequest, or a Heartbeat that answers no
 * TestRequest it sent (a heartbeat on an idle session). Such scripts take HeartBtInt seconds or more: the slow suite.
 */
export function waitsOnTimers(steps: readonly Step[]): boolean {
  const asked = new Set<string>();
  for (const st of steps) {
    if (st.kind === 'send') {
      const m = fieldMap(st.text);
      if (m.get(TAG.MsgType) === MSG.TestRequest) asked.add(m.get(TAG.TestReqID) ?? '');
    } else if (st.kind === 'expect') {
      const m = fieldMap(st.text);
      if (m.get(TAG.MsgType) === MSG.TestRequest) return true;
      if (m.get(TAG.MsgType) === MSG.Heartbeat && !asked.has(m.get(TAG.TestReqID) ?? '')) return true;
    }
  }
  return false;
}
