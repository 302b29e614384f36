import { Command } from 'commander';
import { UsageError } from './errors.js';
import { fail } from './fail.js';
import { setProgressReporter, terminalReporter } from '../core/progress.js';

/**
 * The commands, each loaded only when it is run (a command's module brings its dependencies — tfjs, DuckDB, the FIX
 * engine — and loading all of them costs seconds); help and an unknown command load them all.
 */
type Register = (program: Command) => void;
const COMMANDS: [string, () => Promise<Register>][] = [
  ['simulate', async () => (await import('./simulate.js')).simulateCommand],
  ['replay', async () => (await import('./replay.js')).replayCommand],
  ['ingest', async () => (await import('./ingest.js')).ingestCommand],
  ['calibrate', async () => (await import('./calibrate.js')).calibrateCommand],
  ['realism', async () => (await import('./realism.js')).realismCommand],
  ['backtest', async () => (await import('./backtest.js')).backtestCommand],
  ['dataset', async () => (await import('./dataset.js')).datasetCommand],
  ['train', async () => (await import('./train.js')).trainCommand],
  ['models', async () => (await import('./train.js')).trainCommand],
  ['bench', async () => (await import('./bench.js')).benchCommand],
  ['fix', async () => (await import('./fix.js')).fixCommand],
  ['venues', async () => (await import('./venues.js')).venuesCommand],
  ['serve', async () => (await import('./live.js')).serveCommand],
  ['live', async () => (await import('./live.js')).liveCommand],
  ['risk', async () => (await import('./risk.js')).riskCommand],
  ['ctl', async () => (await import('./ctl.js')).ctlCommand],
];

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

try {
  // an unknown command is an error even with --help after it (commander would print the main help and exit 0)
  const first = process.argv[2];
  const one = COMMANDS.find(([name]) => name === first);
  const registered = new Set<Register>();
  for (const [, load] of one ? [one] : COMMANDS) {
    const register = await load();
    if (!registered.has(register)) register(program); // train.js registers both train and models
    registered.add(register);
  }
  const known = one ? COMMANDS.map(([name]) => name) : program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (first !== undefined && !first.startsWith('-') && first !== 'help' && !known.includes(first)) {
    throw new UsageError(`unknown command "${first}" (commands: ${known.join(', ')}; sor --help)`);
  }
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
