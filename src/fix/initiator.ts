import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { TlsSettings } from './acceptor.js';
import { FixSession, type OnApplication, type SessionSettings } from './session.js';
import type { SessionStore } from './store.js';
import { monotonicUs } from '../core/latency.js';
import { FixFramer, turnWriter } from './wire.js';

export interface InitiatorOptions {
  host?: string;
  port: number;
  tls?: TlsSettings;
  /** After a lost connection, connect again after this long (0: do not). */
  reconnectMs?: number;
}

/**
 * A FIX initiator: connects (TCP or TLS), sends the session's Logon, and runs the session on the connection; with
 * `reconnectMs` it connects again whenever the connection goes, until stopped. Its sequence numbers live in the
 * session's store, so a reconnection (or a restart) resumes them unless the settings reset on disconnect.
 */
export class FixInitiator {
  readonly session: FixSession;
  private sock: Socket | null = null;
  private clock: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private waiting: { ok: () => void; ko: (e: Error) => void }[] = [];

  constructor(
    settings: SessionSettings,
    app: OnApplication,
    private readonly opts: InitiatorOptions,
    store?: SessionStore,
  ) {
    const onState = settings.onState;
    this.session = new FixSession(
      {
        resetOnDisconnect: false,
        ...settings,
        role: 'initiator',
        onState: (ev, text) => {
          if (ev === 'logon') for (const w of this.waiting.splice(0)) w.ok();
          if (ev === 'logout' && !this.session.loggedOn) for (const w of this.waiting.splice(0)) w.ko(new Error(`logon refused: ${text ?? 'no reason given'}`));
          onState?.(ev, text);
        },
      },
      app,
      store,
    );
  }

  /** Connects and logs on; resolves once the other side's Logon has come, rejects when it is refused or cannot connect. */
  start(): Promise<void> {
    this.stopped = false;
    const p = new Promise<void>((ok, ko) => this.waiting.push({ ok, ko }));
    this.connect();
    return p;
  }

  private connect(): void {
    const { host = '127.0.0.1', port, tls } = this.opts;
    const sock = tls ? connectTls({ host, port, ca: tls.ca, servername: tls.servername ?? host, cert: tls.cert, key: tls.key }) : connectTcp({ host, port });
    this.sock = sock;
    sock.setNoDelay(true);
    const framer = new FixFramer();
    const ready = tls ? 'secureConnect' : 'connect';
    sock.once(ready, () => {
      this.session.attach({ write: turnWriter(sock), disconnect: () => sock.end() });
      this.clock = setInterval(() => this.session.tick(), 250);
      this.session.logon();
    });
    sock.on('data', (b) => {
      const at = monotonicUs();
      for (const m of framer.push(b)) {
        this.session.receive(m, at);
        if (sock.destroyed) return;
      }
    });
    sock.on('error', (e) => {
      if (!this.session.loggedOn && this.opts.reconnectMs === undefined) for (const w of this.waiting.splice(0)) w.ko(e);
    });
    sock.on('close', () => {
      if (this.clock) clearInterval(this.clock);
      this.clock = null;
      if (this.sock === sock) this.sock = null;
      this.session.detach();
      if (!this.stopped && (this.opts.reconnectMs ?? 0) > 0) this.retry = setTimeout(() => this.connect(), this.opts.reconnectMs);
      else for (const w of this.waiting.splice(0)) w.ko(new Error('the connection closed before the logon'));
    });
  }

  /** Logs out (waiting for the other side's Logout, at most `ms`) and stops reconnecting. */
  async stop(ms = 2000): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const sock = this.sock;
    if (!sock) return;
    const closed = new Promise<void>((ok) => sock.once('close', () => ok()));
    if (this.session.loggedOn) this.session.logoutNow();
    else sock.end();
    const timer = setTimeout(() => sock.destroy(), ms);
    await closed;
    clearTimeout(timer);
  }
}
