import type { Command } from 'commander';
import { resolveScenario } from '../backtest/market.js';
import { buildWorld } from '../backtest/world.js';
import { simulate } from '../sim/session.js';
import { nonNegativeInt } from './options.js';
import { print } from './print.js';

export function simulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run a simulated session of a scenario and print its summary (per-venue counts, NBBO statistics, event-log hash)')
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--seed <n>', 'seed (defaults to the scenario’s)', nonNegativeInt('--seed'))
    .option('--minutes <n>', 'simulated minutes from the scenario’s start', nonNegativeInt('--minutes'), 30)
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
  console.log('venue        kind   orders   cancels   trades     volume');
  for (const v of s.venues) {
    console.log(
      `${v.name.padEnd(12)} ${v.kind.padEnd(5)} ${String(v.orders).padStart(7)} ${String(v.cancels).padStart(9)} ${String(v.trades).padStart(8)} ${String(v.volume).padStart(10)}`,
    );
  }
  const n = s.nbbo;
  console.log(`NBBO mean spread ${n.mean_spread_ticks.toFixed(3)} ticks; time by spread (ticks): ${JSON.stringify(n.share_of_time_by_spread_ticks)}`);
  console.log(`close ${n.close_bid} / ${n.close_ask}; ${s.events} logged events; event-log hash ${s.event_log_hash}`);
}
