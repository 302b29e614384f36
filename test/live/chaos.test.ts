import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { runChaos } from '../../src/live/chaos.js';

describe('crash safety: the router killed with SIGKILL and restarted, while it trades', () => {
  it('loses no fill, counts none twice, sends no child twice, and every parent ends', async () => {
    const r = await runChaos({
      market: resolveScenario('default'),
      seed: 21,
      orders: 3,
      kills: 4,
      speed: 10,
      horizonSeconds: 150,
      policy: 'rule',
      timeoutSeconds: 60,
    });
    expect(r.recoveries.length + r.killed_starting).toBeGreaterThanOrEqual(3);
    for (const rec of r.recoveries) expect(rec.mismatches).toBe(0);
    expect(r.ended).toBe(3);
    expect(r.venue_shares).toBeGreaterThan(0);
    expect([r.oms_shares, r.journal_shares]).toEqual([r.venue_shares, r.venue_shares]);
    expect({
      lost: r.lost_shares,
      duplicated: r.duplicated_shares,
      execIds: r.duplicate_exec_ids,
      twice: r.children_sent_twice,
      content: r.children_same_content,
      replay: r.replay_mismatches,
    }).toEqual({
      lost: 0,
      duplicated: 0,
      execIds: 0,
      twice: 0,
      content: 0,
      replay: 0,
    });
  }, 150_000);
});
