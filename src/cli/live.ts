import type { Command } from 'commander';
import { resolveScenario } from '../backtest/market.js';
import { EXIT_CODES, UsageError } from '../core/errors.js';
import { loadRouterConfig } from '../live/config.js';
import { ModelRegistry } from '../models/registry.js';
import { runChaos } from '../live/chaos.js';
import { runLiveDemo } from '../live/demo.js';
import { readJournal } from '../live/journal.js';
import { replayJournal } from '../live/router.js';
import { RouterService } from '../live/service.js';
import { startControl } from '../monitor/control.js';
import { nonNegativeInt, numberIn, positiveInt } from './options.js';
import { table } from './print.js';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the router service: the OMS acceptor, the venue sessions, the journal (replayed first after a crash), until stopped (Ctrl-C or SIGTERM)')
    .requiredOption('--config <file>', 'the router’s configuration (router.json)')
    .option('--json', 'print the ready line (and, when stopped, the router’s own latency) as JSON', false)
    .action(async (o: { config: string; json: boolean }) => {
      const config = loadRouterConfig(o.config);
      const service = new RouterService(config);
      await service.start();
      const control = await startControl(service, config);
      const ready = { ready: true, omsPort: service.omsPort, controlPort: service.controlPort, journal: service.journalFile, recovery: service.recovery };
      if (o.json) console.log(JSON.stringify(ready));
      else
        console.log(
          `router ${config.router.compId}: OMS sessions on 127.0.0.1:${service.omsPort}; ` +
            (service.controlPort ? `control API on 127.0.0.1:${service.controlPort}; ` : 'no control API (router.json has no control.tokens); ') +
            `journal ${service.journalFile}` +
            (service.recovery.records
              ? `; recovered ${service.recovery.inputs} inputs (${service.recovery.resent} outputs sent late, ${service.recovery.mismatches.length} mismatches)`
              : ''),
        );
      await new Promise<void>((done) => {
        const stop = () => void (control ? control.close() : Promise.resolve()).then(() => service.stop()).then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      // the router's own part of each parent's path, measured inside it (bytes in → first children written), µs
      const own = service.parentToChild.summary();
      if (o.json) console.log(JSON.stringify({ stopped: true, parent_to_first_child: own }));
      else if (own.n > 0)
        console.log(`stopped; ${own.n} parents, in → first children written: p50 ${own.p50_us.toFixed(0)} µs, p99 ${own.p99_us.toFixed(0)} µs`);
    });
}

export function liveCommand(program: Command): void {
  const live = program.command('live').description('the live world on loopback: a demo, a journal’s replay');
  live
    .command('demo')
    .description(
      'venues, the router and a small OMS on loopback: parent orders over FIX, then their TCA and the reconciliation of fills (OMS = journal = venues)',
    )
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--seed <n>', 'seed of the market and of the orders', nonNegativeInt('--seed'), 1)
    .option('--orders <n>', 'parent orders', positiveInt('--orders', 1000), 10)
    .option('--speed <x>', 'market time per wall time', numberIn('--speed', 0.1, 1000), 20)
    .option('--horizon-seconds <s>', 'each parent’s horizon, market seconds', numberIn('--horizon-seconds', 5, 3600), 60)
    .option('--policy <name>', 'the routing policy (rule, twap, vwap, pov, ac, ck, ml)', 'rule')
    .option('--models <dir>', 'ml: the model registry its trained models come from', 'sor-models')
    .option('--sync <mode>', 'the journal’s sync: every, group or os', 'every')
    .option('--json', 'print JSON', false)
    .action(
      async (o: {
        scenario: string;
        seed: number;
        orders: number;
        speed: number;
        horizonSeconds: number;
        policy: string;
        models: string;
        sync: string;
        json: boolean;
      }) => {
        if (!['every', 'group', 'os'].includes(o.sync)) throw new UsageError(`--sync: every, group or os, not ${JSON.stringify(o.sync)}`);
        const r = await runLiveDemo({
          market: resolveScenario(o.scenario),
          seed: o.seed,
          orders: o.orders,
          speed: o.speed,
          horizonSeconds: o.horizonSeconds,
          policy: o.policy,
          sync: o.sync as 'every',
          ...(o.policy === 'ml' ? { models: o.models } : {}),
          timeoutSeconds: Math.max(30, (o.horizonSeconds / o.speed) * 3 + 10),
        });
        if (o.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`${r.scenario} · ${r.symbol} · ${r.policy} · speed ${r.speed} · ${r.ended} of ${r.orders} parents ended`);
          table(
            ['parent', 'side', 'qty', 'state', 'filled', 'avg', 'IS bps', 'vs VWAP bps'],
            r.parents.map((p) => [
              p.clOrdId,
              p.side,
              String(p.qty),
              p.state,
              String(p.filled),
              p.avg_price.toFixed(4),
              p.shortfall_bps.toFixed(2),
              p.vs_vwap_bps.toFixed(2),
            ]),
          );
          const s = r.summary;
          console.log(
            `mean IS ${s.mean_shortfall_bps.toFixed(2)} bp · vs VWAP ${s.mean_vs_vwap_bps.toFixed(2)} bp · fill rate ${(100 * s.fill_rate).toFixed(1)}% · ${s.children} children · ${s.decisions} decisions`,
          );
          const c = r.reconciliation;
          console.log(
            `fills: OMS ${c.oms_fills} (${c.oms_shares} sh) · journal ${c.journal_fills} (${c.journal_shares} sh) · venues ${c.venue_fills} (${c.venue_shares} sh) · ${c.agree && c.per_parent_agree ? 'agree' : 'DISAGREE'}`,
          );
          console.log(`journal: ${r.journal.file} (${r.journal.records} records, sync ${r.journal.sync})`);
        }
        if (!r.reconciliation.agree || !r.reconciliation.per_parent_agree || r.ended < r.orders) process.exitCode = EXIT_CODES.data;
      },
    );
  live
    .command('chaos')
    .description(
      'parents through the live stack while the router (a sor serve process) is killed with SIGKILL at random moments and restarted; then lost and duplicated fills and children are counted (exit 3 if any)',
    )
    .option('--scenario <name|file>', 'shipped scenario name or path to a scenario JSON', 'default')
    .option('--seed <n>', 'seed of the market, the orders and the kill times', nonNegativeInt('--seed'), 1)
    .option('--kills <n>', 'how many times the router is killed', nonNegativeInt('--kills', 10_000), 5)
    .option('--orders <n>', 'parent orders', positiveInt('--orders', 1000), 4)
    .option('--speed <x>', 'market time per wall time', numberIn('--speed', 0.1, 1000), 10)
    .option('--horizon-seconds <s>', 'each parent’s horizon, market seconds (the kills fall within it)', numberIn('--horizon-seconds', 5, 36_000), 120)
    .option('--policy <name>', 'the routing policy', 'rule')
    .option('--json', 'print JSON', false)
    .action(
      async (o: { scenario: string; seed: number; kills: number; orders: number; speed: number; horizonSeconds: number; policy: string; json: boolean }) => {
        const r = await runChaos({
          market: resolveScenario(o.scenario),
          seed: o.seed,
          orders: o.orders,
          kills: o.kills,
          speed: o.speed,
          horizonSeconds: o.horizonSeconds,
          policy: o.policy,
        });
        if (o.json) console.log(JSON.stringify(r, null, 2));
        else {
          console.log(`${r.kills} kills (${r.killed_starting} while recovering) · ${r.ended} of ${r.orders} parents ended · ${r.children} children`);
          console.log(`fills: OMS ${r.oms_shares} sh · journal ${r.journal_shares} sh · venues ${r.venue_shares} sh`);
          console.log(
            `lost ${r.lost_shares} sh · duplicated ${r.duplicated_shares} sh (${r.duplicate_exec_ids} ExecIDs twice) · children sent twice ${r.children_sent_twice} (same content ${r.children_same_content}) · replay mismatches ${r.replay_mismatches}`,
          );
        }
        const bad = r.lost_shares + r.duplicated_shares + r.duplicate_exec_ids + r.children_sent_twice + r.children_same_content + r.replay_mismatches;
        if (bad > 0 || r.ended < r.orders || r.oms_shares !== r.venue_shares || r.journal_shares !== r.venue_shares) process.exitCode = EXIT_CODES.data;
      },
    );
  live
    .command('replay')
    .description('replay a router journal offline through a fresh router: every output regenerated and compared (exit 3 on a difference)')
    .argument('<journal>', 'the journal file (router.journal in the service’s journal folder)')
    .option('--models <dir>', 'the model registry of the router’s ml models (the journal names them by id)', 'sor-models')
    .option('--json', 'print JSON', false)
    .action((file: string, o: { json: boolean; models: string }) => {
      const r = replayJournal(readJournal(file), new ModelRegistry(o.models));
      if (o.json) console.log(JSON.stringify({ ...r, mismatches: r.mismatches.slice(0, 20), mismatch_count: r.mismatches.length }, null, 2));
      else {
        console.log(
          `${file}: ${r.records} records, ${r.inputs} inputs replayed, ${r.outputs} outputs (${r.decisions} decisions) regenerated; ${r.mismatches.length} differ; ${r.unsent} never sent`,
        );
        for (const m of r.mismatches.slice(0, 10)) console.log(`  ${m}`);
      }
      if (r.mismatches.length > 0) process.exitCode = EXIT_CODES.data;
    });
}
