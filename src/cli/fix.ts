import type { Command } from 'commander';
import { EXIT_CODES } from '../core/errors.js';
import { runSuite } from '../fix/acceptance/suite.js';
import { nonNegativeInt, numberIn } from './options.js';
import { table } from './print.js';

export function fixCommand(program: Command): void {
  const fix = program.command('fix').description('FIX 4.4 over TCP: the session and its acceptance suite');
  fix
    .command('acceptance')
    .description("play QuickFIX/J-format acceptance scripts (.def) against the project's FIX acceptor on loopback; per script: passed, or the first difference")
    .argument('<dir|file...>', 'scripts, or folders of them')
    .option('--sender <CompID>', "the acceptor's CompID (the scripts' 56)", 'ISLD')
    .option('--target <CompID>', "the client's CompID (the scripts' 49)", 'TW')
    .option('--begin-string <s>', 'BeginString', 'FIX.4.4')
    .option('--slow', 'run the scripts that wait on the acceptor’s heartbeat timers (left out otherwise)', false)
    .option('--resend-chunk-size <n>', "the acceptor's ResendRequestChunkSize (0: a whole gap at once)", nonNegativeInt('--resend-chunk-size'), 0)
    .option('--expect-seconds <s>', 'how long an expected message may take', numberIn('--expect-seconds', 0.1, 60), 10)
    .option('--json', 'print JSON', false)
    .action(
      async (
        paths: string[],
        o: { sender: string; target: string; beginString: string; slow: boolean; resendChunkSize: number; expectSeconds: number; json: boolean },
      ) => {
        const { results, skipped } = await runSuite(paths, {
          beginString: o.beginString,
          senderCompID: o.sender,
          targetCompID: o.target,
          slow: o.slow,
          resendChunkSize: o.resendChunkSize,
          expectMs: o.expectSeconds * 1000,
        });
        const passed = results.filter((r) => r.passed).length;
        if (o.json) console.log(JSON.stringify({ passed, failed: results.length - passed, skipped: skipped.length, results }, null, 2));
        else {
          table(
            ['script', 'result', 'ms', 'first difference'],
            results.map((r) => [r.script, r.passed ? 'passed' : 'FAILED', String(r.ms), r.failure ? `line ${r.failure.line}: ${r.failure.reason}` : '']),
          );
          console.log(`${passed} of ${results.length} passed${skipped.length ? `; ${skipped.length} left to the ${o.slow ? 'fast' : 'slow'} suite` : ''}`);
        }
        // a conversation that differs from the script is the check failing, as replay --verify's mismatch is
        if (passed < results.length) process.exitCode = EXIT_CODES.data;
      },
    );
}
