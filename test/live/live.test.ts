import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { parseRouterConfig } from '../../src/live/config.js';
import { runLiveDemo, type DemoResult } from '../../src/live/demo.js';
import { LiveClock } from '../../src/live/clock.js';
import { isInput, JOURNAL_VERSION, readJournal } from '../../src/live/journal.js';
import { LiveRouter, replayJournal } from '../../src/live/router.js';

let demo: DemoResult;

describe('the live world on loopback (venues, router, OMS over FIX)', () => {
  it('sor live demo: every parent ends, and the fills agree three ways (OMS = journal = venues), per parent', async () => {
    demo = await runLiveDemo({ market: resolveScenario('default'), seed: 3, orders: 4, speed: 20, horizonSeconds: 40, policy: 'rule', timeoutSeconds: 60 });
    expect(demo.ended).toBe(4);
    expect(demo.parents.every((p) => ['filled', 'expired'].includes(p.state))).toBe(true);
    expect(demo.summary.fill_rate).toBeGreaterThan(0.5);
    const c = demo.reconciliation;
    expect(c.oms_fills).toBeGreaterThan(0);
    expect([c.journal_fills, c.venue_fills]).toEqual([c.oms_fills, c.oms_fills]);
    expect([c.journal_shares, c.venue_shares]).toEqual([c.oms_shares, c.oms_shares]);
    expect(c.per_parent_agree).toBe(true);
    // the policy routed over several venues, lit and dark
    const venues = new Set(demo.parents.flatMap((p) => Object.keys(p.venues)));
    expect(venues.size).toBeGreaterThan(2);
    for (const p of demo.parents) expect(Number.isFinite(p.shortfall_bps)).toBe(p.filled > 0);
  }, 90_000);

  it('replaying the journal offline regenerates every output it holds: each child, each report to the OMS, each decision', () => {
    const records = readJournal(demo.journal.file);
    const r = replayJournal(records);
    expect(r.mismatches).toEqual([]);
    expect(r.unsent).toBe(0);
    expect(r.decisions).toBe(demo.summary.decisions);
    expect(r.decisions).toBeGreaterThan(0);
    expect(r.parents.map((p) => [p.clOrdId, p.cumQty])).toEqual(demo.parents.map((p) => [p.clOrdId, p.filled]));
    // the CLI says the same, and exits 0
    const cli = spawnSync(process.execPath, ['bin/sor.js', 'live', 'replay', demo.journal.file, '--json'], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ mismatch_count: 0, unsent: 0, decisions: r.decisions });
  });

  it('a new parent’s first children are written to the venues before its acknowledgement to the OMS', () => {
    // the demo's inputs again, through a router that sends (live, no journal), its sends recorded in order
    const records = readJournal(demo.journal.file);
    const start = records.find((r) => r.k === 'start');
    if (start?.k !== 'start') throw new Error('no start record');
    expect(start.v).toBe(JOURNAL_VERSION); // the service writes the journal's format version
    const { clock, models, ...setup } = start.setup;
    expect(models).toBe(false);
    const router = new LiveRouter({ ...setup, clock: new LiveClock(clock) }, null, null);
    let calls: string[] = [];
    router.goLive(
      { toVenue: (_v, type) => void calls.push(`venue ${type}`), toOms: (_o, type, body) => void calls.push(`oms ${type} ${new Map(body).get('150')}`) },
      null,
    );
    let parents = 0;
    for (const r of records) {
      if (!isInput(r) || r.k === 'start') continue;
      calls = [];
      // as the service feeds it: the input, and the wake-ups due by then (a new parent's first decision)
      router.feed(r, () => r.t);
      if (r.k !== 'oms' || r.type !== 'D' || !calls.includes('venue D')) continue;
      parents++;
      // (other parents' cancels may come first: the same turn's decisions, in the order they were made)
      expect(calls.indexOf('oms 8 0'), calls.join(', ')).toBeGreaterThan(calls.lastIndexOf('venue D'));
    }
    expect(parents).toBe(4);
  });

  it('a journal whose input was changed after the fact replays to different outputs, and says where', () => {
    const lines = readFileSync(demo.journal.file, 'utf8').trimEnd().split('\n');
    // a venue's fill report, its quantity changed
    const i = lines.findIndex((l) => l.startsWith('{"k":"venue"') && l.includes('["150","F"]'));
    expect(i).toBeGreaterThan(0);
    const tampered = [...lines];
    tampered[i] = tampered[i]!.replace(/\["32","(\d+)"\]/, (_, q: string) => `["32","${Number(q) + 1}"]`);
    const file = `${demo.journal.file}.tampered`;
    writeFileSync(file, tampered.join('\n') + '\n');
    const r = replayJournal(readJournal(file));
    expect(r.mismatches.length).toBeGreaterThan(0);
    const cli = spawnSync(process.execPath, ['bin/sor.js', 'live', 'replay', file], { encoding: 'utf8' });
    expect(cli.status).toBe(3);
    expect(cli.stdout).toMatch(/[1-9]\d* differ/);
  });

  it('a bad config names the field and exits 2', () => {
    const good = {
      symbol: 'GOOG',
      tick: 100,
      oms: { sessions: [{ compId: 'OMS1', username: 'desk', passwordHash: 'scrypt$16384$00ff$00ff' }] },
      venues: [{ name: 'LIT_MT', kind: 'lit', port: 9000 }],
      journal: { dir: 'x' },
    };
    expect(parseRouterConfig(good).policy.default).toBe('rule');
    expect(() => parseRouterConfig({ ...good, venues: [{ name: 'LIT_MT', kind: 'grey', port: 9000 }] })).toThrow(/venues\[0\]\.kind/);
    expect(() => parseRouterConfig({ ...good, oms: { sessions: [{ compId: 'OMS1', username: 'desk', passwordHash: 'hunter2' }] } })).toThrow(
      /oms\.sessions\[0\]\.passwordHash: a salted hash/,
    );
    const file = `${demo.journal.file}.config.json`;
    writeFileSync(file, JSON.stringify({ ...good, tick: -1 }));
    const cli = spawnSync(process.execPath, ['bin/sor.js', 'serve', '--config', file], { encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(`${file}: tick:`);
  });
});
