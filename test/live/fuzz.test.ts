import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/backtest/market.js';
import { runOmsFuzz } from '../../src/live/fuzz.js';

describe('the OMS session under 100,000 random and mutated messages', () => {
  it('answers each (a session Reject, an ExecutionReport Rejected, an OrderCancelReject), stays up, and its memory stays bounded', async () => {
    const r = await runOmsFuzz({ market: resolveScenario('default'), seed: 1, messages: 100_000 });
    expect(r.logouts).toEqual([]);
    expect(r.up_after).toBe(true);
    // every framed message got an answer of its own: the logon's, one per message, and the good order's ack
    const answered = Object.values(r.replies).reduce((a, b) => a + b, 0);
    expect(answered).toBeGreaterThanOrEqual(r.messages - r.garbage);
    for (const t of ['3', '8', '9']) expect(r.replies[t] ?? 0).toBeGreaterThan(1000);
    // the service ran with its heap capped at 160 MB: it could not have kept what the flood sent
    expect(r.heap_cap_mb).toBe(160);
    expect(r.rss_mb_end - r.rss_mb_early).toBeLessThan(100);
  }, 180_000);
});
