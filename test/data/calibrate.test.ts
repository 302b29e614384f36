import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EV_TRADE, type EventSink } from '../../src/core/event-log.js';
import { NS_PER_MINUTE } from '../../src/core/types.js';
import { calibrateLobster } from '../../src/data/calibrate.js';
import { fitQueueReactive } from '../../src/data/calibrate-qr.js';
import { loadLobster, resolvePair } from '../../src/data/lobster.js';
import { profileFromLobster } from '../../src/data/lobster-profile.js';
import { loadScenarioFile, parseScenario } from '../../src/sim/scenario.js';
import { buildSession, simulate } from '../../src/sim/session.js';
import { GOOG_DAY, needs, present } from '../helpers/reference-data.js';

const GOOG = GOOG_DAY;

describe.skipIf(!present(GOOG))(needs(GOOG, 'calibration to the GOOG day'), () => {
  // read once the suite runs (a skipped suite's body is still collected)
  let cal: ReturnType<typeof calibrateLobster>;
  let msgs: string[][];
  let T: number;
  beforeAll(() => {
    cal = calibrateLobster(resolvePair(GOOG));
    msgs = readFileSync(resolvePair(GOOG).message, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    T = Number(msgs[msgs.length - 1]![0]) - Number(msgs[0]![0]);
  });

  it('fits rates that agree with direct counts of the file', () => {
    // λ(1): distance 1 is always in view, so it is the count of adds one tick from the opposite best over 2T;
    // the profile module counts those distances by its own code
    const p = profileFromLobster(GOOG);
    const at1 = p.addDistance.find(([d]) => d === 1)![1];
    expect(cal.limitRates[0]).toBeCloseTo(at1 / (2 * T), 4);
    // μ: market orders are the visible executions grouped by (timestamp, side)
    const groups = new Set(msgs.filter((m) => m[1] === '4').map((m) => `${m[0]}|${m[5]}`));
    expect(cal.marketRate).toBeCloseTo(groups.size / (2 * T), 4);
    expect(cal.observed.adds).toBe(24368);
    expect(cal.intradayProfile).toHaveLength(13);
    expect(cal.intradayProfile.reduce((a, b) => a + b, 0) / 13).toBeCloseTo(1, 3);
    // the last half hour trades most (the close), midday least
    expect(cal.intradayProfile[12]).toBe(Math.max(...cal.intradayProfile));
    expect(cal.fairValueBpsPerSqrtMinute).toBeGreaterThan(1);
    expect(cal.observed.return_kurtosis).toBeGreaterThan(3); // fat tails
    expect(cal.limitRates.every((x) => x >= 0) && cal.cancelRates.every((x) => x > 0)).toBe(true);
  });

  it('fits the queue-reactive model: rates by both queues from event counts over time in each state, market orders by spread', () => {
    const day = loadLobster(resolvePair(GOOG));
    const q = fitQueueReactive(day, 100, cal.cancelRates[cal.cancelRates.length - 1]!);
    const b = q.best;
    // the queue unit is the day's median touch size: GOOG's round lot
    expect(b.queueUnit).toBe(100);
    for (const t of [b.joinRates, b.cancelRates, b.marketRates]) {
      expect(t).toHaveLength(6);
      for (const row of t) {
        expect(row).toHaveLength(6);
        for (const x of row) expect(x).toBeGreaterThan(0);
      }
    }
    // every market order at the best is counted once: the stamps of executions at the best price
    expect(q.observed.market_orders).toBeGreaterThan(5000);
    expect(q.observed.market_orders).toBeLessThanOrEqual(new Set(msgs.filter((m) => m[1] === '4').map((m) => `${m[0]}|${m[5]}`)).size);
    // a narrow spread is taken at once; a wide one waits
    const f = b.marketSpreadFactors!;
    expect(f[0]).toBeGreaterThan(10);
    expect(f[f.length - 2]).toBeLessThan(1);
    // trades cluster: a fast kernel and a slow one, the sum of their branching ratios below 1
    expect(q.observed.hawkes_branching).toBeGreaterThan(0.3);
    expect(q.observed.hawkes_branching).toBeLessThan(0.9);
    expect(q.observed.hawkes_decay_s[0]!).toBeLessThan(0.01);
    expect(q.observed.hawkes_decay_s[1]!).toBeGreaterThan(q.observed.hawkes_decay_s[0]!);
    // the market orders' state rates are declustered: about 1 − Σ branching of them count as immigrants
    expect(Math.abs(q.observed.market_immigrant_share - (1 - q.observed.hawkes_branching))).toBeLessThan(0.05);
    // the round lot is an atom of both size distributions
    expect(q.marketSize.atoms?.some((a) => a.size === 100)).toBe(true);
    expect(q.limitSize.atoms?.some((a) => a.size === 100)).toBe(true);
    expect(b.refill.probability).toBeGreaterThan(0.3);
    expect(b.refill.probability).toBeLessThan(0.7);
  });

  it('sor calibrate writes a scenario that validates and runs, and the shipped default.json is what it writes', () => {
    const out = join(mkdtempSync('/tmp/sor-cal-'), 'g.json');
    const r = spawnSync(process.execPath, ['bin/sor.js', 'calibrate', GOOG, '--out', out, '--name', 'default'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const written = readFileSync(out, 'utf8');
    expect(written).toBe(readFileSync('scenarios/default.json', 'utf8'));
    const s = parseScenario(written, out);
    expect(s.symbol).toBe('GOOG');
    const sum = simulate(buildSession(s, 3), 20);
    expect(sum.venues.every((v) => v.trades > 0)).toBe(true);
  });
});

describe('synthetic days from a calibrated scenario', () => {
  const scenario = loadScenarioFile('scenarios/default.json');

  it('follow the intraday volume profile', () => {
    const vol = new Float64Array(13);
    const sink: EventSink = {
      record(kind, t, _v, _m, _tk, _p, qty) {
        if (kind === EV_TRADE) vol[Math.min(12, Math.floor((t - 34_200e9) / (30 * NS_PER_MINUTE)))]! += qty;
      },
    };
    simulate(buildSession(scenario, 5, 'default.json', sink), 390);
    const prof = scenario.flow['intradayProfile'] as number[];
    // the busiest bucket of the profile out-trades its quietest by a wide margin in the simulation too
    const hi = prof.indexOf(Math.max(...prof));
    const lo = prof.indexOf(Math.min(...prof));
    expect(vol[hi]! / vol[lo]!).toBeGreaterThan(2);
  });

  it('vary by seed (thin or deep, calm or volatile), and the same seed gives the same day', () => {
    const regimes = [1, 2, 3, 4, 5, 6].map((seed) => simulate(buildSession(scenario, seed), 1).regime!);
    expect(new Set(regimes.map((r) => r.depth)).size).toBe(6);
    expect(new Set(regimes.map((r) => r.label)).size).toBeGreaterThan(1);
    expect(simulate(buildSession(scenario, 4), 1).regime).toEqual(regimes[3]);
  });
});
