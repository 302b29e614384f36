import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Market } from '../backtest/market.js';
import { controlCall } from '../monitor/control.js';
import { BUY, NS_PER_MINUTE, SELL } from '../core/types.js';
import { hashPassword } from '../fix/auth.js';
import { freePort, serve } from '../live/chaos.js';
import { readJournal } from '../live/journal.js';
import { replayJournal } from '../live/router.js';
import { omsSession } from '../live/service.js';
import { VenueSimulator } from '../live/venues.js';
import { encodeParentOrder } from '../fix/parent-orders.js';
import { MSG } from '../fix/tags.js';

export interface HaltBenchOptions {
  market: Market;
  trials: number;
  /** Market time per wall time. */
  speed: number;
}

/** Exact order statistics of a sample, ms. */
function ms(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000) / 1000;
  return { n: s.length, p50_ms: q(0.5), p90_ms: q(0.9), p99_ms: q(0.99), max_ms: q(1) };
}

/**
 * `sor bench halt`: the halt drill over the live stack on loopback. The venues (the default market, real time × speed)
 * in this process, the router as `sor serve` in its own, an OMS session. Each trial: a new parent (the rule router:
 * dark pings rest at the pools, a slice at the lit touch), the earlier ones still working; once the router has
 * children working, `halt` through the control API, timed from the call to its answer, which comes once every
 * working child is confirmed cancelled by its venue; then `resume`. After the trials, the router's journal is read:
 * no child order may have left between a halt and its resume, and the journal must replay to the same outputs.
 */
export async function runHaltBench(o: HaltBenchOptions) {
  const sim = new VenueSimulator({ market: o.market, seed: 1, speed: o.speed });
  await sim.start();
  const dir = mkdtempSync(join(tmpdir(), 'sor-halt-'));
  const password = randomBytes(18).toString('base64url');
  const token = randomBytes(18).toString('base64url');
  const omsPort = await freePort();
  const configFile = join(dir, 'router.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...sim.routerConfig({ passwordHash: hashPassword(password), journalDir: join(dir, 'state'), sync: 'every', omsPort, policy: 'twap', decisionSeconds: 2 }),
      control: { tokens: [{ who: 'bench', tokenHash: hashPassword(token, randomBytes(16), 1024) }] },
    }),
  );
  const router = serve(configFile);
  const ready = await router.ready;
  if (!ready) {
    await sim.stop();
    throw new Error(`sor serve did not start: ${router.err().trim()}`);
  }
  const base = `http://127.0.0.1:${ready.controlPort}`;
  const call = (action: string) => controlCall(base, token, action) as Promise<Record<string, number | string>>;
  const oms = await omsSession({ port: omsPort, password, onMessage: () => {} });
  const total: number[] = [];
  const server: number[] = [];
  const workingBefore: number[] = [];
  let notCancelled = 0;
  let noChildren = 0;
  try {
    await oms.start();
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < o.trials; i++) {
      const now = sim.clock.now();
      oms.session.send(
        MSG.NewOrderSingle,
        encodeParentOrder({
          clOrdId: `HB${i + 1}`,
          symbol: sim.symbol,
          side: i % 2 === 0 ? BUY : SELL,
          transactTime: sim.clock.fix(now),
          qty: 20_000,
          expireTime: sim.clock.fix(now + 60 * NS_PER_MINUTE),
        }),
      );
      // wait for children at work (up to 2 s), as the status reads
      const until = Date.now() + 2000;
      let open = 0;
      while (Date.now() < until) {
        const st = (await call('status')) as unknown as { open_orders: { total: number } };
        open = st.open_orders.total;
        if (open > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      if (open === 0) noChildren++;
      // a moment for the market to move, at a random-ish point of the decision cycle
      await new Promise((r) => setTimeout(r, 30 + ((i * 37) % 200)));
      const t0 = performance.now();
      const a = await call('halt');
      total.push(performance.now() - t0);
      server.push(Number(a.ms));
      workingBefore.push(Number(a.working_before));
      if (Number(a.working_after) !== 0) notCancelled++;
      await call('resume');
    }
  } finally {
    await oms.stop(300);
    router.child.kill('SIGTERM');
    await router.stopped;
    await sim.stop();
  }
  // the journal: nothing new sent while halted, every halt by the bench, and the same outputs again on replay
  const records = readJournal(join(dir, 'state', 'router.journal'));
  let halted = false;
  let sentWhileHalted = 0;
  let halts = 0;
  for (const r of records) {
    if (r.k === 'control' && r.who === 'bench') {
      if (r.action === 'halt') {
        halted = true;
        halts++;
      } else if (r.action === 'resume') halted = false;
    }
    if (halted && r.k === 'to-venue' && r.type === 'D') sentWhileHalted++;
  }
  const replay = replayJournal(records);
  return {
    benchmark: 'halt',
    what: '`halt` through the control API over the live stack (venues, sor serve, an OMS session on loopback): the call to its answer, which comes once every working child is confirmed cancelled by its venue',
    trials: o.trials,
    speed: o.speed,
    halt_to_all_cancelled: ms(total),
    /** The router's own part: the halt journaled and applied → the last cancel confirmed (excludes HTTP and the token check). */
    router_side: ms(server),
    working_children_at_halt: {
      min: Math.min(...workingBefore),
      mean: workingBefore.reduce((a, b) => a + b, 0) / Math.max(1, workingBefore.length),
      max: Math.max(...workingBefore),
    },
    trials_without_children: noChildren,
    trials_not_all_cancelled: notCancelled,
    halts_journaled: halts,
    children_sent_while_halted: sentWhileHalted,
    replay_mismatches: replay.mismatches.length,
  };
}
