import type { Command } from 'commander';
import { EXIT_CODES, UsageError } from '../core/errors.js';
import { hashPassword } from '../fix/auth.js';
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
    .option(
      '--dictionary <name|file|none>',
      'the dictionary messages are checked against: a FIX version (FIX44), a QuickFIX XML file, or none (default: the BeginString’s)',
    )
    .option('--next-expected-msg-seq-num', 'NextExpectedMsgSeqNum (789) on Logon', false)
    .option('--last-msg-seq-num-processed', 'LastMsgSeqNumProcessed (369) on every message sent', false)
    .option('--timestamp-digits <n>', 'digits of the second in the times sent: 3, 6 or 9', timestampDigits, 3)
    .option('--allow-user-defined-fields', 'let tags of 5000 and above that the dictionary lacks through', false)
    .option('--expect-seconds <s>', 'how long an expected message may take', numberIn('--expect-seconds', 0.1, 60), 10)
    .option('--json', 'print JSON', false)
    .action(
      async (
        paths: string[],
        o: {
          sender: string;
          target: string;
          beginString: string;
          slow: boolean;
          resendChunkSize: number;
          dictionary?: string;
          nextExpectedMsgSeqNum: boolean;
          lastMsgSeqNumProcessed: boolean;
          timestampDigits: 3 | 6 | 9;
          allowUserDefinedFields: boolean;
          expectSeconds: number;
          json: boolean;
        },
      ) => {
        const { results, skipped } = await runSuite(paths, {
          beginString: o.beginString,
          senderCompID: o.sender,
          targetCompID: o.target,
          slow: o.slow,
          resendChunkSize: o.resendChunkSize,
          ...(o.dictionary ? { dictionary: o.dictionary } : {}),
          session: {
            nextExpectedMsgSeqNum: o.nextExpectedMsgSeqNum,
            lastMsgSeqNumProcessed: o.lastMsgSeqNumProcessed,
            timestampDigits: o.timestampDigits,
            validateUserDefinedFields: !o.allowUserDefinedFields,
          },
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
  fix
    .command('hash-password')
    .description(
      'read a password from stdin and print its salted hash for a session’s credentials in the config (the password is never an argument, so never in a process listing or shell history)',
    )
    .action(async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const password = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
      if (password.length < 8) throw new UsageError('the password (stdin) must have at least 8 characters');
      console.log(hashPassword(password));
    });
}

function timestampDigits(v: string): 3 | 6 | 9 {
  if (v === '3' || v === '6' || v === '9') return Number(v) as 3 | 6 | 9;
  throw new UsageError(`--timestamp-digits: 3, 6 or 9, not ${JSON.stringify(v)}`);
}
