import { HashingSink } from '../../src/core/event-log.js';
import { Rng } from '../../src/core/rng.js';
import { Kernel } from '../../src/sim/kernel.js';
import { PerShareFees } from '../../src/venue/fees.js';
import { ConstantLatency } from '../../src/venue/latency.js';
import { LitVenue } from '../../src/venue/lit-venue.js';
import type { ExecReport, MarketDataListener, Quote, TradePrint, VenueClient } from '../../src/venue/types.js';

export const T0 = 34_200e9; // 09:30

/** A participant that keeps what it receives, with the simulated time of arrival. */
export class Recorder implements VenueClient, MarketDataListener {
  reports: (ExecReport & { at: number })[] = [];
  quotes: (Quote & { at: number })[] = [];
  prints: TradePrint[] = [];
  constructor(private readonly k: Kernel) {}
  onExecReport(r: ExecReport): void {
    this.reports.push({ ...r, at: this.k.now() });
  }
  onQuote(q: Quote): void {
    this.quotes.push({ ...q, at: this.k.now() });
  }
  onTrade(t: TradePrint): void {
    this.prints.push(t);
  }
  kinds(): string[] {
    return this.reports.map((r) => r.kind);
  }
}

export function litVenue(opts: { entry?: number; response?: number; feed?: number; bump?: number; make?: number; take?: number } = {}) {
  const k = new Kernel(T0);
  const log = new HashingSink();
  const v = new LitVenue(
    {
      name: 'LIT',
      index: 0,
      tick: 100,
      fees: new PerShareFees(opts.make ?? -20, opts.take ?? 30),
      entryLatency: new ConstantLatency(opts.entry ?? 1000),
      responseLatency: new ConstantLatency(opts.response ?? 2000),
      feedLatency: new ConstantLatency(opts.feed ?? 500),
      speedBumpNs: opts.bump ?? 0,
    },
    k,
    log,
    new Rng(1),
  );
  return { k, v, log };
}
