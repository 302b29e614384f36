import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { calibrateDay, calibratedScenarioText } from '../data/calibrate.js';
import { fitQueueReactive } from '../data/calibrate-qr.js';
import { resolveScenario } from '../backtest/market.js';
import { dayWindow, loadLobster, resolvePair } from '../data/lobster.js';
import { UsageError } from './errors.js';
import { packageFile } from '../core/paths.js';
import { numberIn, positiveInt, windowOption, type DayWindow } from './options.js';
import { writableFile, writeFileWhole } from '../core/files.js';
import { print } from './print.js';

export function calibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description('fit the synthetic order-flow generator to a LOBSTER day and write a scenario')
    .argument('<folder-or-message-file>', 'a folder holding a LOBSTER message/orderbook pair, or the message file')
    .argument('[orderbook-file]', 'the orderbook file, when the message file is given')
    .requiredOption('--out <file>', 'the scenario file to write')
    .option('--template <file>', 'take venues, fees and latencies from this scenario (a file or a shipped name)', packageFile('scenarios', 'cst.json'))
    .option('--informed <share>', 'share of market orders trading toward the fair value (not identifiable from the data)', numberIn('--informed', 0, 1), 0.6)
    .option(
      '--impact-beta <beta>',
      'decay exponent of the impact kernel (0.35: the total impact follows the square-root law)',
      numberIn('--impact-beta', 0, 1),
      0.35,
    )
    .option(
      '--flow <kind>',
      'qr: queue-reactive at the best with a fitted book behind it (the shipped default); cst: Cont-Stoikov-Talreja everywhere (scenarios/cst-goog.json)',
      'qr',
    )
    .option('--name <name>', 'scenario name', 'calibrated')
    .option('--tick <n>', 'tick size in 1/10,000 of the currency', positiveInt('--tick', 1_000_000), 100)
    .option('--window <HH:MM-HH:MM>', 'calibrate on this part of the day only (e.g. 09:30-12:45: the rest is left to check it on)', windowOption('--window'))
    .option('--json', 'print the fitted parameters as JSON', false)
    .action(
      (
        path: string,
        orderbook: string | undefined,
        o: {
          out: string;
          template: string;
          name: string;
          tick: number;
          json: boolean;
          informed: number;
          impactBeta: number;
          flow: string;
          window?: DayWindow;
        },
      ) => {
        if (o.flow !== 'qr' && o.flow !== 'cst') throw new UsageError(`--flow must be qr or cst, not "${o.flow}"`);
        writableFile(o.out, '--out');
        const pair = resolvePair(path, orderbook);
        const whole = loadLobster(pair);
        const day = o.window ? dayWindow(whole, o.window.fromNs, o.window.toNs, o.window.label) : whole;
        const cal = calibrateDay(day, o.tick);
        const queueReactive = o.flow === 'qr' ? fitQueueReactive(day, o.tick, cal.cancelRates[cal.cancelRates.length - 1]!) : undefined;
        // the template is a scenario: checked as one first, so its file and field are named; its text is what is taken
        const { file } = resolveScenario(o.template);
        const template = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        const text = calibratedScenarioText(
          cal,
          template,
          o.name,
          { informedMarketFraction: o.informed, impactBeta: o.impactBeta, ...(queueReactive ? { queueReactive } : {}) },
          o.out,
        );
        writeFileWhole(o.out, text);
        if (o.json) print(queueReactive ? { ...cal, queueReactive } : cal, true);
        else console.log(`wrote ${o.out}: ${cal.limitRates.length} distances, μ = ${cal.marketRate}/s per side, ${cal.fairValueBpsPerSqrtMinute} bp/√min`);
      },
    );
}
