import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { calibrateLobster, calibratedScenarioText, CalibrationError } from '../data/calibrate.js';
import { resolvePair } from '../data/lobster.js';
import { packageFile } from '../core/paths.js';
import { UsageError } from './errors.js';
import { outputFolderExists, print, writeFileWhole } from './print.js';

export function calibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description('fit the synthetic order-flow generator to a LOBSTER day and write a scenario')
    .argument('<folder-or-message-file>', 'a folder holding a LOBSTER message/orderbook pair, or the message file')
    .argument('[orderbook-file]', 'the orderbook file, when the message file is given')
    .requiredOption('--out <file>', 'the scenario file to write')
    .option('--template <file>', 'take venues, fees and latencies from this scenario', packageFile('scenarios', 'cst.json'))
    .option('--informed <share>', 'share of market orders trading toward the fair value (not identifiable from the data)', parseFloat, 0.6)
    .option('--impact-beta <beta>', 'decay exponent of the impact kernel (0.35: the total impact follows the square-root law)', parseFloat, 0.35)
    .option('--name <name>', 'scenario name', 'calibrated')
    .option('--tick <n>', 'tick size in 1/10,000 of the currency', (v) => parseInt(v, 10), 100)
    .option('--json', 'print the fitted parameters as JSON', false)
    .action(
      (
        path: string,
        orderbook: string | undefined,
        o: { out: string; template: string; name: string; tick: number; json: boolean; informed: number; impactBeta: number },
      ) => {
        if (!outputFolderExists(o.out)) throw new UsageError(`--out ${o.out}: no such folder`);
        const cal = calibrateLobster(resolvePair(path, orderbook), o.tick);
        let template: Record<string, unknown>;
        try {
          template = JSON.parse(readFileSync(o.template, 'utf8')) as Record<string, unknown>;
        } catch (e) {
          throw new UsageError(`${o.template}: cannot read the template scenario (${(e as Error).message})`, 2);
        }
        let text;
        try {
          text = calibratedScenarioText(cal, template, o.name, { informedMarketFraction: o.informed, impactBeta: o.impactBeta }, o.out);
        } catch (e) {
          if (e instanceof CalibrationError) throw new UsageError(e.message, 1);
          throw e;
        }
        writeFileWhole(o.out, text);
        if (o.json) print(cal, true);
        else console.log(`wrote ${o.out}: ${cal.limitRates.length} distances, μ = ${cal.marketRate}/s per side, ${cal.fairValueBpsPerSqrtMinute} bp/√min`);
      },
    );
}
