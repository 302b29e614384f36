import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AsciiSession, SessionLauncher, type IJsFixConfig, type MsgView } from 'jspurefix';
import type { Market } from '../backtest/market.js';
import { NS_PER_SECOND } from '../core/types.js';
import { hashPassword } from '../fix/auth.js';
import { loadDictionary } from '../fix/dictionary.js';
import { FixInitiator } from '../fix/initiator.js';
import { parseRouterConfig, type RouterConfig } from '../live/config.js';
import { freePort } from '../live/chaos.js';
import { OMS_EXTENSION, RouterService } from '../live/service.js';
import { VenueSimulator } from '../live/venues.js';

/**
 * `sor bench fix`: a parent NewOrderSingle into the router's OMS session → the first child NewOrderSingle received at
 * a venue, on loopback (OMS client, router service and venue simulator in this process, each on its own sockets),
 * one parent at a time for the latency and all at once for the rate; for each journal sync mode. The peer, in the
 * same run: a bare jspurefix initiator sending NewOrderSingles to a jspurefix acceptor that echoes them, the round
 * trip timed the same way.
 */
export interface FixBenchOptions {
  market: Market;
  parents: number;
  syncModes: RouterConfig['journal']['sync'][];
}

export interface LatencyStats {
  n: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
}

export interface FixBenchResult {
  parents: number;
  modes: { sync: string; latency: LatencyStats; timeouts: number; pipelined_parents_per_s: number }[];
  peer: { name: string; latency: LatencyStats | null; error?: string };
  /** Each mode's p99 over the peer's (absent without a peer). */
  p99_ratio: Record<string, number>;
}

const now = () => performance.now();

function stats(xs: number[]): LatencyStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000;
  return { n: s.length, p50_us: q(0.5), p99_us: q(0.99), p999_us: q(0.999), max_us: s[s.length - 1]! * 1000 };
}

async function routerRun(o: FixBenchOptions, sync: RouterConfig['journal']['sync']) {
  // the first child of each parent to reach a venue, by the parent's ClOrdID
  const first = new Map<string, number>();
  let service: RouterService | null = null;
  const sim = new VenueSimulator({
    market: o.market,
    seed: 1,
    speed: 1,
    onOrder: (clOrdId) => {
      const t = now();
      const parent = service?.router.parentOf(clOrdId);
      if (parent !== undefined && !first.has(parent)) first.set(parent, t);
    },
  });
  const ends = await sim.start();
  const fees = sim.fees();
  const scenario = o.market.scenario;
  service = new RouterService(
    parseRouterConfig({
      symbol: scenario.symbol,
      tick: scenario.tick,
      oms: { sessions: [{ compId: 'OMS1', username: 'desk', passwordHash: hashPassword('bench-password') }] },
      venues: ends.map((e) => ({ name: e.name, kind: e.kind, port: e.port, ...fees[e.name] })),
      clock: sim.clock.spec,
      policy: { default: 'rule', decisionSeconds: 5 },
      journal: { dir: mkdtempSync(join(tmpdir(), 'sor-bench-fix-')), sync },
    }),
  );
  await service.start();
  const oms = new FixInitiator(
    {
      beginString: 'FIX.4.4',
      senderCompID: 'OMS1',
      targetCompID: 'SOR',
      dictionary: await loadDictionary('FIX44', OMS_EXTENSION),
      credentials: { username: 'desk', password: 'bench-password' },
    },
    () => {},
    { port: service.omsPort },
  );
  await oms.start();
  // the market's books filled from its feed before the first parent
  await new Promise((r) => setTimeout(r, 500));
  const send = (id: string, i: number) =>
    oms.session.send('D', [
      ['11', id],
      ['21', '1'],
      ['55', scenario.symbol],
      ['54', i % 2 ? '1' : '2'],
      ['60', sim.clock.fix(sim.clock.now())],
      ['38', '100'],
      ['40', '1'],
      ['126', sim.clock.fix(sim.clock.now() + 2 * NS_PER_SECOND)],
    ]);
  const lat: number[] = [];
  let timeouts = 0;
  for (let i = 0; i < o.parents; i++) {
    const id = `B${i}`;
    const t0 = now();
    send(id, i);
    const deadline = t0 + 1000;
    while (!first.has(id) && now() < deadline) await new Promise((r) => setImmediate(r));
    const t = first.get(id);
    if (t === undefined) timeouts++;
    else lat.push(t - t0);
  }
  // pipelined: a burst of parents at once, until each has had a child at a venue
  const burst = Math.min(2000, o.parents);
  const ids = Array.from({ length: burst }, (_, i) => `Q${i}`);
  const t0 = now();
  ids.forEach((id, i) => send(id, i));
  const deadline = t0 + 60_000;
  while (ids.some((id) => !first.has(id)) && now() < deadline) await new Promise((r) => setTimeout(r, 1));
  const last = Math.max(...ids.map((id) => first.get(id) ?? now()));
  const rate = (ids.filter((id) => first.has(id)).length / (last - t0)) * 1000;
  await oms.stop(300);
  await service.stop();
  await sim.stop();
  return { sync, latency: stats(lat), timeouts, pipelined_parents_per_s: rate };
}

/** The peer: a jspurefix initiator and an echoing jspurefix acceptor, both stock, NewOrderSingle round trips. */
async function jspurefixRoundTrip(n: number): Promise<LatencyStats> {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('jspurefix/package.json'));
  const port = await freePort();
  const lat: number[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
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
  class Sender extends AsciiSession {
    constructor(c: IJsFixConfig) {
      super(c);
    }
    private t0 = 0;
    private i = 0;
    private next(): void {
      if (this.i >= n) {
        finish();
        return;
      }
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
      this.next();
    }
    protected override onStopped(): void {}
    protected override onDecoded(): void {}
    protected override onEncoded(): void {}
  }
  const session = (type: 'initiator' | 'acceptor') => ({
    application: { type, name: type, reconnectSeconds: 0, tcp: { host: '127.0.0.1', port }, protocol: 'ascii', dictionary: join(root, 'data/FIX44.xml') },
    Username: 'u',
    Password: 'p',
    EncryptMethod: 0,
    ResetSeqNumFlag: true,
    HeartBtInt: 30,
    SenderCompId: type === 'initiator' ? 'INIT' : 'ACC',
    TargetCompID: type === 'initiator' ? 'ACC' : 'INIT',
    BeginString: 'FIX.4.4',
  });
  class Launcher extends SessionLauncher {
    constructor() {
      super(session('initiator') as never, session('acceptor') as never, { logger: () => ({ info() {}, warning() {}, error() {}, debug() {} }) } as never);
      this.root = root;
    }
    protected override makeFactory(config: IJsFixConfig) {
      const isInit = (config.description.application as { type: string }).type === 'initiator';
      return { makeSession: () => (isInit ? new Sender(config) : new Echo(config)) } as never;
    }
  }
  const l = new Launcher();
  let failed: unknown = null;
  void l.run().catch((e) => {
    failed = e;
    finish();
  });
  const limit = setTimeout(finish, 60_000);
  await finished;
  clearTimeout(limit);
  l.stop();
  if (lat.length < n) throw new Error(`the jspurefix peer made ${lat.length} of ${n} round trips${failed ? `: ${(failed as Error).message}` : ''}`);
  return stats(lat);
}

export async function runFixBench(o: FixBenchOptions): Promise<FixBenchResult> {
  const modes = [];
  for (const sync of o.syncModes) modes.push(await routerRun(o, sync));
  const name = 'jspurefix 5.11.4 initiator → acceptor echo, NewOrderSingle round trip';
  let peer: FixBenchResult['peer'];
  try {
    peer = { name, latency: await jspurefixRoundTrip(o.parents) };
  } catch (e) {
    peer = { name, latency: null, error: (e as Error).message };
  }
  const p99_ratio: Record<string, number> = {};
  if (peer.latency) for (const m of modes) p99_ratio[m.sync] = m.latency.p99_us / peer.latency.p99_us;
  return { parents: o.parents, modes, peer, p99_ratio };
}
