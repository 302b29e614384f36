import type { Command } from 'commander';
import { buildSession, simulate } from '../sim/session.js';
import { ScenarioError } from '../sim/registry.js';
import { loadScenarioFile, type Scenario } from '../sim/scenario.js';
import { print } from './bench.js';
import { UsageError } from './errors.js';
import { packageFile } from './paths.js';

/** "default" (or another shipped name) or a path to a scenario JSON file. */
export function resolveScenario(arg: string): { scenario: Scenario; file: string } {
  const file = /^[A-Za-z0-9_-]+$/.test(arg) ? packageFile('scenarios', `${arg}.json`) : arg;
  try {
    return { scenario: loadScenarioFile(file), file };
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message, 2);
    throw e;
  }
}

export function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${name} must be a positive number, got "${v}"`);
    return n;
  };
}

export function simulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run a simulated session of a scenario and print its summary (per-venue counts, NBBO statistics, event-log hash)')
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--seed <n>', 'seed (defaults to the scenario’s)', nonNegativeInt('--seed'))
    .option('--minutes <n>', 'simulated minutes from the scenario’s start', nonNegativeInt('--minutes'), 30)
    .option('--json', 'print JSON', false)
    .action((o: { scenario: string; seed?: number; minutes: number; json: boolean }) => {
      const { scenario, file } = resolveScenario(o.scenario);
      let session;
      try {
        session = buildSession(scenario, o.seed ?? scenario.seed, file);
      } catch (e) {
        if (e instanceof ScenarioError) throw new UsageError(e.message, 2);
        throw e;
      }
      const summary = simulate(session, o.minutes);
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
