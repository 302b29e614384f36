import { describe, expect, it } from 'vitest';
import { marketFacts } from '../../src/backtest/market.js';
import { Rng } from '../../src/core/rng.js';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND } from '../../src/core/types.js';
import { ChildAudit } from '../../src/risk/audit.js';
import { AuditedSimRouter, riskFuzz } from '../../src/backtest/risk-fuzz.js';
import { DEFAULT_LIMITS, parseRiskLimits, type RiskLimits } from '../../src/risk/limits.js';
import { ModelCheck } from '../../src/risk/model-check.js';
import { sabotageModels, type SabotageKind } from '../../src/router/ml/sabotage.js';
import type { AnomalyRecord } from '../../src/risk/model-check.js';
import type { MlModels } from '../../src/router/ml/models.js';
import { policies } from '../../src/router/policies.js';
import { clockToNs, loadScenarioFile } from '../../src/sim/scenario.js';
import { buildSession, startSession } from '../../src/sim/session.js';
import type { OrderMessage } from '../../src/venue/types.js';
import { smallModels } from '../helpers/ml-models.js';
import { F, N_FEATURES } from '../../src/features/engine.js';
import { transformInto } from '../../src/models/inputs.js';

const file = 'scenarios/default.json';
const scenario = loadScenarioFile(file);
const facts = marketFacts(scenario, file);

describe('ModelCheck: each model output is checked before use', () => {
  const L = DEFAULT_LIMITS.models;
  it('passes what is in range and keeps the first anomaly of a decision, with what and why', () => {
    const c = new ModelCheck(L);
    c.begin();
    c.prob('fill', 0);
    c.prob('fill', 1);
    c.cost('impact', -L.maxCostBps);
    c.variance('volatility', 0);
    c.features('probe input', { z: L.maxFeatureZ, name: 'queue_ahead' });
    expect(c.reason).toBeNull();
    c.prob('fill', 1.0000001);
    c.cost('impact', NaN);
    expect(c.reason).toBe('fill: probability 1.0000001');
    for (const [f, why] of [
      [() => c.prob('adverse move', NaN), 'adverse move: probability NaN'],
      [() => c.prob('fill', -0.1), 'fill: probability -0.1'],
      [() => c.cost('later', Infinity), `later: Infinity bps, beyond ±${L.maxCostBps}`],
      [() => c.cost('toxicity', -L.maxCostBps - 1), `toxicity: ${-L.maxCostBps - 1} bps, beyond ±${L.maxCostBps}`],
      [() => c.variance('volatility', -1e-9), 'volatility: variance -1e-9'],
      [() => c.variance('volatility', Infinity), 'volatility: variance Infinity'],
      [() => c.features('impact input', { z: NaN, name: 'spread_bps' }), 'impact input: feature spread_bps NaN sd from its training mean, beyond 100'],
      [() => c.features('probe input', { z: 100.5, name: 'trade_rate' }), 'probe input: feature trade_rate 100.5 sd from its training mean, beyond 100'],
    ] as const) {
      c.begin();
      f();
      expect(c.reason).toBe(why);
    }
  });

  it('times the inference against its budget on a wall clock, and not without one', () => {
    let wall = 0;
    const c = new ModelCheck({ ...L, inferenceBudgetUs: 500 }, () => wall);
    c.begin();
    wall += 500;
    c.timed();
    expect(c.reason).toBeNull();
    c.begin();
    wall += 501;
    c.timed();
    expect(c.reason).toBe('inference: 501 µs, over the 500 µs budget');
    const noClock = new ModelCheck({ ...L, inferenceBudgetUs: 1e-9 });
    noClock.begin();
    noClock.timed();
    expect(noClock.reason).toBeNull();
  });
});

/** ml (or another policy) on one parent in the default market, every message sent and every anomaly kept. */
async function runOne(o: { policy: string; models?: MlModels; limits?: RiskLimits; seed?: number; minutes?: number; reset?: number }) {
  const start = clockToNs('11:00:00');
  const s = buildSession(scenario, o.seed ?? 3, file, undefined, { startNs: start - 5 * NS_PER_MINUTE });
  const anomalies: AnomalyRecord[] = [];
  const resets: string[] = [];
  const w = new AuditedSimRouter(
    s,
    o.limits ?? DEFAULT_LIMITS,
    { onAnomaly: (a) => anomalies.push(a), onModelReset: (e) => resets.push(`${e.parentId} by ${e.who}`) },
    { adv: facts.adv, longRunVolBps: facts.volBps ?? NaN },
    true,
  );
  startSession(s);
  s.kernel.run(start);
  const order = { id: 'P', side: BUY, qty: 6000, start, end: start + (o.minutes ?? 5) * NS_PER_MINUTE };
  const p = policies.build(o.policy, undefined, {
    decisionNs: 10 * NS_PER_SECOND,
    profile: facts.profile,
    adv: facts.adv,
    rng: Rng.stream(1, o.policy),
    ...(o.models ? { models: o.models } : {}),
  });
  expect(w.engine.onParent(order, p)).toBeNull();
  w.audit.parent('P', order.qty);
  if (o.reset !== undefined) {
    s.kernel.run(start + o.reset * NS_PER_SECOND);
    expect(w.engine.models.reset('P', 'ops@desk')).toBe(true);
    expect(w.engine.models.reset('P', 'ops@desk')).toBe(false);
  }
  s.kernel.run(order.end + 10 * NS_PER_SECOND);
  return { w, anomalies, resets, parent: w.engine.om.parent('P') };
}

/** What a run sent, as comparable lines (the children and cancels, with their times). */
const sentLines = (w: AuditedSimRouter) => w.sentLog.map(({ t, venue, msg }) => `${t} ${venue} ${msg.type} ${JSON.stringify(msg as OrderMessage)}`);

describe('model-anomaly fallback: an anomalous decision is the rule router’s', async () => {
  const { models } = await smallModels();

  it('a feature vector is beyond the range exactly when some feature’s standardised value is (bounds computed once)', () => {
    const rng = Rng.stream(9, 'beyond');
    const net = models.fill;
    const t = net.art.transform;
    for (let i = 0; i < 2000; i++) {
      const x = Array.from({ length: N_FEATURES }, (_, j) => {
        const r = rng.float();
        // around the training mean, far from it, missing, or not finite
        const z = r < 0.9 ? (rng.float() - 0.5) * 8 : r < 0.97 ? (rng.float() - 0.5) * 40 : NaN;
        const v = t.mean[j]! + z * t.sd[j]!;
        return t.log1p[j] ? Math.expm1(Math.max(0, v)) : v;
      });
      x[F.side_sign] = rng.bernoulli(0.5) ? 1 : -1;
      const maxZ = 2 + rng.float() * 10;
      let worst = 0;
      const std = new Float64Array(N_FEATURES);
      transformInto(t, x, std);
      for (const z of std) worst = Math.max(worst, Math.abs(z));
      const far = net.beyond(x, maxZ);
      // (a value within 1e-9 of the bound may fall either way)
      if (Math.abs(worst - maxZ) > 1e-9) expect(far !== null).toBe(worst > maxZ);
      if (far) expect(far.z).toBeGreaterThan(maxZ - 1e-9);
    }
  });

  it('a sound model passes every check in the default market (its decisions are its own)', async () => {
    const r = await runOne({ policy: 'ml', models });
    expect(r.anomalies).toEqual([]);
    expect(r.w.engine.models.fallbackDecisions).toBe(0);
    expect(['filled', 'expired']).toContain(r.parent.state);
    // ml rests lots at the lit touches, which the rule router never does
    expect(r.w.sentLog.some((x) => x.msg.type === 'new' && x.msg.ordType === 'limit' && x.msg.postOnly)).toBe(true);
  });

  for (const kind of ['nan', 'huge'] as SabotageKind[]) {
    it(`${kind} outputs: the parent trades exactly as the rule router would, and stays on it after 3 anomalies`, async () => {
      const sab = sabotageModels(models, kind, Rng.stream(1, 'sabotage'));
      const bad = await runOne({ policy: 'ml', models: sab.models });
      const rule = await runOne({ policy: 'rule' });
      expect(sentLines(bad.w)).toEqual(sentLines(rule.w));
      expect(bad.w.sentLog.length).toBeGreaterThan(10);
      // three anomalies, each a decision of the rule router's, then the parent is kept there until a person resets it
      expect(bad.anomalies.map((a) => [a.recent, a.sticky])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]);
      expect(bad.anomalies[0]!.reason).toMatch(kind === 'nan' ? /^volatility: variance NaN$/ : /^σ: .* bps, beyond ±2000$/);
      expect(bad.w.engine.models.fallbackDecisions).toBeGreaterThan(30);
      expect(bad.parent.state).toBe(rule.parent.state);
      expect(bad.parent.cumQty).toBe(rule.parent.cumQty);
    });
  }

  it('a person resets a parent kept on the rule router: it is back on its model, which is checked again', async () => {
    const sab = sabotageModels(models, 'nan', Rng.stream(1, 'sabotage'));
    const r = await runOne({ policy: 'ml', models: sab.models, reset: 95 });
    expect(r.resets).toEqual(['P by ops@desk']);
    // 3 anomalies before the reset, 3 more after it
    expect(r.anomalies.filter((a) => a.sticky).length).toBe(2);
    expect(r.anomalies.length).toBe(6);
    expect(r.anomalies[3]!.time).toBeGreaterThan(clockToNs('11:00:00') + 95 * NS_PER_SECOND);
  });

  it('features far outside the training range are anomalies too', async () => {
    const narrow = parseRiskLimits({ models: { maxFeatureZ: 0.5 } });
    const far = await runOne({ policy: 'ml', models, limits: narrow, minutes: 2 });
    expect(far.anomalies[0]!.reason).toMatch(/^volatility input: feature \w+ [\d.]+ sd from its training mean, beyond 0.5$/);
  });

  it('a backtest with a sabotaged model completes every parent through the fallback, at the rule router’s shortfall', async () => {
    const { backtestBatch } = await import('../../src/backtest/batch.js');
    const { registry } = await smallModels();
    const report = await backtestBatch(
      {
        market: 'default',
        policies: ['ml', 'rule'],
        sharedOptions: {},
        policyOptions: {},
        plugins: [],
        orders: 4,
        seed: 5,
        horizonMinutes: 10,
        minFraction: 0.01,
        maxFraction: 0.02,
        decisionSeconds: 10,
        warmupMinutes: 2,
        models: registry.dir,
        trainMarket: 'default',
        sabotage: 'nan',
      },
      1,
    );
    const [ml, rule] = report.policies;
    expect(ml!.completion).toBe(rule!.completion);
    expect(ml!.is_bps.mean).toBe(rule!.is_bps.mean);
    expect(ml!.guardrails.model_anomalies).toEqual({ volatility: 12 });
    expect(ml!.guardrails.fallback_decisions).toBeGreaterThan(4 * 50);
    expect(rule!.guardrails.fallback_decisions).toBe(0);
  });
});

describe('the independent audit', () => {
  it('finds each kind of breach in a stream of messages and reports', () => {
    const L = parseRiskLimits({
      child: { maxQty: 200, maxNotional: 19_000, collarBps: 10 },
      rate: { perVenuePerSecond: 2, totalPerSecond: 3 },
      openOrders: { perVenue: 2, total: 3 },
      duplicateWindowMs: 1000,
    });
    const a = new ChildAudit(L, 100);
    a.parent('P', 300);
    const q = { bid: 1_000_000, ask: 1_000_100 };
    const S = NS_PER_SECOND;
    let id = 0;
    const child = (t: number, venue: string, qty: number, price = 1_000_000, halted = false): number => {
      a.sent(t, venue, { type: 'new', clOrdId: ++id, side: BUY, ordType: 'limit', price, qty }, 'P', q, halted);
      return id;
    };
    const report = (clOrdId: number, venue: string, kind: 'cancelled' | 'fill', qty = 0) =>
      a.report({ kind, venue, execId: clOrdId, clOrdId, side: BUY, price: 1_000_000, qty, leaves: 0, cumQty: qty, fee: 0, venueTime: 0 });
    const end = (clOrdId: number, venue: string) => report(clOrdId, venue, 'cancelled');
    end(child(0, 'A', 100), 'A');
    expect(a.breaches).toEqual([]);
    end(child(1 * S, 'A', 201), 'A');
    end(child(2 * S, 'A', 200), 'A');
    end(child(3 * S, 'A', 10, 1_200_000), 'A');
    end(child(4 * S, 'A', 10, 1_000_000, true), 'A');
    end(child(4 * S + 1, 'A', 10), 'A');
    const b = [child(6 * S, 'B', 1), child(6 * S + 1, 'B', 2), child(6 * S + 2, 'B', 3)];
    const c = child(6 * S + 3, 'C', 4);
    for (const x of b) end(x, 'B');
    end(c, 'C');
    const d = child(20 * S, 'D', 150);
    report(d, 'D', 'fill', 150);
    const e = child(21 * S, 'E', 151);
    report(e, 'E', 'fill', 151);
    expect(a.breaches.map((x) => x.replace(/^child \d+ \([^)]*\): /, ''))).toEqual([
      'size above 200',
      'notional above 19000',
      'notional above 19000',
      'outside the collar of 1000000 × 1000100',
      'sent while halted',
      'the same order 0.000001 ms after the last',
      '3 orders to B within a second',
      '2 already working at B',
      '4 orders within a second',
      '3 already working',
      'P could fill 301 of 300',
      'parent P filled 301 of 300',
    ]);
    expect(a.breachCount).toBe(12);
    expect(a.children).toBe(12);
    expect(a.open).toBe(0);
  });
});

describe('sor risk fuzz', async () => {
  const { models } = await smallModels();
  it('adversarial model outputs through the real engine: no child breaks a limit, every parent ends', () => {
    const r = riskFuzz({ outputs: 20_000, seed: 3, scenario, file, models, adv: facts.adv, volBps: facts.volBps ?? NaN, profile: facts.profile });
    expect(r.outputs).toBeGreaterThanOrEqual(20_000);
    expect(r.breaches).toBe(0);
    expect(r.first_breaches).toEqual([]);
    expect(r.unended).toEqual([]);
    expect(r.parents_ended).toBe(r.parents);
    // the adversary got through the model checks often enough for the limits to bind, and was caught often too
    expect(r.children_sent).toBeGreaterThan(1000);
    const refused = Object.values(r.children_refused).reduce((x, y) => x + y, 0);
    expect(refused).toBeGreaterThan(1000);
    expect(Object.keys(r.children_refused).length).toBeGreaterThanOrEqual(5);
    expect(Object.values(r.model_anomalies).reduce((x, y) => x + y, 0)).toBeGreaterThan(100);
    expect(r.model_resets).toBeGreaterThan(10);
    // every mode of the adversary was used
    expect(Object.keys(r.outputs_by_mode).sort()).toEqual(['-inf', 'huge', 'inf', 'nan', 'negative', 'random', 'size-up', 'steer']);
  });
});
