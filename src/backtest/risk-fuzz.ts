import { Rng } from '../core/rng.js';
import { buildWorld } from './world.js';
import { BUY, NS_PER_MINUTE, NS_PER_SECOND, SELL } from '../core/types.js';
import type { EngineHooks } from '../router/engine.js';
import type { MlModels } from '../router/ml/models.js';
import { isChildDone, isParentDone } from '../router/order-manager.js';
import { policies } from '../router/policies.js';
import type { VolumeProfile } from '../router/policy-base.js';
import { SimRouter } from '../router/sim-adapter.js';
import type { Scenario } from '../sim/scenario.js';
import type { Session } from '../sim/session.js';
import type { ExecReport, OrderMessage } from '../venue/types.js';
import { ChildAudit } from '../risk/audit.js';
import { parseRiskLimits, type RiskLimits } from '../risk/limits.js';
import { sabotageModels } from '../router/ml/sabotage.js';

/**
 * The router in the simulator with an independent audit of what leaves it: every message sent goes to a ChildAudit
 * with the consolidated quote of that moment and the trading state, and every report too.
 */
export class AuditedSimRouter extends SimRouter {
  readonly audit: ChildAudit;
  /** The parent of each child, told by the engine just before the child is sent. */
  private readonly parentOf: Map<number, string>;
  /** Every message sent and report received, when `keep` is set (a test's later questions). */
  readonly sentLog: { t: number; venue: string; msg: OrderMessage }[] = [];
  readonly reportLog: { t: number; r: ExecReport }[] = [];

  constructor(
    private readonly session: Session,
    limits: RiskLimits,
    hooks: EngineHooks = {},
    features?: { adv: number; longRunVolBps: number },
    private readonly keep = false,
  ) {
    const parentOf = new Map<number, string>();
    super(
      session,
      {
        ...hooks,
        onChild: (c) => {
          parentOf.set(c.clOrdId, c.parentId);
          hooks.onChild?.(c);
        },
      },
      features,
      limits,
    );
    this.parentOf = parentOf;
    this.audit = new ChildAudit(limits);
  }

  override send(venue: string, msg: OrderMessage): void {
    const t = this.session.kernel.now();
    if (this.keep) this.sentLog.push({ t, venue, msg });
    if (msg.type === 'new') {
      const quote = { bid: this.session.nbbo.bid, ask: this.session.nbbo.ask };
      this.audit.sent(t, venue, msg, this.parentOf.get(msg.clOrdId) ?? '?', quote, this.engine.risk.state() === 'HALTED');
    }
    super.send(venue, msg);
  }

  override onExecReport(r: ExecReport): void {
    if (this.keep) this.reportLog.push({ t: this.session.kernel.now(), r });
    this.audit.report(r);
    super.onExecReport(r);
  }
}

export interface FuzzOptions {
  /** Sabotaged model outputs to produce (at least). */
  outputs: number;
  seed: number;
  scenario: Scenario;
  file: string;
  models: MlModels;
  adv: number;
  volBps: number;
  profile: VolumeProfile;
  onProgress?: (outputs: number, target: number) => void;
}

export interface FuzzReport {
  outputs: number;
  outputs_by_mode: Record<string, number>;
  runs: number;
  parents: number;
  parents_ended: number;
  parents_ended_by: Record<string, number>;
  children_sent: number;
  children_refused: Record<string, number>;
  model_anomalies: Record<string, number>;
  fallback_decisions: number;
  /** Parents a person (the fuzz) put back on the model after they had stayed on the rule router. */
  model_resets: number;
  halts: number;
  breaches: number;
  first_breaches: string[];
  unended: string[];
  market_seconds: number;
  elapsed_s: number;
}

/** Random tight limits: most of them bind somewhere in a run. */
function tightLimits(rng: Rng): RiskLimits {
  const int = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
  return parseRiskLimits({
    child: { maxQty: int(100, 2000), maxNotional: int(20_000, 500_000), collarBps: int(2, 100) },
    rate: { perVenuePerSecond: int(1, 8), totalPerSecond: int(2, 16) },
    openOrders: { perVenue: int(1, 6), total: int(2, 12) },
    participation: rng.bernoulli(0.5) ? { maxShare: 0 } : { maxShare: 0.05 + 0.45 * rng.float(), windowSeconds: int(10, 120), floorShares: int(0, 5000) },
    duplicateWindowMs: rng.bernoulli(0.3) ? 0 : int(1, 3000),
  });
}

/**
 * `sor risk fuzz`: the ml router driven by adversarial model outputs (sabotage kind `adversarial`) through the real
 * engine in the simulator, run after run until `outputs` sabotaged outputs have been produced. Each run: a fresh
 * market path, random tight limits, 1–3 parents of random side, size and horizon at once, sometimes a halt by a
 * person and a resume; parents kept on the rule router are put back on the model at the next 30-s step, so the model
 * path stays under test. Every child sent is read by an independent ChildAudit; every parent must end.
 */
export function riskFuzz(o: FuzzOptions): FuzzReport {
  const t0 = performance.now();
  const rng = Rng.stream(o.seed, 'risk-fuzz');
  const sab = sabotageModels(o.models, 'adversarial', Rng.stream(o.seed, 'risk-fuzz:outputs'));
  const r: FuzzReport = {
    outputs: 0,
    outputs_by_mode: {},
    runs: 0,
    parents: 0,
    parents_ended: 0,
    parents_ended_by: {},
    children_sent: 0,
    children_refused: {},
    model_anomalies: {},
    fallback_decisions: 0,
    model_resets: 0,
    halts: 0,
    breaches: 0,
    first_breaches: [],
    unended: [],
    market_seconds: 0,
    elapsed_s: 0,
  };
  const add = (into: Record<string, number>, from: Record<string, number | undefined>) => {
    for (const [k, v] of Object.entries(from)) if (v) into[k] = (into[k] ?? 0) + v;
  };
  const firstStart = 10 * 60 + 5; // minutes after midnight of 10:05, inside the session
  while (sab.counts.outputs < o.outputs) {
    const run = r.runs++;
    const seed = rng.int(2 ** 31);
    const limits = tightLimits(rng);
    const start = (firstStart + rng.int(300)) * NS_PER_MINUTE;
    const world = buildWorld(
      { market: { scenario: o.scenario, file: o.file }, seed, startNs: start - 5 * NS_PER_MINUTE },
      (ss) => new AuditedSimRouter(ss, limits, {}, { adv: o.adv, longRunVolBps: o.volBps }),
    );
    const s = world.session;
    const w = world.bound;
    world.start();
    s.kernel.run(start);
    const n = 1 + rng.int(3);
    let end = start;
    const ids: string[] = [];
    for (let k = 0; k < n; k++) {
      const id = `R${run}P${k}`;
      const qty = 500 + rng.int(29_500);
      const minutes = 2 + rng.int(9);
      const order = { id, side: rng.bernoulli(0.5) ? BUY : SELL, qty, start: start + rng.int(60) * NS_PER_SECOND, end: 0, account: `A${k % 2}` };
      order.end = order.start + minutes * NS_PER_MINUTE;
      const policy = policies.build('ml', undefined, {
        decisionNs: 10 * NS_PER_SECOND,
        profile: o.profile,
        adv: o.adv,
        rng: Rng.stream(seed, `policy:ml:${k}`),
        models: sab.models,
      });
      const denied = w.engine.onParent(order, policy);
      r.parents++;
      if (denied) {
        // refused whole (credit): it ends at once, with its reason
        r.parents_ended++;
        add(r.parents_ended_by, { [`refused ${denied.code}`]: 1 });
        continue;
      }
      w.audit.parent(id, qty);
      ids.push(id);
      end = Math.max(end, order.end);
    }
    // a person halts everything at a random moment of some runs, and resumes a while later
    const haltAt = rng.bernoulli(0.2) ? start + rng.int(Math.max(1, (end - start) / NS_PER_SECOND)) * NS_PER_SECOND : Infinity;
    const resumeAt = haltAt + (10 + rng.int(120)) * NS_PER_SECOND;
    let halted = false;
    let resumed = false;
    for (let t = start; t < end + 15 * NS_PER_SECOND;) {
      const next = Math.min(t + 30 * NS_PER_SECOND, !halted ? haltAt : !resumed ? resumeAt : Infinity, end + 15 * NS_PER_SECOND);
      s.kernel.run(next);
      t = next;
      if (!halted && t >= haltAt) {
        halted = true;
        r.halts++;
        w.engine.risk.setState('*', 'HALTED', 'the fuzz halts', 'fuzz');
      } else if (halted && !resumed && t >= resumeAt) {
        resumed = true;
        w.engine.risk.setState('*', 'ACTIVE', 'the fuzz resumes', 'fuzz');
      }
      for (const id of Object.keys(w.engine.models.stuckParents())) if (w.engine.models.reset(id, 'fuzz')) r.model_resets++;
    }
    if (halted && !resumed) w.engine.risk.setState('*', 'ACTIVE', 'the fuzz resumes', 'fuzz');
    for (const id of ids) {
      const p = w.engine.om.parent(id);
      const working = p.children.filter((c) => !isChildDone(w.engine.om.child(c)!.state)).length;
      if (isParentDone(p.state) && working === 0) {
        r.parents_ended++;
        add(r.parents_ended_by, { [p.state]: 1 });
      } else r.unended.push(`${id}: ${p.state}, ${working} children working`);
    }
    r.children_sent += w.audit.children;
    r.breaches += w.audit.breachCount;
    for (const b of w.audit.breaches) if (r.first_breaches.length < 20) r.first_breaches.push(`run ${run} (seed ${seed}): ${b}`);
    add(r.children_refused, w.engine.risk.denials);
    add(r.model_anomalies, w.engine.models.anomalies);
    r.fallback_decisions += w.engine.models.fallbackDecisions;
    r.market_seconds += (end + 15 * NS_PER_SECOND - start) / NS_PER_SECOND;
    o.onProgress?.(Math.min(sab.counts.outputs, o.outputs), o.outputs);
  }
  r.outputs = sab.counts.outputs;
  r.outputs_by_mode = Object.fromEntries(Object.entries(sab.counts.byMode).sort(([a], [b]) => (a < b ? -1 : 1)));
  const sorted = (x: Record<string, number>) => Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)));
  r.children_refused = sorted(r.children_refused);
  r.model_anomalies = sorted(r.model_anomalies);
  r.elapsed_s = Math.round((performance.now() - t0) / 100) / 10;
  return r;
}
