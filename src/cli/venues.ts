import type { Command } from 'commander';
import { resolveScenario } from '../backtest/market.js';
import { VenueSimulator } from '../live/venues.js';
import { nonNegativeInt, numberIn } from './options.js';
import { table } from './print.js';

export function venuesCommand(program: Command): void {
  program
    .command('venues')
    .description(
      'run a scenario’s simulated market in real time, each venue a FIX 4.4 acceptor on 127.0.0.1 (order entry; market data on the lit venues), until stopped (Ctrl-C or SIGTERM)',
    )
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--seed <n>', 'seed (defaults to the scenario’s)', nonNegativeInt('--seed'))
    .option('--speed <x>', 'market time per wall time (the router’s clock follows it)', numberIn('--speed', 0.01, 1000), 1)
    .option('--base-port <n>', 'venue i listens on base + i (0: free ports)', nonNegativeInt('--base-port', 65_000), 0)
    .option('--router <CompID>', 'the router’s CompID for order entry', 'SOR')
    .option('--market-data <CompID>', 'the router’s CompID for market data', 'SOR-MD')
    .option('--json', 'print the endpoints and the clock as JSON', false)
    .action(async (o: { scenario: string; seed?: number; speed: number; basePort: number; router: string; marketData: string; json: boolean }) => {
      const market = resolveScenario(o.scenario);
      const sim = new VenueSimulator({
        market,
        seed: o.seed ?? market.scenario.seed,
        speed: o.speed,
        basePort: o.basePort,
        routerCompId: o.router,
        marketDataCompId: o.marketData,
      });
      const venues = await sim.start();
      const info = { scenario: market.scenario.name, symbol: sim.symbol, clock: sim.clock.spec, router: o.router, marketData: o.marketData, venues };
      if (o.json) console.log(JSON.stringify(info));
      else {
        console.log(`${info.scenario} · ${info.symbol} · speed ${o.speed} · router ${o.router} (market data ${o.marketData}) · Ctrl-C stops`);
        table(
          ['venue', 'kind', 'port', 'CompID'],
          venues.map((v) => [v.name, v.kind, String(v.port), v.compId]),
        );
      }
      await new Promise<void>((done) => {
        const stop = () => void sim.stop().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
