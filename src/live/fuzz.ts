import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Market } from '../backtest/market.js';
import { Rng } from '../core/rng.js';
import { hashPassword } from '../fix/auth.js';
import { encodeMessage, fieldMap, FixFramer, fixTime } from '../fix/wire.js';
import { freePort, serve } from './chaos.js';
import { VenueSimulator } from './venues.js';

/**
 * The OMS session under random and mutated messages: `sor serve` (a separate process, so that its memory is its
 * own) takes a logon, then `messages` messages, each a well-framed application message with its header right (its
 * sequence number the next) and its body mutated — fields dropped, repeated, given random values or random tags,
 * random message types — with now and then bytes that frame nothing. Afterwards the service must still be up (it
 * acknowledges a good parent order) and its memory must not have grown with the messages.
 */
export interface FuzzOptions {
  market: Market;
  seed: number;
  messages: number;
}

export interface FuzzResult {
  messages: number;
  garbage: number;
  replies: Record<string, number>;
  /** The service's resident memory (MB) after the first tenth of the messages and at the end. */
  rss_mb_early: number;
  rss_mb_end: number;
  up_after: boolean;
  /** Logouts the router sent during the flood (with their Text). */
  logouts: string[];
  heap_cap_mb: number;
  seconds: number;
}

/** The heap the service is given for the fuzz, MB. */
export const HEAP_CAP_MB = 160;

const TYPES = ['D', 'D', 'D', 'F', 'F', 'H', 'G', 'q', 'V', 'AE', 'j', '8', 'Z'];

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function runOmsFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const t0 = Date.now();
  const sim = new VenueSimulator({ market: o.market, seed: o.seed, speed: 1 });
  await sim.start();
  const dir = mkdtempSync(join(tmpdir(), 'sor-fuzz-'));
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const cfg = join(dir, 'router.json');
  writeFileSync(cfg, JSON.stringify(sim.routerConfig({ passwordHash: hashPassword(password), journalDir: join(dir, 'state'), sync: 'os', omsPort: port })));
  // the service's heap is capped: were its memory to grow with the messages, it would not survive them
  const svc = serve(cfg, [`--max-old-space-size=${HEAP_CAP_MB}`]);
  if (!(await svc.ready)) throw new Error(`sor serve did not start: ${svc.err()}`);
  const pid = svc.child.pid!;
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((ok) => sock.once('connect', () => ok()));
  sock.setNoDelay(true);
  sock.on('error', () => {});
  const framer = new FixFramer();
  const replies: Record<string, number> = {};
  let received = 0;
  const logouts: string[] = [];
  let last = '';
  sock.on('data', (b) => {
    for (const m of framer.push(b)) {
      received++;
      const f = fieldMap(m);
      const t = f.get('35') ?? '?';
      replies[t] = (replies[t] ?? 0) + 1;
      last = m;
      if (t === '5') logouts.push(f.get('58') ?? '');
      // bytes that frame nothing can spoil the message after them (as on any FIX stream): the router asks for it
      // again, and this OMS answers as one may, with a gap fill over what it will not resend
      if (t === '2') {
        const from = Number(f.get('7'));
        const to = Number(f.get('16')) || seq - 1;
        for (let q = from; q <= to; q++) {
          const now = fixTime(Date.now());
          const kept = spoiled.has(q) ? undefined : sentBodies.get(q);
          const head: [string, string][] = [
            ['34', String(q)],
            ['43', 'Y'],
            ['49', 'OMS1'],
            ['52', now],
            ['56', 'SOR'],
            ['122', now],
          ];
          if (kept) write([['35', kept[0]], ...head, ...kept[1]]);
          else write([['35', '4'], ...head, ['123', 'Y'], ['36', String(q + 1)]]);
        }
      }
    }
  });
  let seq = 1;
  /** What was sent, by number (to resend it as a counterparty does), and the numbers bytes before them spoiled. */
  const sentBodies = new Map<number, [string, [string, string][]]>();
  const spoiled = new Set<number>();
  const header = (type: string): [string, string][] => [
    ['35', type],
    ['34', String(seq++)],
    ['49', 'OMS1'],
    ['52', fixTime(Date.now())],
    ['56', 'SOR'],
  ];
  const write = (fields: [string, string][]) => sock.write(Buffer.from(encodeMessage('FIX.4.4', fields), 'latin1'));
  write([...header('A'), ['98', '0'], ['108', '30'], ['553', 'desk'], ['554', password]]);
  const rng = Rng.stream(o.seed, 'oms-fuzz');
  const symbol = o.market.scenario.symbol;
  const randomText = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + rng.int(95))).join('');
  // each type's own fields, so that a mutation often leaves a message the router itself must answer; a symbol a
  // mutation is unlikely to make right, so that the fuzz does not fill the books with parents
  const base = (type: string): [string, string][] => {
    const id: [string, string] = ['11', `Z${rng.int(1e9)}`];
    const common: [string, string][] = [
      ['55', rng.bernoulli(0.9) ? `${symbol}X` : symbol],
      ['54', String(1 + rng.int(2))],
      ['60', fixTime(Date.now())],
    ];
    if (type === 'D')
      return [
        id,
        ['21', '1'],
        ...common,
        ['38', String(rng.int(10_000))],
        ['40', rng.bernoulli(0.5) ? '1' : '2'],
        ['44', (rng.float() * 1000).toFixed(2)],
        ['847', String(rng.int(1100))],
      ];
    if (type === 'F') return [['41', `Z${rng.int(1e9)}`], id, ...common];
    if (type === 'H') return [id, ...common.slice(0, 2)];
    return [id, ...common, ['58', randomText(10)]];
  };
  // the header's own tags are the session tests' (the acceptance suite): here the header stays right
  const SESSION = new Set('8 9 10 34 35 43 49 52 56 97 115 116 122 128 129 142 143 144 145 50 57 369 627'.split(' '));
  const randomTag = (n: number) => {
    for (;;) {
      const t = String(rng.int(n));
      if (!SESSION.has(t)) return t;
    }
  };
  let garbage = 0;
  let early = NaN;
  const drain = async () => {
    if (sock.writableLength > 1 << 16 && !sock.destroyed) await new Promise<void>((ok) => (sock.once('drain', () => ok()), sock.once('close', () => ok())));
  };
  for (let i = 0; i < o.messages; i++) {
    if (i === Math.floor(o.messages / 10)) {
      await new Promise((r) => setTimeout(r, 200));
      early = rssMb(pid);
    }
    if (rng.bernoulli(0.03)) {
      garbage++;
      spoiled.add(seq);
      // bytes that start no message (no "8="): skipped by the framer. Garbage that runs into the next message's
      // start costs that message, as on any FIX stream, and the session gets it back by a ResendRequest (the
      // acceptance suite's garbled-message scripts); here the flood's messages must all arrive
      sock.write(Buffer.from(randomText(1 + rng.int(200)).replaceAll('8=', '8 '), 'latin1'));
      continue;
    }
    const type = TYPES[rng.int(TYPES.length)]!;
    const body = base(type);
    const n = rng.int(4);
    for (let k = 0; k < n; k++) {
      const j = rng.int(body.length);
      switch (rng.int(5)) {
        case 0:
          body.splice(j, 1);
          break;
        case 1:
          body.splice(j, 0, body[j] ?? ['58', 'x']);
          break;
        case 2:
          if (body[j]) body[j] = [body[j]![0], randomText(rng.int(12)).replaceAll('\x01', '')];
          break;
        case 3:
          body.splice(j, 0, [randomTag(10_000), randomText(1 + rng.int(8))]);
          break;
        default:
          body.splice(j, 0, [randomTag(1000), String(rng.int(100))]);
      }
    }
    sentBodies.set(seq, [type, body]);
    write([...header(type), ...body]);
    // a counterparty reads as it writes: the router's ResendRequests are answered while the flood goes on
    if (i % 100 === 0) {
      await drain();
      await new Promise((r) => setImmediate(r));
    }
  }
  // all answered (or refused): wait for the replies to stop coming
  let before = -1;
  while (received !== before) {
    before = received;
    await new Promise((r) => setTimeout(r, 500));
  }
  const end = rssMb(pid);
  // still up: a good parent is acknowledged
  write([...header('D'), ['11', 'GOOD1'], ['21', '1'], ['55', symbol], ['54', '1'], ['60', fixTime(Date.now())], ['38', '100'], ['40', '1']]);
  const until = Date.now() + 5000;
  while (!(last.includes('\x0111=GOOD1\x01') && last.includes('\x01150=0\x01')) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const up = last.includes('\x0111=GOOD1\x01');
  sock.destroy();
  svc.child.kill('SIGTERM');
  await new Promise<void>((ok) => (svc.child.exitCode !== null ? ok() : svc.child.once('exit', () => ok())));
  await sim.stop();
  return {
    messages: o.messages,
    garbage,
    replies,
    rss_mb_early: early,
    rss_mb_end: end,
    up_after: up,
    logouts,
    heap_cap_mb: HEAP_CAP_MB,
    seconds: (Date.now() - t0) / 1000,
  };
}
