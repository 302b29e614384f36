import { Command } from 'commander';
import { backtestCommand } from './backtest.js';
import { benchCommand } from './bench.js';
import { calibrateCommand } from './calibrate.js';
import { datasetCommand } from './dataset.js';
import { ingestCommand } from './ingest.js';
import { realismCommand } from './realism.js';
import { replayCommand } from './replay.js';
import { simulateCommand } from './simulate.js';
import { trainCommand } from './train.js';
import { inputErrorCode } from './errors.js';

const program = new Command();
program
  .name('sor')
  .description('Machine-learning smart order router: multi-venue market simulator, benchmarks and tools')
  .version('0.1.0')
  .showHelpAfterError();

simulateCommand(program);
replayCommand(program);
ingestCommand(program);
calibrateCommand(program);
realismCommand(program);
backtestCommand(program);
datasetCommand(program);
trainCommand(program);
benchCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = inputErrorCode(err);
  if (code === null) throw err;
  console.error(`sor: ${(err as Error).message}`);
  process.exit(code);
}
