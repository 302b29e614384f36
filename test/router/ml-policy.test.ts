import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelRegistry } from '../../src/models/registry.js';
import { routerModels } from '../../src/backtest/training.js';
import { describe, expect, it } from 'vitest';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL, type Side } from '../../src/core/types.js';
import type { FillRecord, ParentOrder } from '../../src/router/engine.js';
import { MlRouterPolicy } from '../../src/router/ml/policy.js';
import { policies } from '../../src/router/policies.js';
import { Rng } from '../../src/core/rng.js';
import type { MlModels } from '../../src/router/ml/models.js';
import { SimRouter } from '../../src/router/sim-adapter.js';
import { clockToNs, loadScenarioFile } from '../../src/sim/scenario.js';
import { buildSession, startSession } from '../../src/sim/session.js';
import { marketFacts } from '../../src/backtest/market.js';
import type { OrderMessage } from '../../src/venue/types.js';
import { smallModels } from '../helpers/ml-models.js';
import { impactExampleInputs } from '../../src/backtest/impact-data.js';
import { roundTo } from '../../src/core/stats.js';

const file = 'scenarios/default.json';
const scenario = loadScenarioFile(file);
const facts = marketFacts(scenario, file);

/** A registered policy as a backtest builds it; `adv` NaN stands for a world that states no daily volume. */
function makePolicy(name: string, o: { models?: MlModels; adv?: number } = {}) {
  return policies.build(
    name,
    {},
    { decisionNs: 10 * NS_PER_SECOND, profile: facts.profile, adv: o.adv ?? NaN, rng: Rng.stream(1, name), ...(o.models ? { models: o.models } : {}) },
  );
}

class RecordingRouter extends SimRouter {
  /** What was sent, with the consolidated quote when it was. */
  sent: { venue: string; msg: OrderMessage; bid: number; ask: number }[] = [];
  override send(venue: string, msg: OrderMessage): void {
    this.sent.push({ venue, msg, bid: this.bid(), ask: this.ask() });
    super.send(venue, msg);
  }
}

/** The resting lots a run sent: each one's distance inside the spread from its side's best, in ticks, and its size. */
function rests(x: { r: RecordingRouter }, side: Side) {
  return x.r.sent.flatMap((m) =>
    m.msg.type === 'new' && m.msg.ordType === 'limit' && m.msg.postOnly
      ? [
          {
            inside: (side === BUY ? m.msg.price! - m.bid : m.ask - m.msg.price!) / scenario.tick,
            /** the ticks inside the spread the router may rest at (at most three, strictly inside) */
            room: Math.max(0, Math.min(3, Math.round((m.ask - m.bid) / scenario.tick) - 1)),
            qty: m.msg.qty,
            crosses: side === BUY ? m.msg.price! >= m.ask : m.msg.price! <= m.bid,
          },
        ]
      : [],
  );
}

/** Every lot at a price the router offers: never at or through the other side; the touch only where the spread has no room inside, else one of the two most aggressive of three ticks inside. */
function expectOfferedPrices(lots: ReturnType<typeof rests>): void {
  for (const l of lots) {
    expect(l.crosses).toBe(false);
    if (l.room === 0) expect(l.inside).toBe(0);
    else expect([Math.max(1, l.room - 1), l.room]).toContain(l.inside);
  }
}

function run(policy: MlRouterPolicy, o: { side: Side; qty: number; minutes: number; seed: number }, features = true) {
  const start = clockToNs('11:00:00');
  const s = buildSession(scenario, o.seed, file, undefined, { startNs: start - 5 * NS_PER_MINUTE });
  const fills: FillRecord[] = [];
  const r = new RecordingRouter(s, { onFill: (f) => fills.push(f) }, features ? { adv: facts.adv, longRunVolBps: facts.volBps } : undefined);
  startSession(s);
  s.kernel.run(start);
  const arrival = { mid: s.nbbo.lastMid, spread: s.nbbo.ask - s.nbbo.bid };
  const order: ParentOrder = { id: 'P', side: o.side, qty: o.qty, start, end: start + o.minutes * NS_PER_MINUTE };
  const costs: (typeof policy.last & { t: number })[] = [];
  // the decision's cost terms, read after each scheduled decision
  const decide = policy.decideChecked.bind(policy);
  policy.decideChecked = (ctx, check) => {
    const r = decide(ctx, check);
    if (ctx.round === 0 && !ctx.final) costs.push({ ...policy.last, impactInputs: [...policy.last.impactInputs], t: ctx.now });
    return r;
  };
  r.engine.onParent(order, policy);
  s.kernel.run(order.end + 5 * NS_PER_SECOND);
  return { r, parent: r.engine.om.parent('P'), fills, costs, order, arrival };
}

describe('the ml router', () => {
  it("asks the impact model what training asked it: at the order's first decision, the inputs of its training example", async () => {
    const { models } = await smallModels();
    for (const [side, seed] of [
      [BUY, 5],
      [SELL, 6],
    ] as const) {
      const p = makePolicy('ml', { models, adv: facts.adv }) as MlRouterPolicy;
      const { costs, order, arrival } = run(p, { side, qty: 9000, minutes: 4, seed });
      const first = costs[0]!;
      expect(first.t).toBe(order.start);
      const training = impactExampleInputs({ adv: facts.adv, profile: facts.profile, scenario }, order, roundTo((arrival.spread / arrival.mid) * 1e4, 4));
      // the same definition, exactly, but for the arrival spread, which a backtest's run record keeps to 1e-4 bp
      expect(first.impactInputs.filter((_, k) => k !== 3)).toEqual(training.filter((_, k) => k !== 3));
      expect(Math.abs(first.impactInputs[3]! - training[3]!)).toBeLessThanOrEqual(5e-5);
      expect(training[5]).toBe(side === BUY ? 1 : -1);
    }
  });

  it('refuses to run without its models or the daily volume, and without the market features', async () => {
    expect(() => makePolicy('ml', {})).toThrow(/ml needs its trained models/);
    const { models } = await smallModels();
    expect(() => makePolicy('ml', { models })).toThrow(/average daily volume/);
    const p = makePolicy('ml', { models, adv: facts.adv }) as MlRouterPolicy;
    expect(() => run(p, { side: BUY, qty: 3000, minutes: 2, seed: 2 }, false)).toThrow(/market features/);
  });

  it('works a parent order to its end by the predicted all-in cost: rests lots on the lit books and pings the pools, never overfills', async () => {
    const { models } = await smallModels();
    const p = makePolicy('ml', { models, adv: facts.adv }) as MlRouterPolicy;
    const { r, parent, fills, costs } = run(p, { side: SELL, qty: 8000, minutes: 5, seed: 3 });
    expect(['filled', 'expired']).toContain(parent.state);
    expect(parent.cumQty).toBeLessThanOrEqual(8000);
    expect(fills.reduce((a, f) => a + f.qty, 0)).toBe(parent.cumQty);
    expect(r.engine.om.anomalies).toBe(0);
    for (const id of parent.children) expect(['filled', 'cancelled', 'rejected']).toContain(r.engine.om.child(id)!.state);
    const news = r.sent.flatMap((m) => (m.msg.type === 'new' ? [{ venue: m.venue, msg: m.msg }] : []));
    const posts = news.filter((m) => m.msg.ordType === 'limit' && m.msg.postOnly);
    const pings = news.filter((m) => m.msg.ordType === 'midpeg');
    expect(posts.length).toBeGreaterThan(0);
    expect(pings.length).toBeGreaterThan(0);
    expect(new Set(posts.map((m) => m.venue)).size).toBeGreaterThan(1);
    // each decision priced a share left for later above what resting it saves, from finite model outputs
    expect(costs.length).toBeGreaterThan(20);
    for (const c of costs) {
      expect(Number.isFinite(c.later) && Number.isFinite(c.drift) && Number.isFinite(c.marginalImpact)).toBe(true);
      expect(c.marginalImpact).toBeGreaterThanOrEqual(0);
      // σ over one 10-s interval in bps: the default market's fair value moves about 4.9 bp per √minute
      expect(c.sigma).toBeGreaterThan(0.3);
      expect(c.sigma).toBeLessThan(20);
      expect(Math.abs(c.drift)).toBeLessThanOrEqual(c.sigma);
      // later = half the spread + the take fee + the drift + the marginal impact: the first two are a cost
      expect(c.later - c.drift).toBeGreaterThan(c.marginalImpact);
    }
    for (const m of posts) expect(m.msg.side).toBe(SELL);
    expect(costs.some((c) => c.lit > 0) && costs.some((c) => c.dark > 0)).toBe(true);
  });

  it('rests inside the spread where its models say a lot there fills for its price: never at or through the other side, at the two most aggressive of three ticks, at the touch only where there is no room', async () => {
    const { models } = await smallModels();
    for (const side of [BUY, SELL]) {
      const x = run(makePolicy('ml', { models, adv: facts.adv }) as MlRouterPolicy, { side, qty: 8000, minutes: 5, seed: 3 });
      const lots = rests(x, side);
      expect(lots.length).toBeGreaterThan(20);
      expectOfferedPrices(lots);
      // both prices offered get lots somewhere
      expect(lots.some((l) => l.room === 3 && l.inside === 2) && lots.some((l) => l.room === 3 && l.inside === 3)).toBe(true);
      expect(lots.filter((l) => l.inside > 0).length).toBeGreaterThan(lots.length / 4);
      expect(x.costs.some((c) => c.inside > 0)).toBe(true);
    }
  });

  it("ml-even-inside deals ml's places round lots without a model, the most aggressive first; ml-even stays at the touch", () => {
    const inside = run(makePolicy('ml-even-inside') as MlRouterPolicy, { side: SELL, qty: 8000, minutes: 5, seed: 3 });
    const even = run(makePolicy('ml-even') as MlRouterPolicy, { side: SELL, qty: 8000, minutes: 5, seed: 3 });
    const a = rests(inside, SELL);
    expect(a.length).toBeGreaterThan(20);
    expectOfferedPrices(a);
    // every decision's lots but its last are round, and the three ticks inside get lots whenever the spread allows
    expect(a.filter((l) => l.qty % 100 === 0).length).toBeGreaterThan(a.length / 2);
    expect(a.filter((l) => l.inside === 3).length).toBeGreaterThan(a.length / 4);
    const b = rests(even, SELL);
    expect(b.length).toBeGreaterThan(20);
    for (const l of b) expect(l.inside).toBe(0);
  });

  it('is deterministic: the same seed gives the same fills', async () => {
    const { models } = await smallModels();
    const mk = () => makePolicy('ml', { models, adv: facts.adv }) as MlRouterPolicy;
    const a = run(mk(), { side: BUY, qty: 5000, minutes: 3, seed: 8 });
    const b = run(mk(), { side: BUY, qty: 5000, minutes: 3, seed: 8 });
    expect(b.fills).toEqual(a.fills);
  });

  it('the ablations need no model: ml-even splits the same exposure evenly, ml-dark pings the pools alone', () => {
    const even = run(makePolicy('ml-even') as MlRouterPolicy, { side: BUY, qty: 5000, minutes: 3, seed: 4 });
    const dark = run(makePolicy('ml-dark') as MlRouterPolicy, { side: BUY, qty: 5000, minutes: 3, seed: 4 });
    expect(rests(even, BUY).length).toBeGreaterThan(0);
    expect(rests(dark, BUY).length).toBe(0);
    for (const x of [even, dark]) {
      expect(x.parent.cumQty).toBeGreaterThan(0);
      expect(x.r.sent.some((m) => m.msg.type === 'new' && m.msg.ordType === 'midpeg')).toBe(true);
    }
  });

  it('sor backtest runs ml with the registry’s models and names them; an unknown policy lists the ablations', async () => {
    const { registry } = await smallModels();
    const sor = (...args: string[]) => spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
    const r = sor('backtest', '--policies', 'rule,ml,ml-even', '--orders', '2', '--minutes', '5', '--models', registry.dir, '--json', '--no-progress');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/training one/); // every model was there
    const rep = JSON.parse(r.stdout);
    expect(Object.keys(rep.models)).toEqual(['fill', 'adverse', 'volatility', 'impact', 'toxicity', 'dark']);
    for (const id of Object.values(rep.models)) expect(registry.list().map((e) => e.id)).toContain(id);
    expect(rep.policies.map((p: { policy: string }) => p.policy)).toEqual(['rule', 'ml', 'ml-even']);
    for (const p of rep.policies) expect(p.fill_rate).toBeGreaterThan(0.9);
    const bad = sor('backtest', '--policies', 'ml-nope', '--orders', '1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown policy "ml-nope" \(registered: .*ml, ml-even, ml-even-inside, ml-dark\)/);
  });
});

describe('corrupted model artifacts', () => {
  it('are named and left out, the valid ones still load and route, and none is used', async () => {
    const { registry } = await smallModels();
    const dir = mkdtempSync(join(tmpdir(), 'sor-corrupt-'));
    for (const f of readdirSync(registry.dir)) copyFileSync(join(registry.dir, f), join(dir, f));
    const reg = new ModelRegistry(dir);
    const valid = reg.list();
    expect(valid).toHaveLength(6);
    // each a newer version of its kind than the valid one, so that nothing but validation keeps it from being used
    const corrupt: [string, (a: any) => void, RegExp][] = [
      ['fill-probability', (a) => a.layers[0].w.pop(), /artifact\.layers\[0\]\.w: \d+ rows; the layer's input has \d+/],
      ['fill-probability', (a) => (a.layers[1].w[2][0] = null), /artifact\.layers\[1\]\.w\[2\]\[0\]: /],
      ['adverse-move', (a) => (a.layers[0].b[0] = 1e308), /artifact\.layers\[0\]\.b\[0\]: a weight beyond ±10000/],
      ['toxicity', (a) => (a.transform.sd[5] = 0), /artifact\.transform\.sd\[5\]: a standard deviation must be > 0/],
      ['volatility', (a) => delete a.layers, /artifact\.layers: /],
      ['impact', (a) => (a.layers[0].w = 'weights'), /artifact\.layers\[0\]\.w: /],
      [
        'dark-liquidity',
        (a) => (Object.values(a.pools as Record<string, { tail: number[] }>)[0]!.tail[3] = 1.5),
        /artifact\.pools\.[A-Z_]+\.tail\[3\]: a probability must be in \[0, 1\]/,
      ],
      ['impact', (a) => (a.mean = a.mean.slice(1)), /artifact\.mean: \d+ values for \d+ features/],
    ];
    const files = corrupt.map(([kind, edit], i) => {
      const e = valid.find((x) => x.kind === kind)!;
      const body = JSON.parse(readFileSync(e.file, 'utf8'));
      edit(body.artifact);
      const id = `${kind}-v${9 + i}-${'0123456789abcdef'.slice(i, i + 8)}`;
      body.registry = { ...body.registry, id, version: 9 + i, file: join(dir, `${id}.json`) };
      writeFileSync(join(dir, `${id}.json`), JSON.stringify(body));
      return join(dir, `${id}.json`);
    });
    const problems = reg.problems();
    expect(problems.map((p) => p.file)).toEqual([...files].sort());
    for (const [i, [, , msg]] of corrupt.entries()) expect(problems.find((p) => p.file === files[i])!.problem).toMatch(msg);
    expect(reg.list()).toEqual(valid);
    const m = await routerModels(reg, loadScenarioFile('scenarios/default.json'), 'scenarios/default.json', 10);
    expect(m.trained).toEqual([]);
    expect(
      Object.values(m.entries)
        .map((e) => e.id)
        .sort(),
    ).toEqual(valid.map((e) => e.id).sort());
    // the command line: sor models shows them, the backtest names each one it leaves out and trains nothing
    const sor = (...args: string[]) => spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
    const l = sor('models', '--registry', dir);
    expect(l.status).toBe(0);
    for (const f of files) expect(l.stdout).toContain(`left out ${f}: artifact.`);
    const b = sor('backtest', '--policies', 'ml', '--orders', '1', '--minutes', '5', '--models', dir, '--json', '--no-progress');
    expect(b.status, b.stderr).toBe(0);
    for (const f of files) expect(b.stderr).toContain(`ml: left out ${f}: artifact.`);
    expect(b.stderr).not.toMatch(/training one/);
    expect(Object.values(JSON.parse(b.stdout).models).sort()).toEqual(valid.map((e) => e.id).sort());
  }, 300_000);
});
