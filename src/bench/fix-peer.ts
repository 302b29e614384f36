import 'reflect-metadata';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { AsciiSession, SessionLauncher, type IJsFixConfig, type MsgView } from 'jspurefix';

/**
 * `sor bench fix`'s peer acceptor, a process of its own (forked with the port): a stock jspurefix acceptor that echoes
 * every NewOrderSingle back. It tells its parent when it listens.
 */
export const QUIET = { info() {}, warning() {}, error() {}, debug() {} };

export function jspurefixRoot(): string {
  return dirname(createRequire(import.meta.url).resolve('jspurefix/package.json'));
}

export function peerSession(type: 'initiator' | 'acceptor', port: number) {
  return {
    application: {
      type,
      name: type,
      reconnectSeconds: 0,
      tcp: { host: '127.0.0.1', port },
      protocol: 'ascii',
      dictionary: join(jspurefixRoot(), 'data/FIX44.xml'),
    },
    Username: 'u',
    Password: 'p',
    EncryptMethod: 0,
    ResetSeqNumFlag: true,
    HeartBtInt: 30,
    SenderCompId: type === 'initiator' ? 'INIT' : 'ACC',
    TargetCompID: type === 'initiator' ? 'ACC' : 'INIT',
    BeginString: 'FIX.4.4',
  };
}

class Echo extends AsciiSession {
  constructor(c: IJsFixConfig) {
    super(c);
  }
  protected override onApplicationMsg(msgType: string, view: MsgView): void {
    if (msgType !== 'D') return;
    // the order back, without the header and trailer its view carries (the session writes its own)
    const { StandardHeader, StandardTrailer, ...order } = view.toObject() as Record<string, unknown>;
    void StandardHeader;
    void StandardTrailer;
    this.send('D', order as never);
  }
  protected override onLogon(): boolean {
    return true;
  }
  protected override onReady(): void {}
  protected override onStopped(): void {}
  protected override onDecoded(): void {}
  protected override onEncoded(): void {}
}

if (process.send && process.argv[2]) {
  const port = Number(process.argv[2]);
  class Launcher extends SessionLauncher {
    constructor() {
      super(null, peerSession('acceptor', port) as never, { logger: () => QUIET } as never);
      this.root = jspurefixRoot();
    }
    protected override makeFactory(config: IJsFixConfig) {
      return { makeSession: () => new Echo(config) } as never;
    }
  }
  void new Launcher().run();
  // listening once a connection is taken (a probe, closed at once)
  const probe = (): void => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      process.send!({ listening: port });
    });
    s.on('error', () => setTimeout(probe, 20));
  };
  probe();
}
