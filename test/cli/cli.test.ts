import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs the real `sor` command (bin/sor.js over the compiled dist/) in a child process. */
function sor(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/sor.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('sor command', () => {
  it('lists its subcommands', () => {
    const r = sor('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/simulate/);
    expect(r.out).toMatch(/bench/);
  });

  it('simulate --json: per-venue counts, NBBO statistics and a log hash; same seed same bytes, another seed differs', () => {
    const a = sor('simulate', '--scenario', 'default', '--seed', '7', '--minutes', '30', '--json');
    const b = sor('simulate', '--scenario', 'default', '--seed', '7', '--minutes', '30', '--json');
    const c = sor('simulate', '--scenario', 'default', '--seed', '8', '--minutes', '30', '--json');
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    expect(c.out).not.toBe(a.out);
    const s = JSON.parse(a.out);
    expect(s.venues).toHaveLength(5);
    for (const v of s.venues) expect(Object.keys(v)).toEqual(['name', 'kind', 'orders', 'cancels', 'trades', 'volume']);
    expect(s.nbbo.mean_spread_ticks).toBeGreaterThan(0);
    expect(Object.keys(s.nbbo.share_of_time_by_spread_ticks)).toContain('1');
    expect(s.event_log_hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a bad scenario exits 3 with the file and field named, and prints no summary; a missing one exits 4', () => {
    const dir = mkdtempSync('/tmp/sor-cli-');
    const s = JSON.parse(readFileSync('scenarios/default.json', 'utf8'));
    s.venues[2].latency.entry.ns = -5;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(s));
    const r = sor('simulate', '--scenario', file, '--json');
    expect(r.code).toBe(3);
    expect(r.err).toContain(`${file}: venues[2].latency.entry.ns:`);
    expect(r.out).toBe('');
    const missing = sor('simulate', '--scenario', join(dir, 'nope.json'));
    expect(missing.code).toBe(4);
    expect(missing.err).toMatch(/nope\.json: cannot read the scenario file \(no such file or folder\)/);
    const seed = sor('simulate', '--seed', 'x');
    expect(seed.code).not.toBe(0);
    expect(seed.err).toMatch(/--seed/);
  });

  it('bench book --json compares with the peer on the same stream (small run)', () => {
    const r = sor('bench', 'book', '--json', '--ops', '20000', '--deep-ops', '2000', '--per-level', '100');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['realistic', 'deep_queue']) {
      expect(j[k].ours_ops_per_sec).toBeGreaterThan(0);
      expect(j[k].peer_ops_per_sec).toBeGreaterThan(0);
      expect(j[k].ratio).toBeCloseTo(j[k].ours_ops_per_sec / j[k].peer_ops_per_sec, 1);
      expect(j[k].same_final_book).toBe(true);
    }
  });
});
