import { createServer, type Server, type Socket } from 'node:net';
import { FixSession, reverseRoute, type OnApplication, type Received, type SessionSettings } from './session.js';
import type { SessionStore } from './store.js';
import { FixFramer } from './wire.js';

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
    if (msg.type === 'D' || msg.type === 'd') {
      if (msg.type === 'D') {
        const id = msg.map.get('11') ?? '';
        if (msg.map.get('97') === 'Y' && seen.has(id)) return;
        seen.add(id);
      }
      session.send(
        msg.type,
        msg.fields.filter(([t, v]) => !HEADER.has(t) && !emptyGroup(t, v)),
      );
      return;
    }
    session.send(
      'j',
      [
        ['45', String(msg.seq)],
        ['372', msg.type],
        ['380', '3'],
        ['58', 'Unsupported Message Type'],
      ],
      reverseRoute(msg.map),
    );
  };
}

/**
 * A FIX acceptor on 127.0.0.1: one session (its CompIDs), taken by the first connection that logs on; a second
 * connection while it is logged on is closed. The session's state resets when its connection goes.
 */
export class FixAcceptor {
  readonly session: FixSession;
  private server: Server | null = null;
  private owner: Socket | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(settings: SessionSettings, app: OnApplication = echoApplication(), store?: SessionStore) {
    this.session = new FixSession(settings, app, store);
  }

  async listen(port = 0): Promise<number> {
    this.server = createServer((sock) => this.accept(sock));
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
    const io = { write: (t: string) => sock.write(Buffer.from(t, 'latin1')), disconnect: () => sock.end() };
    sock.on('data', (b) => {
      for (const m of framer.push(b)) {
        if (this.owner !== sock) {
          if (this.owner !== null) return void sock.destroy(); // the session is another connection's
          this.owner = sock;
          this.session.attach(io);
          clock = setInterval(() => this.session.tick(), 250);
        }
        this.session.receive(m);
        if (sock.destroyed) return;
      }
    });
    let clock: NodeJS.Timeout | null = null;
    sock.on('close', () => {
      if (clock) clearInterval(clock);
      this.sockets.delete(sock);
      if (this.owner === sock) {
        this.owner = null;
        this.session.detach();
      }
    });
    sock.on('error', () => {});
  }
}
