import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AsciiSession, SessionLauncher, type IJsFixConfig } from 'jspurefix';
import type { Market } from '../backtest/market.js';
import { BUY, NS_PER_SECOND, SELL } from '../core/types.js';
import { hashPassword } from '../fix/auth.js';
import { FixInitiator } from '../fix/initiator.js';
import type { RouterConfig } from '../live/config.js';
import { freePort, serve } from '../live/chaos.js';
import { readJournal } from '../live/journal.js';
import { replayJournal } from '../live/router.js';
import { omsSession } from '../live/service.js';
import { LiveClock, type ClockSpec } from '../live/clock.js';
import type { LatencySummary } from '../core/latency.js';
import { packageFile } from '../core/paths.js';
import { jspurefixRoot, peerSession, QUIET } from './fix-peer.js';
import { monotonicMs } from './fix-venues.js';
import { encodeParentOrder } from '../fix/parent-orders.js';
import { EXEC_TYPE, MSG, TAG } from '../fix/tags.js';

/**
 * `sor bench fix`: a parent NewOrderSingle into the router's OMS session → the first child NewOrderSingle received at
 * a venue, on loopback. The router is a `sor serve` process of its own, as in production, and the venue simulator
 * another (fix-venues.ts); the OMS client is here; both ends are timed by the monotonic clock all processes share.
 * One parent at a time at an offered rate for the latency, a burst for the rate, for each journal sync mode. Which
 * parent a child was for comes from the router's journal, replayed after the run (the venues are not told). The
 * peer, in the same run: a bare jspurefix initiator sending NewOrderSingles to a jspurefix acceptor in a process of
 * its own (fix-peer.ts) that echoes them, the round trip timed the same way. SOR_BENCH_ROUTER_NODE_ARGS passes
 * node options to the router's process (a profiler's, say).
 */
export interface FixBenchOptions {
  market: Market;
  parents: number;
  syncModes: RouterConfig['journal']['sync'][];
  /** Parents a second, at most, in the latency run (the offered load). */
  rate: number;
}

/** Latencies in µs, exact order statistics of what was timed (the same shape as the router's own histogram's). */
export type LatencyStats = LatencySummary;

export interface FixBenchResult {
  parents: number;
  /** The latency run's offered load, parents a second. */
  rate: number;
  modes: {
    sync: string;
    latency: LatencyStats;
    /** The router's own part of the same parents' path, as it measured it (null if it did not say). */
    router_own: LatencySummary | null;
    timeouts: number;
    /** The burst's parents that had a child at a venue, over the time until the last of them did (null: none did). */
    pipelined_parents_per_s: number | null;
    burst: { parents: number; reached: number };
    replay_mismatches: number;
    bench_loop_delay_us: { p50: number; p99: number; max: number };
  }[];
  /** The peer at the router's offered rate (one order every 1/rate s, as the parents go). */
  peer: { name: string; latency: LatencyStats | null; error?: string };
  /** The peer closed loop: each order at once after the last one's echo (no gaps). */
  peer_closed_loop: { name: string; latency: LatencyStats | null; error?: string };
  /** Each mode's p99 over the peer's at the same rate (empty without a peer). */
  p99_ratio: Record<string, number>;
  /** Each mode's p99 over the closed-loop peer's. */
  p99_ratio_closed_loop: Record<string, number>;
}

/** Both processes' clock: monotonic, shared. */
const now = monotonicMs;

function stats(xs: number[]): LatencyStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000;
  return { n: s.length, p50_us: q(0.5), p90_us: q(0.9), p99_us: q(0.99), p999_us: q(0.999), max_us: s[s.length - 1]! * 1000 };
}

/** The venues' process: asks answered in order (one outstanding at a time). */
function venuesProcess() {
  const child = fork(packageFile('dist', 'bench', 'fix-venues.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ask = <T>(m: Record<string, unknown>): Promise<T> =>
    new Promise((ok, fail) => {
      const onExit = () => fail(new Error('the venues’ process exited'));
      child.once('exit', onExit);
      child.once('message', (r) => {
        child.off('exit', onExit);
        ok(r as T);
      });
      child.send(m);
    });
  return { child, ask };
}

/**
 * A fresh world: the venues in a process of their own, as the router in its own (each child's arrival there, by its
 * ClOrdID), a `sor serve` router against them with a fresh journal, and an OMS session logged on to it.
 */
async function startWorld(o: FixBenchOptions, sync: RouterConfig['journal']['sync'], onAck: (clOrdId: string) => void) {
  const venues = venuesProcess();
  const { clock: spec } = await venues.ask<{ clock: ClockSpec }>({ ask: 'start', scenario: o.market.file, seed: 1, speed: 1 });
  const clock = new LiveClock(spec);
  const dir = mkdtempSync(join(tmpdir(), 'sor-bench-fix-'));
  const password = randomBytes(18).toString('base64url');
  const configFile = join(dir, 'router.json');
  const { config } = await venues.ask<{ config: { symbol: string } }>({
    ask: 'config',
    passwordHash: hashPassword(password),
    journalDir: join(dir, 'state'),
    sync,
  });
  writeFileSync(configFile, JSON.stringify(config));
  // the router in its own process, as it runs in production: `sor serve`
  const router = serve(configFile, process.env.SOR_BENCH_ROUTER_NODE_ARGS?.split(' ').filter(Boolean) ?? []);
  const ready = await router.ready;
  if (!ready) {
    await venues.ask({ ask: 'stop' }).catch(() => {});
    throw new Error(`sor serve did not start: ${router.err().trim()}`);
  }
  const oms = await omsSession({
    port: ready.omsPort,
    password,
    onMessage: (m) => {
      if (m.type === MSG.ExecutionReport && (m.map.get(TAG.ExecType) === EXEC_TYPE.New || m.map.get(TAG.ExecType) === EXEC_TYPE.Rejected))
        onAck(m.map.get(TAG.ClOrdID) ?? '');
    },
  });
  await oms.start();
  // the market's books filled from its feed before the first parent
  await new Promise((r) => setTimeout(r, 500));
  /**
   * Stops it; then, per parent, when its first child reached a venue (which parent a child was for: the router's
   * journal, replayed, its compliance record), and what the router measured of its own part.
   */
  const finish = async () => {
    await new Promise((r) => setTimeout(r, 1000));
    await oms.stop(300);
    router.child.kill('SIGTERM');
    const stopped = await router.stopped;
    const { arrivals } = await venues.ask<{ arrivals: [string, number][] }>({ ask: 'arrivals' });
    await venues.ask({ ask: 'stop' }).catch(() => {});
    const replay = replayJournal(readJournal(join(dir, 'state', 'router.journal')));
    const first = new Map<string, number>();
    for (const [child, t] of arrivals) {
      const parent = replay.childParent[child];
      if (parent !== undefined && !(t >= (first.get(parent) ?? Infinity))) first.set(parent, t);
    }
    return { first, own: stopped?.parent_to_first_child ?? null, mismatches: replay.mismatches.length };
  };
  return { oms, symbol: config.symbol, clock, finish };
}

async function routerRun(o: FixBenchOptions, sync: RouterConfig['journal']['sync']) {
  const acks = new Set<string>();
  // the parent whose acknowledgement the loop below waits for, and what wakes it (no spinning: this process shares
  // the machine's cores with the router and the venues)
  let awaited = '';
  let wake: () => void = () => {};
  const onAck = (id: string) => {
    acks.add(id);
    if (id === awaited) wake();
  };
  const sent = new Map<string, number>();
  const sender = (r: { oms: FixInitiator; symbol: string; clock: LiveClock }) => (id: string, i: number) => {
    const clock = r.clock;
    sent.set(id, now());
    r.oms.session.send(
      MSG.NewOrderSingle,
      encodeParentOrder({
        clOrdId: id,
        symbol: r.symbol,
        side: i % 2 ? BUY : SELL,
        transactTime: clock.fix(clock.now()),
        qty: 100,
        expireTime: clock.fix(clock.now() + 2 * NS_PER_SECOND),
      }),
    );
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  // the latency: one at a time, at most `rate` a second, the next parent once this one is acknowledged (or 1 s) and
  // not before its turn (each parent lives a few seconds: the earlier ones are still working). Waits are timers and
  // the ack's own callback, never a spin; each latency runs from the moment its parent was actually sent.
  const timed = await startWorld(o, sync, onAck);
  const send = sender(timed);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const begin = now();
  for (let i = 0; i < o.parents; i++) {
    const id = `B${i}`;
    const due = begin + (i * 1000) / o.rate;
    if (now() < due) await sleep(due - now());
    awaited = id;
    const acked = new Promise<void>((r) => (wake = r));
    send(id, i);
    if (!acks.has(id)) {
      let limit: NodeJS.Timeout | undefined;
      await Promise.race([acked, new Promise<void>((r) => (limit = setTimeout(r, 1000)))]);
      clearTimeout(limit);
    }
  }
  loop.disable();
  const a = await timed.finish();
  const lat: number[] = [];
  let timeouts = 0;
  for (let i = 0; i < o.parents; i++) {
    const t = a.first.get(`B${i}`);
    if (t === undefined) timeouts++;
    else lat.push(t - sent.get(`B${i}`)!);
  }

  // the rate: a fresh world, and a burst of parents at once (until the last of them has had a child at a venue)
  const piped = await startWorld(o, sync, onAck);
  const sendBurst = sender(piped);
  const burst = Math.min(2000, o.parents);
  const ids = Array.from({ length: burst }, (_, i) => `Q${i}`);
  const t0 = now();
  ids.forEach((id, i) => sendBurst(id, i));
  const deadline = t0 + 60_000;
  while (ids.some((id) => !acks.has(id)) && now() < deadline) await sleep(1);
  const b = await piped.finish();
  const reached = ids.filter((id) => b.first.has(id));
  const last = Math.max(...reached.map((id) => b.first.get(id)!));
  return {
    sync,
    latency: stats(lat),
    // the router's own part of the same parents' path, measured inside it: bytes read → first children written
    router_own: a.own,
    timeouts,
    pipelined_parents_per_s: reached.length > 0 ? (reached.length / (last - t0)) * 1000 : null,
    burst: { parents: burst, reached: reached.length },
    replay_mismatches: a.mismatches + b.mismatches,
    // how late this process's own event loop ran (the OMS's side): a floor under the tail it can see
    bench_loop_delay_us: { p50: loop.percentile(50) / 1000, p99: loop.percentile(99) / 1000, max: loop.max / 1000 },
  };
}

/**
 * The peer: a stock jspurefix initiator here sending NewOrderSingles, one at a time, to a stock jspurefix acceptor in a
 * process of its own that echoes each back (fix-peer.ts): the round trip crosses processes twice, as the router's
 * path does (OMS → router → venue).
 */
async function jspurefixRoundTrip(n: number, rate: number): Promise<LatencyStats> {
  const port = await freePort();
  const acceptor = fork(packageFile('dist', 'bench', 'fix-peer.js'), [String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const up = await new Promise<boolean>((ok) => {
    acceptor.once('message', () => ok(true));
    acceptor.once('exit', () => ok(false));
  });
  if (!up) throw new Error('the jspurefix acceptor did not start');
  const lat: number[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  class Sender extends AsciiSession {
    constructor(c: IJsFixConfig) {
      super(c);
    }
    private t0 = 0;
    private i = 0;
    private begin = 0;
    /** The next order: at once (closed loop), or at its turn at the offered rate, as the router's parents go. */
    private next(): void {
      if (this.i >= n) {
        finish();
        return;
      }
      const due = this.begin + (this.i * 1000) / rate;
      if (Number.isFinite(rate) && now() < due) {
        setTimeout(() => this.go(), due - now());
        return;
      }
      this.go();
    }
    private go(): void {
      this.t0 = now();
      this.send('D', {
        ClOrdID: `J${this.i++}`,
        HandlInst: '1',
        Instrument: { Symbol: 'GOOG' },
        Side: '1',
        TransactTime: new Date(),
        OrderQtyData: { OrderQty: 100 },
        OrdType: '1',
      });
    }
    protected override onApplicationMsg(msgType: string): void {
      if (msgType !== 'D') return;
      lat.push(now() - this.t0);
      this.next();
    }
    protected override onLogon(): boolean {
      return true;
    }
    protected override onReady(): void {
      this.begin = now();
      this.next();
    }
    protected override onStopped(): void {}
    protected override onDecoded(): void {}
    protected override onEncoded(): void {}
  }
  class Launcher extends SessionLauncher {
    constructor() {
      super(peerSession('initiator', port) as never, null, { logger: () => QUIET } as never);
      this.root = jspurefixRoot();
    }
    protected override makeFactory(config: IJsFixConfig) {
      return { makeSession: () => new Sender(config) } as never;
    }
  }
  const l = new Launcher();
  let failed: unknown = null;
  void l.run().catch((e) => {
    failed = e;
    finish();
  });
  const limit = setTimeout(finish, 120_000);
  await finished;
  clearTimeout(limit);
  l.stop();
  acceptor.kill();
  if (lat.length < n) throw new Error(`the jspurefix peer made ${lat.length} of ${n} round trips${failed ? `: ${(failed as Error).message}` : ''}`);
  return stats(lat);
}

export async function runFixBench(o: FixBenchOptions): Promise<FixBenchResult> {
  const modes: FixBenchResult['modes'] = [];
  for (const sync of o.syncModes) modes.push(await routerRun(o, sync));
  const name = 'jspurefix 5.11.4 initiator → acceptor (its own process) echo, NewOrderSingle round trip';
  const peerRun = async (rate: number): Promise<FixBenchResult['peer']> => {
    const what = `${name}, ${Number.isFinite(rate) ? `one every ${1000 / rate} ms (the router's offered rate)` : 'closed loop (the next at once)'}`;
    try {
      return { name: what, latency: await jspurefixRoundTrip(o.parents, rate) };
    } catch (e) {
      return { name: what, latency: null, error: (e as Error).message };
    }
  };
  // the peer at the router's own offered rate (the same gaps between orders: the comparison), and closed loop
  const peer = await peerRun(o.rate);
  const peerClosedLoop = await peerRun(Infinity);
  const ratio = (p: FixBenchResult['peer']) => {
    const r: Record<string, number> = {};
    if (p.latency) for (const m of modes) r[m.sync] = m.latency.p99_us / p.latency.p99_us;
    return r;
  };
  return {
    parents: o.parents,
    rate: o.rate,
    modes,
    peer,
    peer_closed_loop: peerClosedLoop,
    p99_ratio: ratio(peer),
    p99_ratio_closed_loop: ratio(peerClosedLoop),
  };
}
