import { validateMessage, type FixDictionary } from './dictionary.js';
import { MemoryStore, SESSION_TYPES, type SentRecord, type SessionStore } from './store.js';
import { ENCRYPT_METHOD, MSG, TAG, YES } from './tags.js';
import { encodeMessage, fieldsOf, fixTime, parseFixTime, wellFormed } from './wire.js';

export interface SessionSettings {
  beginString: string;
  senderCompID: string;
  targetCompID: string;
  /** SendingTime (52) may differ from the clock by at most this (QuickFIX/J's MaxLatency: 120 s). */
  maxLatencyMs?: number;
  /** ResendRequestChunkSize: ask for at most this many messages at a time (0: the whole gap, EndSeqNo 0). */
  resendChunkSize?: number;
  /** Whether the sequences start again at 1 when the connection goes (the acceptance suite's acceptor: yes). */
  resetOnDisconnect?: boolean;
  /** How long to wait for the other side's Logout after sending ours. */
  logoutTimeoutMs?: number;
  /** Which side: the acceptor answers a Logon; the initiator sends one (`logon()`) and waits for the answer. */
  role?: 'acceptor' | 'initiator';
  /** The initiator's HeartBtInt (108), seconds; the acceptor takes the other side's. */
  heartBtIntSeconds?: number;
  /** ResetSeqNumFlag (141=Y) on the initiator's Logon: both sequences start again at 1. */
  resetOnLogon?: boolean;
  /**
   * NextExpectedMsgSeqNum (789) on the Logon in both directions: each side says what it expects next, and the other
   * resends from there at once, instead of a ResendRequest.
   */
  nextExpectedMsgSeqNum?: boolean;
  /** LastMsgSeqNumProcessed (369) in the header of every message sent: the last inbound number acted on. */
  lastMsgSeqNumProcessed?: boolean;
  /** Digits of the second in the times sent (SendingTime, OrigSendingTime): 3 (ms, the default), 6 (µs) or 9 (ns). */
  timestampDigits?: 3 | 6 | 9;
  /** The initiator's Username (553) and Password (554) on its Logon. */
  credentials?: { username: string; password: string };
  /**
   * The acceptor's check of a Logon's Username and Password: null to accept it, else the reason, which is sent in a
   * Logout before the connection is closed; the session's sequence numbers are not touched.
   */
  authenticate?: (logon: { compId: string; username?: string; password?: string }) => string | null;
  /** Told when the session logs on, when the other side logs out (with its Text), and when the connection goes. */
  onState?: (event: 'logon' | 'logout' | 'disconnect', text?: string) => void;
  /** Sees every message received (before anything is done with it) and every message written. */
  trace?: (direction: 'in' | 'out', raw: string) => void;
  /** Received messages are checked against this dictionary (fields, types, values, groups, required tags). */
  dictionary?: FixDictionary;
  /** Tags of 5000 and above that the dictionary lacks are refused (default) or let through. */
  validateUserDefinedFields?: boolean;
  now?: () => number;
}

export interface SessionIo {
  write(text: string): void;
  disconnect(): void;
}

/** A received message, parsed. */
export interface Received {
  raw: string;
  fields: [string, string][];
  map: Map<string, string>;
  type: string;
  seq: number;
  /** When its bytes were read from the connection (monotonic µs), where the transport says. */
  at?: number;
}

/** The application on top: its messages, and its replies through `session.send`. */
export type OnApplication = (msg: Received, session: FixSession) => void;

/** FIX 4.4's message types (the values of MsgType, 35, in its specification): anything else is an invalid MsgType. */
const FIX44_TYPES = new Set(
  (
    '0 1 2 3 4 5 6 7 8 9 A B C D E F G H J K L M N P Q R S T U V W X Y Z a b c d e f g h i j k l m n o p q r s t u v w x y z ' +
    'AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AP AQ AR AS AT AU AV AW AX AY AZ BA BB BC BD BE BF BG BH'
  ).split(' '),
);
/** Messages sent kept in memory for resends; older ones are read back from the store (or gap-filled without one). */
export const RESEND_MEMORY = 10_000;
/** Messages held past a gap at most; beyond it the session is logged out. */
export const MAX_HELD = 10_000;

/** SessionRejectReason (373) values used here. */
const REJECT = { requiredTagMissing: 1, tagWithoutValue: 4, valueIncorrect: 5, compId: 9, sendingTime: 10, invalidMsgType: 11, outOfOrder: 14 } as const;

/** FIX 4.4's standard header and trailer: header fields may not follow the body, and these header fields are required. */
const HEADER_TAGS = new Set('8 9 35 49 56 115 128 90 91 34 50 142 57 143 116 144 129 145 43 97 52 122 212 213 347 369 627 628 629 630'.split(' '));
const TRAILER_TAGS = new Set<string>([TAG.SignatureLength, TAG.Signature, TAG.CheckSum]);
const REQUIRED_HEADER = [TAG.SenderCompID, TAG.TargetCompID, TAG.MsgSeqNum, TAG.SendingTime];

/** Routing tags and their counterparts: a reply goes back along the route its message came by. */
const ROUTE: [string, string][] = [
  [TAG.OnBehalfOfCompID, TAG.DeliverToCompID],
  [TAG.DeliverToCompID, TAG.OnBehalfOfCompID],
  [TAG.OnBehalfOfSubID, TAG.DeliverToSubID],
  [TAG.DeliverToSubID, TAG.OnBehalfOfSubID],
  [TAG.OnBehalfOfLocationID, TAG.DeliverToLocationID],
  [TAG.DeliverToLocationID, TAG.OnBehalfOfLocationID],
];

/** The header fields of a reply to a message: OnBehalfOf… becomes DeliverTo… and the reverse (empty ones left out). */
export function reverseRoute(map: ReadonlyMap<string, string>): [string, string][] {
  const out: [string, string][] = [];
  for (const [from, to] of ROUTE) {
    const v = map.get(from);
    if (v) out.push([to, v]);
  }
  return out;
}

/** What a message's structure breaks, before any dictionary: an empty value, a header field after the body, a required header field missing. */
function structuralProblem(msg: Received): { reason: number; text: string; tag: string } | null {
  for (const [t, v] of msg.fields) if (v === '' && t !== '') return { reason: REJECT.tagWithoutValue, text: 'Tag specified without a value', tag: t };
  let body = false;
  for (const [t] of msg.fields) {
    if (TRAILER_TAGS.has(t)) break;
    if (HEADER_TAGS.has(t)) {
      if (body) return { reason: REJECT.outOfOrder, text: 'Tag specified out of required order', tag: t };
    } else body = true;
  }
  for (const t of REQUIRED_HEADER) if (!msg.map.has(t)) return { reason: REJECT.requiredTagMissing, text: 'Required tag missing', tag: t };
  return null;
}

/**
 * A FIX 4.x session, either side (the acceptor's and the initiator's: the role is only who sends the first Logon):
 * logon, sequence numbers in both directions, gap detection with
 * ResendRequest and the messages after a gap held until it is filled, resends of its own messages (application
 * messages again with PossDupFlag, administrative ones as a SequenceReset-GapFill), PossDup and OrigSendingTime
 * checks, SendingTime accuracy, CompID and BeginString checks, TestRequest and Heartbeat, Logout, and session-level
 * Rejects with their reason codes. It follows QuickFIX/J's session rules (what verify() checks for each message type)
 * so that its acceptance scripts pass. Transport-free: bytes come in through `receive`, go out through `io`.
 *
 * Sequence numbers and sent messages live in a SessionStore (a journal file, or memory). With a dictionary, every
 * message after the Logon is checked against it (dictionary.ts) and a message that breaks it is rejected.
 */
export class FixSession {
  loggedOn = false;
  nextSenderSeq: number;
  private nextTarget: number;
  heartBtIntSeconds = 30;
  /** What was sent, by sequence number: the type, the body fields and the SendingTime (for resends). */
  private readonly sent: Map<number, SentRecord>;
  /** Messages that arrived ahead of a gap, held until it is filled. */
  private readonly held = new Map<number, Received>();
  /** The gap asked for (a ResendRequest is sent once per gap). */
  private resendAskedUpTo = 0;
  /** The EndSeqNo of the chunk asked for (0: to infinity). */
  private resendEnd = 0;
  /** The message whose number showed the gap asked for (QuickFIX/J's resend range): once past it, a later gap is new. */
  private resendRangeEnd = 0;
  private logoutSent = false;
  private logoutTimer: NodeJS.Timeout | null = null;
  private io: SessionIo | null = null;
  private lastSentMs = 0;
  private lastReceivedMs = 0;
  private testRequestSent = false;
  private logonSent = false;
  /** The number of the message the application is acting on (its replies' LastMsgSeqNumProcessed). */
  private processing = 0;
  /** Why the last Logon was refused or the session ended, as the other side's Logout said. */
  lastLogoutText: string | undefined;

  constructor(
    readonly settings: SessionSettings,
    private readonly onApplication: OnApplication,
    private readonly store: SessionStore = new MemoryStore(),
  ) {
    const s = store.load(RESEND_MEMORY);
    this.nextSenderSeq = s.nextSender;
    this.nextTarget = s.nextTarget;
    this.sent = s.sent;
  }

  /** The next MsgSeqNum expected from the other side; every change is kept in the store. */
  get nextTargetSeq(): number {
    return this.nextTarget;
  }
  set nextTargetSeq(n: number) {
    this.nextTarget = n;
    this.store.target(n);
  }

  private now(): number {
    return this.settings.now ? this.settings.now() : performance.timeOrigin + performance.now();
  }

  private time(): string {
    return fixTime(this.now(), this.settings.timestampDigits ?? 3);
  }

  /** A connection takes the session (it has logged on, or is about to). */
  attach(io: SessionIo): void {
    this.io = io;
  }

  /** The connection went away: the session's state is reset (the acceptance suite's acceptor resets on disconnect). */
  detach(): void {
    const was = this.io !== null;
    this.io = null;
    this.loggedOn = false;
    this.logoutSent = false;
    this.logonSent = false;
    if (this.logoutTimer) clearTimeout(this.logoutTimer);
    this.logoutTimer = null;
    if (this.settings.resetOnDisconnect ?? true) this.reset();
    if (was) this.settings.onState?.('disconnect');
  }

  reset(): void {
    this.store.reset();
    this.nextSenderSeq = 1;
    this.nextTarget = 1;
    this.sent.clear();
    this.held.clear();
    this.resendAskedUpTo = 0;
    this.resendEnd = 0;
    this.resendRangeEnd = 0;
  }

  /**
   * Sends a message of `type` with these body fields: the header is the session's (with `header`'s fields added, such
   * as routing tags), the sequence number the next.
   */
  send(type: string, body: [string, string][], header?: [string, string][]): void {
    const seq = this.nextSenderSeq++;
    const time = this.time();
    // an administrative message is gap-filled over, never resent: its body is not kept (a Logon's password with it)
    const kept = SESSION_TYPES.has(type) ? [] : body;
    const rec: SentRecord = header?.length ? { type, body: kept, time, header } : { type, body: kept, time };
    // kept before it is written to the wire: a restart can resend it
    this.store.sent(seq, rec);
    this.sent.set(seq, rec);
    if (this.sent.size > RESEND_MEMORY) this.sent.delete(this.sent.keys().next().value!);
    this.write(type, seq, time, body, header);
  }

  private write(type: string, seq: number, time: string, body: [string, string][], extraHeader: [string, string][] = []): void {
    const s = this.settings;
    const header: [string, string][] = [
      [TAG.MsgType, type],
      [TAG.MsgSeqNum, String(seq)],
      ...extraHeader,
      [TAG.SenderCompID, s.senderCompID],
      [TAG.SendingTime, time],
      [TAG.TargetCompID, s.targetCompID],
    ];
    if (s.lastMsgSeqNumProcessed) header.push([TAG.LastMsgSeqNumProcessed, String(this.processing || this.nextTarget - 1)]);
    const text = encodeMessage(s.beginString, [...header, ...body]);
    s.trace?.('out', text);
    this.io?.write(text);
    this.lastSentMs = this.now();
  }

  private disconnect(): void {
    this.io?.disconnect();
  }

  /** Sends a Logout and waits for the other side's (or the timeout) before disconnecting. */
  private logout(text?: string, thenDisconnect = false): void {
    this.send(MSG.Logout, text ? [[TAG.Text, text]] : []);
    this.logoutSent = true;
    if (thenDisconnect) return this.disconnect();
    this.logoutTimer = setTimeout(() => this.disconnect(), this.settings.logoutTimeoutMs ?? 2000);
  }

  /** The initiator's Logon, once connected. */
  logon(): void {
    const s = this.settings;
    if (s.resetOnLogon) this.reset();
    const body: [string, string][] = [
      [TAG.EncryptMethod, ENCRYPT_METHOD.None],
      [TAG.HeartBtInt, String(s.heartBtIntSeconds ?? 30)],
    ];
    if (s.resetOnLogon) body.push([TAG.ResetSeqNumFlag, YES]);
    if (s.nextExpectedMsgSeqNum) body.push([TAG.NextExpectedMsgSeqNum, String(this.nextTargetSeq)]);
    if (s.credentials) body.push([TAG.Username, s.credentials.username], [TAG.Password, s.credentials.password]);
    this.heartBtIntSeconds = s.heartBtIntSeconds ?? 30;
    this.logonSent = true;
    this.send(MSG.Logon, body);
  }

  /** Ends the session from this side: a Logout, then the other side's Logout (or the timeout) before disconnecting. */
  logoutNow(text?: string): void {
    if (this.loggedOn && !this.logoutSent) this.logout(text);
  }

  /** Refuses a Logon: a Logout with the reason, outside the session's sequence (nothing stored), then the disconnect. */
  private refuse(text: string): void {
    this.write(MSG.Logout, this.nextSenderSeq, this.time(), [[TAG.Text, text]]);
    this.disconnect();
  }

  private reject(ref: Received, reason: number, text: string, tag?: string): void {
    const body: [string, string][] = [
      [TAG.RefSeqNum, String(ref.seq)],
      [TAG.Text, text],
    ];
    if (tag !== undefined) body.push([TAG.RefTagID, tag]);
    body.push([TAG.RefMsgType, ref.type], [TAG.SessionRejectReason, String(reason)]);
    this.send(MSG.Reject, body, reverseRoute(ref.map));
  }

  /** One framed message from the other side. */
  receive(raw: string, at?: number): void {
    this.settings.trace?.('in', raw);
    if (!wellFormed(raw)) {
      // garbled: ignored (QuickFIX/J); before a logon there is nothing to keep the connection for
      if (!this.loggedOn) this.disconnect();
      return;
    }
    const fields = fieldsOf(raw);
    // the first three fields must be BeginString, BodyLength and MsgType
    if (fields[2]?.[0] !== TAG.MsgType) {
      if (!this.loggedOn) this.disconnect();
      return;
    }
    // a tag repeated (a message the checks reject) counts by its first place: the header's, not a body's copy
    const map = new Map<string, string>();
    for (const [t, v] of fields) if (!map.has(t)) map.set(t, v);
    this.lastReceivedMs = this.now();
    this.testRequestSent = false;
    const seq = Number(map.get(TAG.MsgSeqNum));
    const msg: Received = { raw, fields, map, type: map.get(TAG.MsgType)!, seq: Number.isInteger(seq) ? seq : NaN, ...(at === undefined ? {} : { at }) };
    const s = this.settings;
    if (map.get(TAG.BeginString) !== s.beginString) {
      if (this.loggedOn) this.logout('Incorrect BeginString');
      else this.disconnect();
      return;
    }
    if (!this.loggedOn) {
      if (this.settings.role === 'initiator') {
        if (msg.type === MSG.Logout) {
          this.lastLogoutText = map.get(TAG.Text);
          this.settings.onState?.('logout', this.lastLogoutText);
          return this.disconnect();
        }
        if (msg.type !== MSG.Logon || !this.logonSent) return this.disconnect();
        return this.onLogonReply(msg);
      }
      if (msg.type !== MSG.Logon) return this.disconnect();
      return this.onLogon(msg);
    }
    if (!Number.isInteger(msg.seq)) return this.logout('Received message without MsgSeqNum', true);
    // a message is checked in its turn: one past a gap when the gap is filled (drain), one already received (a
    // PossDup resend) not at all, so that each is rejected once, in sequence
    const bad = msg.seq === this.nextTargetSeq ? this.problem(msg) : null;
    if (bad) {
      // rejected, and its sequence number used up (as QuickFIX/J does)
      this.reject(msg, bad.reason, bad.text, bad.tag);
      if (msg.seq === this.nextTargetSeq) this.nextTargetSeq++;
      return this.drain();
    }
    if (msg.type === MSG.Logon && msg.map.get(TAG.ResetSeqNumFlag) === YES) {
      // a session reset by the other side: both sequences start again at 1
      this.reset();
      this.loggedOn = false;
      return this.onLogon(msg);
    }
    this.dispatch(msg);
  }

  /** What breaks a message: its structure, or the dictionary. */
  private problem(msg: Received): { reason: number; text: string; tag: string } | null {
    const s = this.settings;
    return (
      structuralProblem(msg) ??
      (s.dictionary ? validateMessage(s.dictionary, msg.fields, { validateUserDefinedFields: s.validateUserDefinedFields ?? true }) : null)
    );
  }

  /**
   * The session's clock, called often (every 250 ms by the acceptor): a Heartbeat after HeartBtInt without sending; a
   * TestRequest after 1.2 × HeartBtInt without receiving; a disconnect when that goes unanswered as long again.
   */
  tick(): void {
    if (!this.loggedOn || this.logoutSent || !(this.heartBtIntSeconds > 0)) return;
    const now = this.now();
    const hb = this.heartBtIntSeconds * 1000;
    if (this.testRequestSent && now - this.lastReceivedMs >= 2.4 * hb) return this.disconnect();
    if (!this.testRequestSent && now - this.lastReceivedMs >= 1.2 * hb) {
      this.testRequestSent = true;
      return this.send(MSG.TestRequest, [[TAG.TestReqID, 'TEST']]);
    }
    if (now - this.lastSentMs >= hb) this.send(MSG.Heartbeat, []);
  }

  private onLogon(msg: Received): void {
    const s = this.settings;
    if (msg.map.get(TAG.SenderCompID) !== s.targetCompID || msg.map.get(TAG.TargetCompID) !== s.senderCompID) {
      // QuickFIX/J drops the connection without a word; a session that authenticates says why
      return s.authenticate ? this.refuse('CompID problem') : this.disconnect();
    }
    if (!this.goodTime(msg)) {
      this.loggedOn = true; // to send the Logout
      return this.logout('Invalid Logon message: SendingTime accuracy problem, field=52', true);
    }
    const hb = Number(msg.map.get(TAG.HeartBtInt));
    if (!(hb >= 0)) {
      this.loggedOn = true;
      return this.logout(Number.isFinite(hb) ? 'HeartBtInt must not be negative' : 'HeartBtInt is not a number', true);
    }
    if (s.authenticate) {
      const why = s.authenticate({ compId: msg.map.get(TAG.SenderCompID)!, username: msg.map.get(TAG.Username), password: msg.map.get(TAG.Password) });
      if (why !== null) return this.refuse(why);
    }
    if (msg.map.get(TAG.ResetSeqNumFlag) === YES) this.reset();
    const their = this.theirNextExpected(msg);
    if (their === null) return;
    this.heartBtIntSeconds = hb;
    this.loggedOn = true;
    const body: [string, string][] = [
      [TAG.EncryptMethod, ENCRYPT_METHOD.None],
      [TAG.HeartBtInt, String(hb)],
    ];
    if (msg.map.get(TAG.ResetSeqNumFlag) === YES) body.push([TAG.ResetSeqNumFlag, YES]);
    if (s.nextExpectedMsgSeqNum) body.push([TAG.NextExpectedMsgSeqNum, String(msg.seq === this.nextTargetSeq ? msg.seq + 1 : this.nextTargetSeq)]);
    const logonSeq = this.nextSenderSeq;
    this.send(MSG.Logon, body);
    s.onState?.('logon');
    if (their !== undefined && their < logonSeq) this.resend(their, logonSeq - 1);
    this.afterLogon(msg);
  }

  /** The acceptor's Logon, answering the initiator's. */
  private onLogonReply(msg: Received): void {
    const s = this.settings;
    if (msg.map.get(TAG.SenderCompID) !== s.targetCompID || msg.map.get(TAG.TargetCompID) !== s.senderCompID) return this.disconnect();
    if (!this.goodTime(msg)) {
      this.loggedOn = true;
      return this.logout('Invalid Logon message: SendingTime accuracy problem, field=52', true);
    }
    if (msg.map.get(TAG.ResetSeqNumFlag) === YES && !s.resetOnLogon) this.reset();
    const their = this.theirNextExpected(msg);
    if (their === null) return;
    this.loggedOn = true;
    s.onState?.('logon');
    // our Logon was nextSenderSeq - 1: what they miss before it is resent now
    const logonSeq = this.nextSenderSeq - 1;
    if (their !== undefined && their < logonSeq) this.resend(their, logonSeq - 1);
    this.afterLogon(msg);
  }

  /**
   * The other side's NextExpectedMsgSeqNum (789) where the session uses it: undefined when absent or unused, null
   * when it is beyond what was ever sent (the session is then logged out).
   */
  private theirNextExpected(msg: Received): number | undefined | null {
    if (!this.settings.nextExpectedMsgSeqNum || !msg.map.has(TAG.NextExpectedMsgSeqNum)) return undefined;
    const n = Number(msg.map.get(TAG.NextExpectedMsgSeqNum));
    // the Logon about to be sent (acceptor) or just sent (initiator) counts: at most one past the last sent
    const limit = this.settings.role === 'initiator' ? this.nextSenderSeq : this.nextSenderSeq + 1;
    if (Number.isInteger(n) && n >= 1 && n <= limit) return n;
    this.loggedOn = true;
    this.logout(`NextExpectedMsgSeqNum (789) too high or not a number: expected at most ${limit}, received ${msg.map.get(TAG.NextExpectedMsgSeqNum)}`, true);
    return null;
  }

  /** The Logon's own sequence number: in order, or a gap (asked for, or with 789 left to the other side to resend). */
  private afterLogon(msg: Received): void {
    if (msg.seq > this.nextTargetSeq) {
      if (this.settings.nextExpectedMsgSeqNum) {
        // our 789 told them what we expect; the Logon's number is used up once the gap before it is filled
        this.held.set(msg.seq, { ...msg, type: MSG.Heartbeat });
        this.resendAskedUpTo = Math.max(this.resendAskedUpTo, msg.seq);
      } else this.askResend(msg.seq);
      return;
    }
    this.nextTargetSeq = msg.seq + 1;
    this.drain();
  }

  private goodTime(msg: Received): boolean {
    const t = parseFixTime(msg.map.get(TAG.SendingTime));
    return Number.isFinite(t) && Math.abs(this.now() - t) <= (this.settings.maxLatencyMs ?? 120_000);
  }

  /** What QuickFIX/J's verify() checks of each type: time and CompIDs always; a gap where checkHigh; a repeat where checkLow. */
  private verify(msg: Received, checkHigh: boolean, checkLow: boolean): boolean {
    const s = this.settings;
    if (!this.goodTime(msg)) {
      this.reject(msg, REJECT.sendingTime, 'SendingTime accuracy problem', TAG.SendingTime);
      this.logout('SendingTime accuracy problem, field=52');
      return false;
    }
    if (msg.map.get(TAG.SenderCompID) !== s.targetCompID || msg.map.get(TAG.TargetCompID) !== s.senderCompID) {
      this.reject(msg, REJECT.compId, 'CompID problem');
      this.logout('CompID problem');
      return false;
    }
    if (checkHigh && msg.seq > this.nextTargetSeq) {
      if (this.held.size >= MAX_HELD) {
        // a gap the other side never fills must not grow without end
        this.logout(`more than ${MAX_HELD} messages held past a gap at ${this.nextTargetSeq}`, true);
        return false;
      }
      this.held.set(msg.seq, msg);
      this.askResend(msg.seq);
      return false;
    }
    if (checkLow && msg.seq < this.nextTargetSeq) {
      if (msg.map.get(TAG.PossDupFlag) !== YES) {
        this.logout(`MsgSeqNum too low, expecting ${this.nextTargetSeq} but received ${msg.seq}`, true);
        return false;
      }
      if (msg.type !== MSG.SequenceReset) {
        const orig = msg.map.get(TAG.OrigSendingTime);
        if (orig === undefined) this.reject(msg, REJECT.requiredTagMissing, 'Required tag missing', TAG.OrigSendingTime);
        else if (parseFixTime(orig) > parseFixTime(msg.map.get(TAG.SendingTime))) {
          this.reject(msg, REJECT.sendingTime, 'SendingTime accuracy problem', TAG.OrigSendingTime);
          this.logout('SendingTime accuracy problem, field=122');
        }
      }
      return false;
    }
    return true;
  }

  private askResend(upTo: number): void {
    // one ResendRequest (to infinity) while a gap is outstanding, however many messages arrive past it
    const pending = this.resendAskedUpTo > 0;
    this.resendAskedUpTo = Math.max(this.resendAskedUpTo, upTo);
    if (pending) return;
    this.resendRangeEnd = upTo;
    this.requestChunk();
  }

  /** A ResendRequest from the next expected number: to infinity, or the next chunk of the gap. */
  private requestChunk(): void {
    const chunk = this.settings.resendChunkSize ?? 0;
    const begin = this.nextTargetSeq;
    this.resendEnd = chunk > 0 ? Math.min(begin + chunk - 1, this.resendAskedUpTo - 1) : 0;
    this.send(MSG.ResendRequest, [
      [TAG.BeginSeqNo, String(begin)],
      [TAG.EndSeqNo, String(this.resendEnd)],
    ]);
  }

  /** A message in sequence (or one whose type is processed regardless): acted on, then the next held one. */
  private dispatch(msg: Received): void {
    const inSeq = msg.seq === this.nextTargetSeq;
    switch (msg.type) {
      case MSG.Logout: {
        if (!this.verify(msg, false, false)) return;
        if (inSeq) this.nextTargetSeq++;
        this.lastLogoutText = msg.map.get(TAG.Text);
        this.settings.onState?.('logout', this.lastLogoutText);
        if (this.logoutSent) return this.disconnect();
        this.send(MSG.Logout, []);
        return this.disconnect();
      }
      case MSG.ResendRequest: {
        if (!this.verify(msg, false, false)) return;
        this.resend(Number(msg.map.get(TAG.BeginSeqNo)), Number(msg.map.get(TAG.EndSeqNo)));
        if (inSeq) this.nextTargetSeq++;
        break;
      }
      case MSG.SequenceReset: {
        // SequenceReset: a gap fill is sequenced like any message; a reset is taken whatever its MsgSeqNum
        const gapFill = msg.map.get(TAG.GapFillFlag) === YES;
        if (!this.verify(msg, gapFill, gapFill)) return;
        const next = Number(msg.map.get(TAG.NewSeqNo));
        if (!(next >= this.nextTargetSeq)) return this.reject(msg, REJECT.valueIncorrect, 'Value is incorrect (out of range) for this tag', TAG.NewSeqNo);
        this.nextTargetSeq = next;
        break;
      }
      case MSG.Reject:
        if (!this.verify(msg, false, true)) return;
        if (inSeq) this.nextTargetSeq++;
        break;
      case MSG.TestRequest:
        if (!this.verify(msg, true, true)) return;
        this.send(MSG.Heartbeat, [[TAG.TestReqID, msg.map.get(TAG.TestReqID) ?? '']]);
        this.nextTargetSeq++;
        break;
      case MSG.Heartbeat:
        if (!this.verify(msg, true, true)) return;
        this.nextTargetSeq++;
        break;
      case MSG.Logon:
        // a second Logon on a logged-on session
        if (!this.verify(msg, true, true)) return;
        this.nextTargetSeq++;
        break;
      default: {
        if (!this.verify(msg, true, true)) return;
        if (!(this.settings.dictionary ? this.settings.dictionary.messages.has(msg.type) : FIX44_TYPES.has(msg.type))) {
          this.nextTargetSeq++;
          this.reject(msg, REJECT.invalidMsgType, 'Invalid MsgType', TAG.MsgType);
        } else {
          // the application has it (a journal has it written) before its number counts as received: a crash in
          // between has it asked for again, not lost
          this.processing = msg.seq;
          try {
            this.onApplication(msg, this);
          } finally {
            this.processing = 0;
          }
          this.nextTargetSeq++;
        }
      }
    }
    this.drain();
  }

  /** Held messages whose turn has come. */
  private drain(): void {
    for (;;) {
      const next = this.held.get(this.nextTargetSeq);
      if (!next) break;
      this.held.delete(this.nextTargetSeq);
      const bad = this.problem(next);
      if (bad) {
        this.reject(next, bad.reason, bad.text, bad.tag);
        this.nextTargetSeq++;
        continue;
      }
      this.dispatch(next);
    }
    for (const k of this.held.keys()) if (k < this.nextTargetSeq) this.held.delete(k);
    if (this.held.size === 0 && this.nextTargetSeq >= this.resendAskedUpTo) {
      this.resendAskedUpTo = 0;
      this.resendEnd = 0;
      this.resendRangeEnd = 0;
    } else if (this.resendEnd > 0 && this.nextTargetSeq > this.resendEnd) this.requestChunk();
    else if (this.resendEnd === 0 && this.resendRangeEnd > 0 && this.nextTargetSeq > this.resendRangeEnd && this.held.size > 0) {
      // what was asked for is in, and a later gap is left (a message lost after the request): ask for it too
      this.resendRangeEnd = Math.max(...this.held.keys());
      this.requestChunk();
    }
  }

  /** Resends what was sent from `begin` to `end` (0: all): application messages again, administrative ones as a gap fill. */
  private resend(begin: number, end: number): void {
    const last = this.nextSenderSeq - 1;
    const to = end === 0 || end > last ? last : end;
    let gapFrom = 0;
    const fill = (upTo: number) => {
      if (gapFrom === 0) return;
      const time = this.time();
      this.write(
        MSG.SequenceReset,
        gapFrom,
        time,
        [
          [TAG.NewSeqNo, String(upTo)],
          [TAG.GapFillFlag, YES],
        ],
        [
          [TAG.PossDupFlag, YES],
          [TAG.OrigSendingTime, time],
        ],
      );
      gapFrom = 0;
    };
    // what memory no longer holds is read back from the store
    const oldest = this.sent.keys().next().value ?? this.nextSenderSeq;
    const older = begin < oldest && this.store.fetch ? this.store.fetch(begin, Math.min(to, oldest - 1)) : null;
    for (let q = begin; q <= to; q++) {
      const m = this.sent.get(q) ?? older?.get(q);
      if (!m || SESSION_TYPES.has(m.type)) {
        if (gapFrom === 0) gapFrom = q;
        continue;
      }
      fill(q);
      this.write(m.type, q, this.time(), m.body, [[TAG.PossDupFlag, YES], [TAG.OrigSendingTime, m.time], ...(m.header ?? [])]);
    }
    fill(to + 1);
  }
}
