import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Market } from '../backtest/market.js';
import { Rng } from '../core/rng.js';
import { hashPassword } from '../fix/auth.js';
import { ENCRYPT_METHOD, EXEC_TYPE, HANDL_INST, MSG, ORD_TYPE, SIDE, TAG, YES } from '../fix/tags.js';
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

/** The message types of the flood, a NewOrderSingle the likeliest; some are not for a router at all. */
const TYPES = [
  MSG.NewOrderSingle,
  MSG.NewOrderSingle,
  MSG.NewOrderSingle,
  MSG.OrderCancelRequest,
  MSG.OrderCancelRequest,
  MSG.OrderStatusRequest,
  MSG.OrderCancelReplaceRequest,
  MSG.OrderMassCancelRequest,
  MSG.MarketDataRequest,
  MSG.TradeCaptureReport,
  MSG.BusinessMessageReject,
  MSG.ExecutionReport,
  MSG.QuoteCancel,
];

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
      const t = f.get(TAG.MsgType) ?? '?';
      replies[t] = (replies[t] ?? 0) + 1;
      last = m;
      if (t === MSG.Logout) logouts.push(f.get(TAG.Text) ?? '');
      // bytes that frame nothing can spoil the message after them (as on any FIX stream): the router asks for it
      // again, and this OMS answers as one may, with a gap fill over what it will not resend
      if (t === MSG.ResendRequest) {
        const from = Number(f.get(TAG.BeginSeqNo));
        const to = Number(f.get(TAG.EndSeqNo)) || seq - 1;
        for (let q = from; q <= to; q++) {
          const now = fixTime(Date.now());
          const kept = spoiled.has(q) ? undefined : sentBodies.get(q);
          const head: [string, string][] = [
            [TAG.MsgSeqNum, String(q)],
            [TAG.PossDupFlag, YES],
            [TAG.SenderCompID, 'OMS1'],
            [TAG.SendingTime, now],
            [TAG.TargetCompID, 'SOR'],
            [TAG.OrigSendingTime, now],
          ];
          if (kept) write([[TAG.MsgType, kept[0]], ...head, ...kept[1]]);
          else write([[TAG.MsgType, MSG.SequenceReset], ...head, [TAG.GapFillFlag, YES], [TAG.NewSeqNo, String(q + 1)]]);
        }
      }
    }
  });
  let seq = 1;
  /** What was sent, by number (to resend it as a counterparty does), and the numbers bytes before them spoiled. */
  const sentBodies = new Map<number, [string, [string, string][]]>();
  const spoiled = new Set<number>();
  const header = (type: string): [string, string][] => [
    [TAG.MsgType, type],
    [TAG.MsgSeqNum, String(seq++)],
    [TAG.SenderCompID, 'OMS1'],
    [TAG.SendingTime, fixTime(Date.now())],
    [TAG.TargetCompID, 'SOR'],
  ];
  const write = (fields: [string, string][]) => sock.write(Buffer.from(encodeMessage('FIX.4.4', fields), 'latin1'));
  write([...header(MSG.Logon), [TAG.EncryptMethod, ENCRYPT_METHOD.None], [TAG.HeartBtInt, '30'], [TAG.Username, 'desk'], [TAG.Password, password]]);
  const rng = Rng.stream(o.seed, 'oms-fuzz');
  const symbol = o.market.scenario.symbol;
  const randomText = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + rng.int(95))).join('');
  // each type's own fields, so that a mutation often leaves a message the router itself must answer; a symbol a
  // mutation is unlikely to make right, so that the fuzz does not fill the books with parents
  const base = (type: string): [string, string][] => {
    const id: [string, string] = [TAG.ClOrdID, `Z${rng.int(1e9)}`];
    const common: [string, string][] = [
      [TAG.Symbol, rng.bernoulli(0.9) ? `${symbol}X` : symbol],
      [TAG.Side, rng.int(2) === 0 ? SIDE.Buy : SIDE.Sell],
      [TAG.TransactTime, fixTime(Date.now())],
    ];
    if (type === MSG.NewOrderSingle)
      return [
        id,
        [TAG.HandlInst, HANDL_INST.AutomatedPrivate],
        ...common,
        [TAG.OrderQty, String(rng.int(10_000))],
        [TAG.OrdType, rng.bernoulli(0.5) ? ORD_TYPE.Market : ORD_TYPE.Limit],
        [TAG.Price, (rng.float() * 1000).toFixed(2)],
        [TAG.TargetStrategy, String(rng.int(1100))],
      ];
    if (type === MSG.OrderCancelRequest) return [[TAG.OrigClOrdID, `Z${rng.int(1e9)}`], id, ...common];
    if (type === MSG.OrderStatusRequest) return [id, ...common.slice(0, 2)];
    return [id, ...common, [TAG.Text, randomText(10)]];
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
          body.splice(j, 0, body[j] ?? [TAG.Text, 'x']);
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
  write([
    ...header(MSG.NewOrderSingle),
    [TAG.ClOrdID, 'GOOD1'],
    [TAG.HandlInst, HANDL_INST.AutomatedPrivate],
    [TAG.Symbol, symbol],
    [TAG.Side, SIDE.Buy],
    [TAG.TransactTime, fixTime(Date.now())],
    [TAG.OrderQty, '100'],
    [TAG.OrdType, ORD_TYPE.Market],
  ]);
  const until = Date.now() + 5000;
  const good = `\x01${TAG.ClOrdID}=GOOD1\x01`;
  const acked = `\x01${TAG.ExecType}=${EXEC_TYPE.New}\x01`;
  while (!(last.includes(good) && last.includes(acked)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const up = last.includes(good);
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
