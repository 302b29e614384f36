import { connect, type Socket } from 'node:net';
import { basename } from 'node:path';
import { FixFramer } from '../wire.js';
import { difference, messageToSend, type Step } from './script.js';

/** The acceptor under test: where it listens, and how a script changes its session state (iSET_SESSION). */
export interface AcceptorUnderTest {
  host: string;
  port: number;
  setSession?(session: string, key: string, value: number): void | Promise<void>;
}

export interface ScriptResult {
  script: string;
  passed: boolean;
  /** Steps run (all of them when passed). */
  steps: number;
  ms: number;
  /** The first difference: the script's line, what was expected and what came instead. */
  failure?: { line: number; reason: string; expected?: string; received?: string };
}

export interface RunOptions {
  /** How long an expected message may take (the format allows ~10 s), and an expected disconnect (~20 s). */
  expectMs?: number;
  disconnectMs?: number;
}

/** One client connection: the messages read and not yet expected, and whether the acceptor closed it. */
class Connection {
  readonly queue: string[] = [];
  closed = false;
  private wake: (() => void) | null = null;
  private readonly framer = new FixFramer();

  constructor(readonly socket: Socket) {
    socket.on('data', (b) => {
      this.queue.push(...this.framer.push(b));
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {
      // a reset by the acceptor is a close, reported by 'close'
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves when a message is queued or the connection closes, or after `ms`. */
  async waitFor(ready: () => boolean, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (!ready()) {
      const left = until - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.wake = () => {
          clearTimeout(t);
          ok();
        };
      });
    }
    return true;
  }
}

const show = (m: string) => m.replaceAll('\x01', '|');

/** Plays one script against the acceptor over TCP; stops at the first difference. */
export async function runScript(file: string, steps: readonly Step[], acceptor: AcceptorUnderTest, o: RunOptions = {}): Promise<ScriptResult> {
  const expectMs = o.expectMs ?? 10_000;
  const disconnectMs = o.disconnectMs ?? 20_000;
  const conns = new Map<number, Connection>();
  const t0 = Date.now();
  let done = 0;
  const fail = (line: number, reason: string, expected?: string, received?: string): ScriptResult => ({
    script: basename(file),
    passed: false,
    steps: done,
    ms: Date.now() - t0,
    failure: { line, reason, ...(expected !== undefined ? { expected: show(expected) } : {}), ...(received !== undefined ? { received: show(received) } : {}) },
  });
  try {
    for (const step of steps) {
      switch (step.kind) {
        case 'connect': {
          const socket = await new Promise<Socket>((ok, ko) => {
            const s = connect({ host: acceptor.host, port: acceptor.port }, () => ok(s));
            s.once('error', ko);
          }).catch((e: Error) => e);
          if (socket instanceof Error) return fail(step.line, `cannot connect to ${acceptor.host}:${acceptor.port}: ${socket.message}`);
          socket.setNoDelay(true);
          conns.set(step.conn, new Connection(socket));
          break;
        }
        case 'set-session':
          if (!acceptor.setSession) return fail(step.line, 'the acceptor under test cannot change its session state (SET_SESSION)');
          await acceptor.setSession(step.session, step.key, step.value);
          break;
        case 'send': {
          const c = conns.get(step.conn);
          if (!c || c.closed) return fail(step.line, `connection ${step.conn} is not open`);
          c.socket.write(Buffer.from(messageToSend(step.text, Date.now()), 'latin1'));
          break;
        }
        case 'expect': {
          const c = conns.get(step.conn);
          if (!c) return fail(step.line, `connection ${step.conn} was never opened`, step.text);
          if (!(await c.waitFor(() => c.queue.length > 0 || c.closed, expectMs)) || c.queue.length === 0) {
            return fail(step.line, c.closed ? 'the acceptor closed the connection' : `nothing received within ${expectMs / 1000} s`, step.text);
          }
          const got = c.queue.shift()!;
          const d = difference(step.text, got);
          if (d) return fail(step.line, d, step.text, got);
          break;
        }
        case 'expect-disconnect': {
          const c = conns.get(step.conn);
          if (!c) return fail(step.line, `connection ${step.conn} was never opened`);
          if (!(await c.waitFor(() => c.closed, disconnectMs))) {
            return fail(step.line, `not disconnected within ${disconnectMs / 1000} s`, undefined, c.queue[0]);
          }
          break;
        }
      }
      done++;
    }
    return { script: basename(file), passed: true, steps: done, ms: Date.now() - t0 };
  } finally {
    for (const c of conns.values()) c.socket.destroy();
  }
}
