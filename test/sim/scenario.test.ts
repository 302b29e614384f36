import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScenarioError } from '../../src/sim/kind-registry.js';
import { feeModels } from '../../src/sim/kinds.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { buildSession, simulate } from '../../src/sim/session.js';
import type { FeeModel } from '../../src/venue/fees.js';

const text = readFileSync('scenarios/default.json', 'utf8');
const base = () => JSON.parse(text);

function problem(edit: (s: any) => void): string {
  const s = base();
  edit(s);
  try {
    buildSession(parseScenario(JSON.stringify(s, null, 2), 'x.json'), 1, 'x.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('the scenario was accepted');
}

describe('scenario files', () => {
  it('the default scenario has 3 lit venues of the three fee kinds, one with a speed bump, and 2 dark pools', () => {
    const s = parseScenario(text, 'default.json');
    const lit = s.venues.filter((v) => v.type === 'lit');
    expect(lit.map((v) => v.fees.kind).sort()).toEqual(['inverted', 'maker-taker', 'maker-taker']);
    expect(lit.some((v) => v.type === 'lit' && v.speedBumpNs > 0)).toBe(true);
    for (const v of lit) expect(v.fees['take'] as number).toBeLessThanOrEqual(30);
    const dark = s.venues.filter((v) => v.type === 'dark');
    expect(dark).toHaveLength(2);
    const informed = dark.map((v) => (v.type === 'dark' ? (v.contraFlow['informedFraction'] as number) : NaN));
    expect(Math.max(...informed)).toBeGreaterThan(5 * Math.min(...informed));
  });

  it('names the field of a bad value', () => {
    expect(problem((s) => (s.venues[0].fees.take = 45))).toMatch(/^x\.json: venues\[0\]\.fees\.take: .*30-mil/);
    expect(problem((s) => (s.venues[1].fees.take = 'cheap'))).toMatch(/^x\.json: venues\[1\]\.fees\.take: /);
    expect(problem((s) => (s.venues[0].latency.entry.kind = 'psychic'))).toMatch(
      /^x\.json: venues\[0\]\.latency\.entry\.kind: unknown latency model "psychic" \(known: constant, spiky, replay\)/,
    );
    expect(problem((s) => (s.venues[3].contraFlow.informedFraction = 1.5))).toMatch(/venues\[3\]\.contraFlow\.informedFraction/);
    // the leaky contra flow is a kind of its own, with its own fields
    expect(problem((s) => (s.venues[3].contraFlow = { ...s.venues[3].contraFlow, kind: 'leaky', leakProbability: 0.5, leakFraction: 0.5 }))).toMatch(
      /venues\[3\]\.contraFlow\.leakSeconds/,
    );
    const leaky = base();
    leaky.venues[3].contraFlow = { ...leaky.venues[3].contraFlow, kind: 'leaky', leakProbability: 0.5, leakSeconds: 20, leakFraction: 0.5 };
    expect(() => buildSession(parseScenario(JSON.stringify(leaky), 'x.json'), 1, 'x.json')).not.toThrow();
    expect(problem((s) => (s.tick = 0))).toMatch(/^x\.json: tick: /);
    expect(problem((s) => (s.initialPrice = 500_050))).toMatch(/initialPrice: not a multiple of the tick/);
    expect(problem((s) => (s.venues[1].name = s.venues[0].name))).toMatch(/venues\[1\]\.name: duplicate venue name/);
    expect(problem((s) => (s.flow.best.cancelRates = [[0.5, 0]]))).toMatch(/flow\.best\.cancelRates: must be 6 × 6/);
    expect(problem((s) => (s.flow.deep.cancelRate = 0))).toMatch(/flow\.deep\.cancelRate: /);
    expect(problem((s) => (s.venues[0].colour = 'red'))).toMatch(/venues\[0\]/);
    expect(problem((s) => delete s.venues[0].latency.feed)).toMatch(/venues\[0\]\.latency\.feed/);
  });

  it('names the line and column of malformed JSON', () => {
    const broken = text.replace('"tick": 100,', '"tick": 100,,');
    const line = text.split('\n').findIndex((l) => l.includes('"tick"')) + 1;
    expect(() => parseScenario(broken, 'b.json')).toThrow(new RegExp(`^b\\.json: line ${line}, column \\d+: invalid JSON`));
  });

  it('accepts model kinds a user registers, without touching the simulator', () => {
    class CappedFees implements FeeModel {
      constructor(
        readonly take: number,
        readonly cap: number,
      ) {}
      fee(liq: 'make' | 'take', _p: number, qty: number): number {
        return liq === 'take' ? Math.min(this.take * qty, this.cap) : 0;
      }
    }
    feeModels.register('capped', z.object({ take: z.number().int(), cap: z.number().int() }).strict(), (p) => new CappedFees(p.take, p.cap));
    const s = base();
    s.venues[0].fees = { kind: 'capped', take: 30, cap: 1000 };
    const session = buildSession(parseScenario(JSON.stringify(s), 'u.json'), 1);
    expect(session.lit[0]!.cfg.fees).toBeInstanceOf(CappedFees);
    expect(simulate(session, 10).venues[0]!.trades).toBeGreaterThan(0);
  });

  it('replays a recorded latency series from a file next to the scenario, and names a bad line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = mkdtempSync('/tmp/sor-lat-');
    writeFileSync(join(dir, 'lat.txt'), '# recorded\n1000\n2000\n');
    const s = base();
    s.venues[0].latency.entry = { kind: 'replay', file: 'lat.txt' };
    writeFileSync(join(dir, 's.json'), JSON.stringify(s));
    const session = buildSession(parseScenario(JSON.stringify(s), join(dir, 's.json')), 1, join(dir, 's.json'));
    expect(session.lit[0]!.cfg.entryLatency.sample(null as never)).toBe(1000);
    writeFileSync(join(dir, 'lat.txt'), '1000\nfast\n');
    expect(() => buildSession(parseScenario(JSON.stringify(s), join(dir, 's.json')), 1, join(dir, 's.json'))).toThrow(/lat\.txt: line 2: not a latency/);
  });
});
