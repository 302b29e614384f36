import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIX44_SCRIPTS, needs, present } from '../helpers/reference-data.js';
import { runScript } from '../../src/fix/acceptance/runner.js';
import { loadScript, type Step } from '../../src/fix/acceptance/script.js';
import { completeMessage, FixFramer, fixTime } from '../../src/fix/wire.js';

/**
 * The runner's own mechanics (connect, send, frame what comes back, compare, wait for a disconnect, report the first
 * difference by line). The acceptor here is a stand-in that plays the script's other side, as scripted, until the
 * project's acceptor exists to run the suite against.
 */
const DIR = FIX44_SCRIPTS;
let server: Server | null = null;
afterEach(() => server?.close());

/** A server that answers a script as its expectations say: each expected message after the client's messages before it. */
async function scripted(steps: readonly Step[], edit: (msg: string) => string = (m) => m, neverClose = false): Promise<number> {
  /** An expected message as an acceptor would send it: a real time, its own length and checksum. */
  const asSent = (text: string) =>
    completeMessage(
      text
        .replace(/00000000-00:00:00\.000/g, fixTime(Date.now()))
        .replace(/\x019=\d+\x01/, '\x01')
        .replace(/10=[^\x01]*\x01$/, ''),
    );
  server = createServer((sock: Socket) => {
    const fr = new FixFramer();
    let k = 0;
    let unread = 0; // client messages received and not yet matched to a send step
    const advance = () => {
      for (; k < steps.length; k++) {
        const st = steps[k]!;
        if (st.kind === 'send') {
          if (unread === 0) return;
          unread--;
        } else if (st.kind === 'expect') sock.write(Buffer.from(edit(asSent(st.text)), 'latin1'));
        else if (st.kind === 'expect-disconnect' && !neverClose) sock.end();
      }
    };
    sock.on('data', (b) => {
      unread += fr.push(b).length;
      advance();
    });
    sock.on('error', () => {});
    advance();
  });
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return (server.address() as { port: number }).port;
}

describe.skipIf(!present(DIR))(needs(DIR, 'acceptance runner'), () => {
  it('plays a script over TCP and passes when every expected message comes, and the disconnect', async () => {
    for (const f of ['2a_MsgSeqNumCorrect.def', '2b_MsgSeqNumTooHigh.def', '8_OnlyAdminMessages.def']) {
      const steps = loadScript(join(DIR, f));
      const port = await scripted(steps);
      const r = await runScript(f, steps, { host: '127.0.0.1', port }, { expectMs: 2000, disconnectMs: 2000 });
      expect(r, f).toMatchObject({ script: f, passed: true, steps: steps.length });
      server!.close();
    }
  });

  it('reports the first difference with its line, the expected and the received message', async () => {
    const f = '2b_MsgSeqNumTooHigh.def';
    const steps = loadScript(join(DIR, f));
    const resend = steps.find((x) => x.kind === 'expect' && x.text.includes('\x0135=2\x01'))!;
    const port = await scripted(steps, (m) =>
      m.includes('\x0135=2\x01')
        ? completeMessage(
            m
              .replace('\x017=5\x01', '\x017=6\x01')
              .replace(/\x019=\d+\x01/, '\x01')
              .replace(/10=\d{3}\x01$/, ''),
          )
        : m,
    );
    const r = await runScript(f, steps, { host: '127.0.0.1', port }, { expectMs: 2000, disconnectMs: 2000 });
    expect(r.passed).toBe(false);
    expect(r.failure).toMatchObject({ line: resend.line, reason: 'tag 7: expected 5, received 6' });
    expect(r.failure!.expected).toContain('|7=5|');
    expect(r.failure!.received).toContain('|7=6|');
  });

  it('fails a script whose acceptor never disconnects, or is not there', async () => {
    const f = '2a_MsgSeqNumCorrect.def';
    const steps = loadScript(join(DIR, f));
    const port = await scripted(steps, undefined, true);
    const r = await runScript(f, steps, { host: '127.0.0.1', port }, { expectMs: 1000, disconnectMs: 500 });
    expect(r.failure?.reason).toBe('not disconnected within 0.5 s');
    server!.close();
    await new Promise((ok) => setTimeout(ok, 50));
    const gone = await runScript(f, steps, { host: '127.0.0.1', port }, { expectMs: 500 });
    expect(gone.failure?.reason).toMatch(/^cannot connect to 127\.0\.0\.1:\d+: /);
    expect(gone.failure?.line).toBe(steps[0]!.line);
  });
});
