import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlCall } from '../../src/monitor/control.js';
import { NS_PER_SECOND } from '../../src/core/types.js';
import { hashPassword } from '../../src/fix/auth.js';
import { readJournal, type JournalRecord } from '../../src/live/journal.js';
import { loadRouterModels } from '../../src/live/models.js';
import { replayJournal } from '../../src/live/router.js';
import { liveStack, until } from '../helpers/live-stack.js';
import { smallModels } from '../helpers/ml-models.js';

/**
 * The model checks live: ml under an inference budget no decision can keep (1 ns), so every decision it makes is
 * an anomaly the rule router takes over; after 3 the parent stays there until a person resets it. Inference times
 * are the wall clock's: the journal keeps each overrun, and a replay regenerates the same anomalies from it.
 */
let stack: Awaited<ReturnType<typeof liveStack>>;
const token = randomBytes(18).toString('base64url');
const ofKind = <K extends JournalRecord['k']>(k: K) => readJournal(stack.service.journalFile).filter((r): r is Extract<JournalRecord, { k: K }> => r.k === k);

beforeAll(async () => {
  const { registry } = await smallModels();
  stack = await liveStack({
    seed: 12,
    journalPrefix: 'sor-anomaly-',
    policy: { default: 'ml', decisionSeconds: 10 },
    models: loadRouterModels(registry.dir, 10),
    // only the budget: the small test models' features are narrow (rv_30m's training sd is tiny), and a loaded
    // machine's live pacing put one 100.7 sd out, which the feature check reported first
    risk: { models: { inferenceBudgetUs: 0.001, maxFeatureZ: 1e9 } },
    control: { tokens: [{ who: 'ops-2', tokenHash: hashPassword(token, randomBytes(16), 1024) }] },
  });
  await new Promise((r) => setTimeout(r, 300));
}, 120_000);
afterAll(() => stack.stop());

describe('model anomalies in the live router', () => {
  it('every over-budget decision is the rule router’s, journaled with its time; the parent stays there until reset; the journal replays', async () => {
    const now = stack.sim.clock.now();
    stack.oms.session.send('D', [
      ['11', 'A1'],
      ['21', '1'],
      ['55', 'GOOG'],
      ['54', '2'],
      ['60', stack.sim.clock.fix(now)],
      ['38', '4000'],
      ['40', '1'],
      ['126', stack.sim.clock.fix(now + 120 * NS_PER_SECOND)],
    ]);
    await until(() => ofKind('anomaly').some((a) => a.sticky), 30_000);
    const first = ofKind('anomaly');
    expect(first.map((a) => [a.parentId, a.recent, a.sticky])).toEqual([
      ['P1', 1, false],
      ['P1', 2, false],
      ['P1', 3, true],
    ]);
    for (const a of first) {
      expect(a.reason).toMatch(/^inference: [\d.]+ µs, over the 0.001 µs budget$/);
      expect(a.overrunUs).toBeGreaterThan(0);
    }
    // on the rule router, the parent still trades: dark pings and sweeps, no lit post
    await until(() => ofKind('to-venue').filter((r) => r.type === 'D').length >= 4, 30_000);
    const answer = (await controlCall(`http://127.0.0.1:${stack.service.controlPort}`, token, 'reset-model', { parent: 'A1' })) as { parents: string[] };
    expect(answer.parents).toEqual(['P1']);
    expect(ofKind('model-reset').map((r) => [r.parentId, r.who])).toEqual([['P1', 'ops-2']]);
    // back on the model, and over budget again
    await until(() => ofKind('anomaly').length >= 4, 30_000);
    const replay = replayJournal(readJournal(stack.service.journalFile), (await smallModels()).registry);
    expect(replay.mismatches).toEqual([]);
    expect(stack.service.router.engine.models.anomalies.inference).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
