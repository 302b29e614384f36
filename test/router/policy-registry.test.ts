import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Rng } from '../../src/core/rng.js';
import { policies, sweepOptions } from '../../src/router/policies.js';
import { PolicyError, PolicyRegistry } from '../../src/router/policy-registry.js';

const sor = (...args: string[]) => spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
const ctx = { decisionNs: 10e9, adv: 1e6, rng: Rng.stream(1, 'x') };

describe('the policy registry', () => {
  it('validates each policy’s own options, fills defaults, and names the policy and option it refuses', () => {
    expect(policies.options('pov')).toEqual({ sweepDepth: 50, rate: 0.25 });
    expect(policies.options('pov', { rate: 0.1 })).toEqual({ sweepDepth: 50, rate: 0.1 });
    expect(() => policies.options('pov', { rate: 2 })).toThrow(/policy pov, option rate: /);
    expect(() => policies.options('twap', { rate: 0.1 })).toThrow(/policy twap, option rate: /);
    expect(() => policies.build('nope', {}, ctx)).toThrow(PolicyError);
    expect(policies.build('ac', { urgency: 5 }, ctx).name).toBe('ac');
  });

  it('is open: a kind registered by name builds like the shipped ones; a name is taken once', () => {
    const r = new PolicyRegistry();
    r.register({
      name: 'idle',
      description: 'does nothing',
      options: sweepOptions.extend({ k: z.number().default(3) }),
      make: (o) => ({
        name: `idle-${o.k}`,
        decisionNs: 1,
        rerouteRounds: 0,
        schedule: (p) => ({ qty: p.qty, start: p.start, end: p.end, target: () => 0 }),
        decide: () => {},
      }),
    });
    expect(r.build('idle', { k: 4 }, ctx).name).toBe('idle-4');
    expect(r.describe()).toEqual([{ name: 'idle', description: 'does nothing', models: false, options: { sweepDepth: 50, k: 3 } }]);
    expect(() => r.register({ name: 'idle', description: '', options: sweepOptions, make: () => null! })).toThrow(/already registered/);
  });

  it('`sor backtest --policies list` lists what is registered, a plugin’s policy too', () => {
    const r = sor('backtest', '--policies', 'list', '--plugin', 'examples/sweep-twap.mjs', '--json');
    expect(r.status, r.stderr).toBe(0);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(['twap', 'vwap', 'pov', 'ac', 'rule', 'prorata', 'ck', 'ml', 'ml-even', 'ml-even-inside', 'ml-dark', 'sweep-twap']);
  });

  it("the README's plugin runs in a backtest on worker threads, with its option; a bad option is refused before any run", () => {
    const run = (lead: string) =>
      sor(
        'backtest',
        '--plugin',
        'examples/sweep-twap.mjs',
        '--policies',
        'twap,sweep-twap',
        '--option',
        `sweep-twap.lead=${lead}`,
        '--orders',
        '4',
        '--minutes',
        '5',
        '--workers',
        '2',
        '--json',
        '--no-progress',
      );
    const a = run('0');
    expect(a.status, a.stderr).toBe(0);
    const b = run('1');
    const pol = (out: string) =>
      (JSON.parse(out) as { policies: { policy: string; is_bps: { mean: number }; fill_rate: number }[] }).policies.find((p) => p.policy === 'sweep-twap')!;
    expect(pol(a.stdout).fill_rate).toBeGreaterThan(0.9);
    // the option reaches the workers: sweeping ahead of the schedule changes the cost
    expect(pol(b.stdout).is_bps.mean).not.toBe(pol(a.stdout).is_bps.mean);
    const bad = run('7');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/policy sweep-twap, option lead: /);
    const missing = sor('backtest', '--plugin', 'examples/nope.mjs', '--policies', 'list');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/plugin examples\/nope\.mjs: /);
  });

  it('the README shows the example plugin as it is shipped', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /## Your own policy[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)![1]!;
    const code = (t: string) => t.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('//'));
    expect(code(block)).toEqual(code(readFileSync('examples/sweep-twap.mjs', 'utf8')));
  });
});
