import { Command } from 'commander';
import { backtestCommand } from './backtest.js';
import { benchCommand } from './bench.js';
import { calibrateCommand } from './calibrate.js';
import { datasetCommand } from './dataset.js';
import { UsageError } from './errors.js';
import { fail } from './fail.js';
import { fixCommand } from './fix.js';
import { setProgressReporter, terminalReporter } from '../core/progress.js';
import { ingestCommand } from './ingest.js';
import { realismCommand } from './realism.js';
import { replayCommand } from './replay.js';
import { simulateCommand } from './simulate.js';
import { trainCommand } from './train.js';
import { venuesCommand } from './venues.js';
import { liveCommand, serveCommand } from './live.js';
import { riskCommand } from './risk.js';
import { ctlCommand } from './ctl.js';

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

// long work draws its progress on a terminal; nothing when stderr is piped or the output is JSON
if (process.stderr.isTTY && !process.argv.includes('--json') && !process.argv.includes('--no-progress')) setProgressReporter(terminalReporter(process.stderr));

const program = new Command();
program
  .name('sor')
  .description('Machine-learning smart order router: multi-venue market simulator, benchmarks and tools')
  .version('0.1.0')
  .option('--no-progress', 'no progress line on the terminal (any command)')
  .showHelpAfterError()
  // commander's own usage errors read like every other: `sor: unknown option '--x'`
  .configureOutput({ outputError: (text, write) => write(`sor: ${text.replace(/^error: /, '')}`) })
  // usage errors come back here (exit 2), not out of commander with its own exit code; subcommands inherit it
  .exitOverride();

simulateCommand(program);
replayCommand(program);
ingestCommand(program);
calibrateCommand(program);
realismCommand(program);
backtestCommand(program);
datasetCommand(program);
trainCommand(program);
benchCommand(program);
fixCommand(program);
venuesCommand(program);
serveCommand(program);
liveCommand(program);
riskCommand(program);
ctlCommand(program);

try {
  // an unknown command is an error even with --help after it (commander would print the main help and exit 0)
  const first = process.argv[2];
  const known = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (first !== undefined && !first.startsWith('-') && first !== 'help' && !known.includes(first)) {
    throw new UsageError(`unknown command "${first}" (commands: ${known.join(', ')}; sor --help)`);
  }
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
