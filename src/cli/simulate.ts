import type { Command } from 'commander';
import { resolveScenario } from '../backtest/market.js';
import { buildWorld } from '../backtest/world.js';
import { simulate } from '../sim/session.js';
import { nonNegativeInt, positiveInt } from './options.js';
import { print, table } from './print.js';

export function simulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run a simulated session of a scenario and print its summary (per-venue counts, NBBO statistics, event-log hash)')
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--seed <n>', 'seed (defaults to the scenario’s)', nonNegativeInt('--seed'))
    .option('--minutes <n>', 'simulated minutes from the scenario’s start', positiveInt('--minutes', 24 * 60), 30)
    .option('--json', 'print JSON', false)
    .action((o: { scenario: string; seed?: number; minutes: number; json: boolean }) => {
      const market = resolveScenario(o.scenario);
      const summary = simulate(buildWorld({ market, seed: o.seed ?? market.scenario.seed }).session, o.minutes);
      if (o.json) print(summary, true);
      else printSummary(summary);
    });
}

function printSummary(s: ReturnType<typeof simulate>): void {
  console.log(`${s.scenario} · ${s.symbol} · seed ${s.seed} · ${s.minutes} min from ${s.start}`);
  table(
    ['venue', 'kind', 'orders', 'cancels', 'trades', 'volume'],
    s.venues.map((v) => [v.name, v.kind, String(v.orders), String(v.cancels), String(v.trades), String(v.volume)]),
  );
  const n = s.nbbo;
  console.log(`\nNBBO mean spread ${n.mean_spread_ticks.toFixed(3)} ticks; close ${n.close_bid} / ${n.close_ask}`);
  table(
    ['spread (ticks)', 'share of time'],
    Object.entries(n.share_of_time_by_spread_ticks).map(([k, v]) => [k, `${(Number(v) * 100).toFixed(2)} %`]),
  );
  console.log(`\n${s.events} logged events; event-log hash ${s.event_log_hash}`);
}
