import type { LatencySummary } from '../core/latency.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Market } from '../backtest/market.js';
import { packageFile } from '../core/paths.js';
import { Rng } from '../core/rng.js';
import { BUY, NS_PER_SECOND, SELL } from '../core/types.js';
import { hashPassword } from '../fix/auth.js';
import { decodeExecutionReport, FINAL_ORD_STATUS } from '../fix/child-orders.js';
import type { Received } from '../fix/session.js';
import { EXEC_TYPE, MSG, TAG } from '../fix/tags.js';
import { readJournal } from './journal.js';
import { replayJournal } from './router.js';
import { omsSession } from './service.js';
import { VenueSimulator } from './venues.js';
import { encodeParentOrder } from '../fix/parent-orders.js';

/**
 * `sor live chaos`: parents through the live stack while the router, a separate `sor serve` process, is killed with
 * SIGKILL at random moments (a seeded draw) and started again on the same journal. Afterwards the three records must
 * agree: the fills the OMS was told (by unique ExecID), the journal's, and the venues'; no child may have reached a
 * venue twice (by ClOrdID, or with the same content); no fill may be lost or counted twice; every parent must end.
 */
export interface ChaosOptions {
  market: Market;
  seed: number;
  orders: number;
  kills: number;
  speed: number;
  horizonSeconds: number;
  policy: string;
  dir?: string;
  /** Wall seconds to wait for every parent to end after the last kill. */
  timeoutSeconds?: number;
}

export interface ChaosResult {
  kills: number;
  orders: number;
  ended: number;
  oms_shares: number;
  journal_shares: number;
  venue_shares: number;
  /** Shares the venues filled that the OMS was never told of, and shares told twice (two ExecIDs, or one twice). */
  lost_shares: number;
  duplicated_shares: number;
  duplicate_exec_ids: number;
  /** NewOrderSingles that reached a venue more than once, by ClOrdID and by content. */
  children_sent_twice: number;
  children_same_content: number;
  children: number;
  /** Kills that came while the router was still starting (replaying its journal). */
  killed_starting: number;
  /** Per restart that found a journal: records replayed, outputs sent late (regenerated), handed over late (journaled, never given to their session), mismatches. */
  recoveries: { records: number; inputs: number; resent: number; handed_over_late: number; mismatches: number }[];
  replay_mismatches: number;
  journal: string;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

export interface Ready {
  omsPort: number;
  controlPort: number;
  recovery: { records: number; inputs: number; resent: number; handedOverLate: number; mismatches: string[] };
}

export interface Serve {
  child: ChildProcess;
  /** Resolves with the ready line; null if the process died first (killed while it recovered). */
  ready: Promise<Ready | null>;
  /** Resolves with the line it prints as it stops (after a SIGTERM); null if it died without one. */
  stopped: Promise<Stopped | null>;
  err: () => string;
}

export interface Stopped {
  /** The router's own part of each parent's path: its bytes read → its first children written, µs. */
  parent_to_first_child: LatencySummary;
}

export function serve(config: string, nodeArgs: string[] = []): Serve {
  const child = spawn(process.execPath, [...nodeArgs, packageFile('bin', 'sor.js'), 'serve', '--config', config, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  let out = '';
  const line = (start: string) => out.split('\n').find((l) => l.startsWith(start) && out.includes('\n', out.indexOf(l)));
  const ready = new Promise<Ready | null>((ok) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const l = line('{"ready"');
      if (l) ok(JSON.parse(l) as Ready);
    });
    child.on('exit', () => ok(null));
  });
  const stopped = new Promise<Stopped | null>((ok) =>
    child.on('exit', () => {
      const l = line('{"stopped"');
      ok(l ? (JSON.parse(l) as Stopped) : null);
    }),
  );
  return { child, ready, stopped, err: () => err };
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const sim = new VenueSimulator({ market: o.market, seed: o.seed, speed: o.speed });
  await sim.start();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'sor-chaos-'));
  const password = randomBytes(18).toString('base64url');
  const scenario = o.market.scenario;
  const omsPort = await freePort();
  const configFile = join(dir, 'router.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      sim.routerConfig({
        passwordHash: hashPassword(password),
        journalDir: join(dir, 'state'),
        sync: 'os',
        omsPort,
        policy: o.policy,
        horizonMinutes: o.horizonSeconds / 60,
      }),
    ),
  );
  const recoveries: ChaosResult['recoveries'] = [];
  const note = (r: Ready | null) => {
    if (r && r.recovery.records > 0)
      recoveries.push({
        records: r.recovery.records,
        inputs: r.recovery.inputs,
        resent: r.recovery.resent,
        handed_over_late: r.recovery.handedOverLate,
        mismatches: r.recovery.mismatches.length,
      });
  };
  let current = serve(configFile);
  if (!(await current.ready)) throw new Error(`sor serve did not start: ${current.err().trim()}`);
  let killedStarting = 0;
  const got: Received[] = [];
  const oms = await omsSession({ port: omsPort, password, onMessage: (m) => void got.push(m), reconnectMs: 100 });
  const rng = Rng.stream(o.seed, 'chaos');
  const sent: string[] = [];
  try {
    await oms.start();
    const wallMs = (o.horizonSeconds * 1000) / o.speed;
    // kills at random moments over the parents' horizon, orders sent over its first half
    const killAt = Array.from({ length: o.kills }, () => rng.float() * wallMs).sort((a, b) => a - b);
    const orderAt = Array.from({ length: o.orders }, (_, i) => (i * wallMs) / 2 / o.orders);
    const t0 = Date.now();
    let k = 0;
    let i = 0;
    while (k < killAt.length || i < orderAt.length) {
      const nextKill = killAt[k] ?? Infinity;
      const nextOrder = orderAt[i] ?? Infinity;
      const wait = Math.min(nextKill, nextOrder) - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (nextOrder <= nextKill) {
        const clOrdId = `OMS1-${i + 1}`;
        const start = sim.clock.now();
        // (the draws in the order they always were: the side, then the size)
        const side = rng.bernoulli(0.5) ? BUY : SELL;
        const qty = 100 * (2 + rng.int(19));
        oms.session.send(
          MSG.NewOrderSingle,
          encodeParentOrder({
            clOrdId,
            symbol: scenario.symbol,
            side,
            transactTime: sim.clock.fix(start),
            qty,
            expireTime: sim.clock.fix(start + o.horizonSeconds * NS_PER_SECOND),
          }),
        );
        sent.push(clOrdId);
        i++;
      } else {
        // killed wherever it is: trading, or still replaying its journal after the last kill
        const exited = new Promise<void>((r) => (current.child.exitCode !== null ? r() : current.child.once('exit', () => r())));
        const was = current;
        current.child.kill('SIGKILL');
        await exited;
        if ((await Promise.race([was.ready, Promise.resolve('pending' as const)])) === null) killedStarting++;
        current = serve(configFile);
        void current.ready.then(note);
        k++;
      }
    }
    if (!(await current.ready)) throw new Error(`sor serve did not restart: ${current.err().trim()}`);
    const ended = (id: string) =>
      got.some((m) => m.type === MSG.ExecutionReport && m.map.get(TAG.ClOrdID) === id && FINAL_ORD_STATUS.has(m.map.get(TAG.OrdStatus) ?? ''));
    const deadline = Date.now() + (o.timeoutSeconds ?? 30 + (1.5 * o.horizonSeconds) / o.speed) * 1000;
    while (!sent.every(ended) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<void>((r) => current.child.once('exit', () => r()));
    current.child.kill('SIGTERM');
    await exited;

    // the three records
    const journalFile = join(dir, 'state', 'router.journal');
    const records = readJournal(journalFile);
    const replay = replayJournal(records);
    const fills = got.filter((m) => m.type === MSG.ExecutionReport && m.map.get(TAG.ExecType) === EXEC_TYPE.Trade).map((m) => decodeExecutionReport(m.fields));
    const byExec = new Map<string, number>();
    let duplicateExecIds = 0;
    let duplicated = 0;
    const omsByParent = new Map<string, number>();
    for (const f of fills) {
      const q = f.lastQty ?? NaN;
      if (byExec.has(f.execId)) {
        duplicateExecIds++;
        duplicated += q;
        continue;
      }
      byExec.set(f.execId, q);
      omsByParent.set(f.clOrdId, (omsByParent.get(f.clOrdId) ?? 0) + q);
    }
    const journalByParent = new Map<string, number>();
    for (const r of records) {
      if (r.k !== 'to-oms' || r.type !== MSG.ExecutionReport) continue;
      const er = decodeExecutionReport(r.body);
      if (er.execType !== EXEC_TYPE.Trade) continue;
      journalByParent.set(er.clOrdId, (journalByParent.get(er.clOrdId) ?? 0) + (er.lastQty ?? NaN));
    }
    const venueByParent = new Map<string, number>();
    for (const f of sim.fills()) {
      const parent = replay.childParent[/^C\d+/.exec(f.clOrdId)?.[0] ?? ''] ?? '?';
      venueByParent.set(parent, (venueByParent.get(parent) ?? 0) + f.qty);
    }
    let lost = 0;
    for (const [p, v] of venueByParent) {
      const told = omsByParent.get(p) ?? 0;
      if (told < v) lost += v - told;
      if (told > v) duplicated += told - v;
    }
    const received = sim.received();
    const byId = new Map<string, number>();
    const byBody = new Map<string, number>();
    for (const r of received) {
      byId.set(`${r.venue}|${r.clOrdId}`, (byId.get(`${r.venue}|${r.clOrdId}`) ?? 0) + 1);
      // the same content twice for one parent (two parents may well send the same ping at the same moment)
      const parent = replay.childParent[/^C\d+/.exec(r.clOrdId)?.[0] ?? ''] ?? '?';
      const key = `${parent}|${r.venue}|${r.body.replace(/\["11","[^"]*"\],?/, '')}`;
      byBody.set(key, (byBody.get(key) ?? 0) + 1);
    }
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return {
      kills: o.kills,
      orders: o.orders,
      ended: sent.filter(ended).length,
      oms_shares: sum(omsByParent),
      journal_shares: sum(journalByParent),
      venue_shares: sum(venueByParent),
      lost_shares: lost,
      duplicated_shares: duplicated,
      duplicate_exec_ids: duplicateExecIds,
      children_sent_twice: [...byId.values()].filter((n) => n > 1).length,
      children_same_content: [...byBody.values()].filter((n) => n > 1).length,
      children: received.length,
      killed_starting: killedStarting,
      recoveries,
      replay_mismatches: replay.mismatches.length,
      journal: journalFile,
    };
  } finally {
    if (current.child.exitCode === null) current.child.kill('SIGKILL');
    await oms.stop(300);
    await sim.stop();
  }
}
