import { resolveScenario } from '../backtest/market.js';
import { monotonicUs } from '../core/latency.js';
import { VenueSimulator } from '../live/venues.js';

/**
 * `sor bench fix`'s venues, a process of their own (forked): the venue simulator, which notes when each child order
 * arrives (the monotonic clock, which every process on the machine shares) and hands those times over when asked.
 * Messages: in {scenario, seed, speed} → out {ready, config-template fields}; in {config, …} → out {config};
 * in {arrivals} → out {arrivals}; in {stop} → exits.
 */
type Ask =
  | { ask: 'start'; scenario: string; seed: number; speed: number }
  | { ask: 'config'; passwordHash: string; journalDir: string; sync: string }
  | { ask: 'arrivals' }
  | { ask: 'stop' };

/** The monotonic clock, ms (CLOCK_MONOTONIC: one clock for all processes). */
export const monotonicMs = (): number => monotonicUs() / 1000;

if (process.send) {
  let sim: VenueSimulator | null = null;
  const arrived = new Map<string, number>();
  process.on('message', (m: Ask) => {
    void (async () => {
      if (m.ask === 'start') {
        sim = new VenueSimulator({
          market: resolveScenario(m.scenario),
          seed: m.seed,
          speed: m.speed,
          onOrder: (clOrdId) => {
            if (!arrived.has(clOrdId)) arrived.set(clOrdId, monotonicMs());
          },
        });
        await sim.start();
        process.send!({ ready: true, clock: sim.clock.spec });
      } else if (m.ask === 'config') {
        process.send!({ config: sim!.routerConfig({ passwordHash: m.passwordHash, journalDir: m.journalDir, sync: m.sync, policy: 'rule' }) });
      } else if (m.ask === 'arrivals') {
        process.send!({ arrivals: [...arrived] });
      } else {
        await sim?.stop();
        process.exit(0);
      }
    })();
  });
}
