import { Rng } from '../core/rng.js';
import { NS_PER_MINUTE, NS_PER_SECOND } from '../core/types.js';
import { MlModels, type MlModelArtifacts } from '../router/ml/models.js';
import { policies } from '../router/policies.js';
import { SimRouter } from '../router/sim-adapter.js';
import { MARKOUT_HORIZONS_S } from '../tca/benchmarks.js';
import { evaluateRun, type OrderResult, type RunRecord } from '../tca/results.js';
import { sqrtLawCoefficient } from './market.js';
import { sabotageModels } from '../router/ml/sabotage.js';
import type { BacktestOrder, BacktestSpec } from './spec.js';
import { buildWorld, recordMids, recordTrades } from './world.js';

/** How long after the horizon a run goes on: the expiry's settling second and the longest markout. */
const AFTER_NS = (2 + Math.max(...MARKOUT_HORIZONS_S)) * NS_PER_SECOND;

/** The models' forward passes, built once per thread for the artifacts it was given. */
let built: { from: MlModelArtifacts; models: MlModels } | null = null;
function mlModels(a: MlModelArtifacts): MlModels {
  if (built?.from !== a) built = { from: a, models: new MlModels(a) };
  return built.models;
}

/**
 * One run of an order's market path: under `policy`, or (null) without the order, the baseline every policy's run is
 * measured against. The baseline has a router too, idle: its feed subscriptions draw latencies as the policies'
 * runs do; where a policy routes by the models, the router keeps the streaming features too (no random draw, the
 * path is the same).
 */
function runOne(spec: BacktestSpec, o: BacktestOrder, policy: string | null): RunRecord {
  const learnt = policy !== null && spec.models && policies.kind(policy).models ? mlModels(spec.models) : undefined;
  // sabotaged, where the spec asks: each run's own seeded stream of bad outputs
  const models =
    learnt && spec.sabotage ? sabotageModels(learnt, spec.sabotage, Rng.stream(o.seed, `sabotage:${policy}`), spec.limits?.models.maxCostBps).models : learnt;
  const features = models ? { adv: spec.adv, longRunVolBps: spec.volBps ?? NaN } : undefined;
  const world = buildWorld({ market: spec, seed: o.seed, startNs: o.start - spec.warmupMinutes * NS_PER_MINUTE }, (s) => {
    const rec: RunRecord = {
      path: recordMids(s),
      tape: recordTrades(s),
      arrival: NaN,
      fills: [],
      decisions: [],
      sent: new Map(),
      litVenues: new Set(s.lit.map((v) => v.name)),
      state: 'none',
      arrivalSpread: NaN,
      channels: { take: 0, post: 0, dark: 0 },
      pings: new Map(),
      guard: { refused: {}, anomalies: {}, fallback_decisions: 0 },
    };
    const router = new SimRouter(
      s,
      {
        onChild: (c) => {
          const x = rec.sent.get(c.venue) ?? { children: 0, shares: 0 };
          x.children++;
          x.shares += c.qty;
          rec.sent.set(c.venue, x);
          if (spec.recordPings && !rec.litVenues.has(c.venue)) rec.pings.set(c.clOrdId, { venue: c.venue, sent: c.qty, filled: 0 });
        },
        onFill: (f) => {
          rec.fills.push({ time: f.time, price: f.price, qty: f.qty, fee: f.fee, venue: f.venue });
          rec.channels[!rec.litVenues.has(f.venue) ? 'dark' : f.liquidity === 'take' ? 'take' : 'post'] += f.qty;
          const ping = rec.pings.get(f.clOrdId);
          if (ping) ping.filled += f.qty;
        },
        onDecision: (d) => rec.decisions.push(d),
      },
      features,
      spec.limits,
    );
    return { rec, router };
  });
  const { rec, router } = world.bound;
  const s = world.session;
  world.start();
  world.run(o.start);
  rec.arrival = s.nbbo.lastMid;
  rec.arrivalSpread = s.nbbo.ask - s.nbbo.bid;
  if (policy !== null) {
    const p = policies.build(policy, spec.policyOptions?.[policy], {
      decisionNs: spec.decisionSeconds * NS_PER_SECOND,
      profile: spec.profile,
      adv: spec.adv,
      rng: Rng.stream(o.seed, `policy:${policy}`),
      ...(models ? { models } : {}),
    });
    const denied = router.engine.onParent({ id: `P${o.index}`, side: o.side, qty: o.qty, start: o.start, end: o.end }, p);
    // refused by the guardrails (a state, the restricted list, credit): a run with nothing traded, and its reason
    if (denied) rec.state = `rejected: ${denied.code}`;
  }
  world.run(o.end + AFTER_NS);
  if (policy !== null && rec.state === 'none') rec.state = router.engine.om.parent(`P${o.index}`).state;
  const e = router.engine;
  rec.guard = { refused: { ...e.risk.denials }, anomalies: { ...e.models.anomalies }, fallback_decisions: e.models.fallbackDecisions };
  return rec;
}

/** Runs one parent order under every policy, and once without it, on the same market path. */
export function runOrder(spec: BacktestSpec, o: BacktestOrder): OrderResult {
  // a failure names the order and policy, so that it can be run again alone (runOrder with that order)
  const one = (name: string | null) => {
    try {
      return runOne(spec, o, name);
    } catch (e) {
      throw new Error(`backtest order ${o.index} (seed ${o.seed}, ${name ?? 'baseline'}): ${(e as Error).message}`, { cause: e });
    }
  };
  const base = one(null);
  const costs = { adv: spec.adv, sqrtLaw: sqrtLawCoefficient(spec.scenario), ...(spec.recordPings ? { recordPings: true } : {}) };
  const runs = spec.policies.map((name) => {
    const r = one(name);
    if (r.arrival !== base.arrival) throw new Error(`order ${o.index}: the ${name} run's market differs from the baseline's before the order starts`);
    return evaluateRun(o, name, r, base, costs);
  });
  return { order: o, arrival_mid: base.arrival, runs };
}
