import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { FixSession, reverseRoute, type OnApplication, type Received, type SessionSettings } from './session.js';
import type { SessionStore } from './store.js';
import { BUSINESS_REJECT_REASON, MSG, TAG, YES } from './tags.js';
import { monotonicUs } from '../core/latency.js';
import { encodeMessage, fieldMap, FixFramer, fixTime, turnWriter, wellFormed } from './wire.js';

/** What the session writes itself (and a resend's PossDup marks): an echo leaves them out of what it sends back. */
const HEADER = new Set('8 9 10 34 35 43 49 52 56 122'.split(' '));

/**
 * The application of the acceptance suite's acceptor (QuickFIX/J's): every NewOrderSingle (35=D) and
 * SecurityDefinition (d) echoed back unchanged but for its header and its empty groups (a NumInGroup of 0), except a
 * PossResend (97=Y) NewOrderSingle of a ClOrdID already seen, which is dropped; any other application message is
 * answered with a BusinessMessageReject (Unsupported Message Type).
 */
export function echoApplication(): OnApplication {
  const seen = new Set<string>();
  return (msg: Received, session: FixSession) => {
    const dict = session.settings.dictionary;
    const emptyGroup = (t: string, v: string) => v === '0' && dict?.fields.get(Number(t))?.type === 'NUMINGROUP';
    if (msg.type === MSG.NewOrderSingle || msg.type === MSG.SecurityDefinition) {
      if (msg.type === MSG.NewOrderSingle) {
        const id = msg.map.get(TAG.ClOrdID) ?? '';
        if (msg.map.get(TAG.PossResend) === YES && seen.has(id)) return;
        seen.add(id);
      }
      session.send(
        msg.type,
        msg.fields.filter(([t, v]) => !HEADER.has(t) && !emptyGroup(t, v)),
      );
      return;
    }
    session.send(
      MSG.BusinessMessageReject,
      [
        [TAG.RefSeqNum, String(msg.seq)],
        [TAG.RefMsgType, msg.type],
        [TAG.BusinessRejectReason, BUSINESS_REJECT_REASON.UnsupportedMessageType],
        [TAG.Text, 'Unsupported Message Type'],
      ],
      reverseRoute(msg.map),
    );
  };
}

/** TLS for a session's connection: the acceptor's key and certificate, or the initiator's trusted CA. */
export interface TlsSettings {
  key?: string | Buffer;
  cert?: string | Buffer;
  ca?: string | Buffer;
  /** The name the initiator expects in the acceptor's certificate (default: the host). */
  servername?: string;
}

/**
 * A FIX acceptor on 127.0.0.1 (plain TCP, or TLS): one session per counterparty, found by the SenderCompID (49) of
 * the first message on a connection and taken by the first connection that logs on; a second connection for a
 * session that has one is closed. A connection whose CompID has no session is closed (with a Logout saying so where
 * the sessions authenticate). A session's state resets when its connection goes unless its settings keep it.
 */
export class FixAcceptor {
  readonly sessions = new Map<string, FixSession>();
  private server: Server | null = null;
  private readonly owners = new Map<FixSession, Socket>();
  private readonly sockets = new Set<Socket>();

  constructor(
    settings: SessionSettings | SessionSettings[],
    app: OnApplication = echoApplication(),
    store?: SessionStore | ((s: SessionSettings) => SessionStore),
    private readonly tls?: TlsSettings,
  ) {
    for (const st of Array.isArray(settings) ? settings : [settings]) {
      const kept = typeof store === 'function' ? store(st) : store;
      this.sessions.set(st.targetCompID, new FixSession({ ...st, role: 'acceptor' }, app, kept));
    }
  }

  /** The session, where there is one (the acceptance suite's acceptor). */
  get session(): FixSession {
    return this.sessions.values().next().value!;
  }

  async listen(port = 0): Promise<number> {
    const onConnection = (sock: Socket) => this.accept(sock);
    this.server = this.tls ? createTlsServer({ key: this.tls.key, cert: this.tls.cert, ca: this.tls.ca }, onConnection) : createServer(onConnection);
    await new Promise<void>((ok, ko) => {
      this.server!.once('error', ko);
      this.server!.listen(port, '127.0.0.1', ok);
    });
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    sock.setNoDelay(true);
    const framer = new FixFramer();
    const io = { write: turnWriter(sock), disconnect: () => sock.end() };
    let mine: FixSession | null = null;
    let clock: NodeJS.Timeout | null = null;
    sock.on('data', (b) => {
      const at = monotonicUs();
      for (const m of framer.push(b)) {
        if (!mine) {
          const comp = fieldMap(m).get(TAG.SenderCompID) ?? '';
          const session = this.sessions.get(comp);
          if (!session) {
            const any = this.session;
            if (any?.settings.authenticate && wellFormed(m)) {
              const s = any.settings;
              const out: [string, string][] = [
                [TAG.MsgType, MSG.Logout],
                [TAG.MsgSeqNum, '1'],
                [TAG.SenderCompID, s.senderCompID],
                [TAG.SendingTime, fixTime(Date.now())],
                [TAG.TargetCompID, comp],
                [TAG.Text, 'Unknown CompID'],
              ];
              sock.write(Buffer.from(encodeMessage(s.beginString, out), 'latin1'));
            }
            return void sock.end();
          }
          if (this.owners.has(session)) return void sock.destroy(); // the session is another connection's
          mine = session;
          this.owners.set(session, sock);
          session.attach(io);
          clock = setInterval(() => session.tick(), 250);
        }
        mine.receive(m, at);
        if (sock.destroyed) return;
      }
    });
    sock.on('close', () => {
      if (clock) clearInterval(clock);
      this.sockets.delete(sock);
      if (mine && this.owners.get(mine) === sock) {
        this.owners.delete(mine);
        mine.detach();
      }
    });
    sock.on('error', () => {});
  }
}
