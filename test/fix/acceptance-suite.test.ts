import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIX44_SCRIPTS, needs, present } from '../helpers/reference-data.js';
import { runSuite } from '../../src/fix/acceptance/suite.js';

const DIR = FIX44_SCRIPTS;

/** The project's acceptor against QuickFIX/J's FIX 4.4 session suite (`../shared/data/fix-acceptance`, the reference data): all of it. */
describe.skipIf(!present(DIR))(needs(DIR, 'FIX acceptance suite'), () => {
  it('the fast suite: all 63 scripts pass, each against a fresh acceptor on loopback', async () => {
    const { results, skipped } = await runSuite([DIR], { beginString: 'FIX.4.4', senderCompID: 'ISLD', targetCompID: 'TW', slow: false, expectMs: 1500 });
    expect(skipped.map((f) => f.split('/').pop())).toEqual(['4a_NoDataSentDuringHeartBtInt.def', '6_SendTestRequest.def']);
    expect(results).toHaveLength(63);
    const failed = results.filter((r) => !r.passed).map((r) => `${r.script}: line ${r.failure!.line}: ${r.failure!.reason}`);
    expect(failed).toEqual([]);
  }, 300_000);

  it('the slow suite: heartbeats on an idle session, a TestRequest when the other side is silent, and the disconnect', async () => {
    const { results } = await runSuite([DIR], { beginString: 'FIX.4.4', senderCompID: 'ISLD', targetCompID: 'TW', slow: true });
    expect(results.map((r) => [r.script, r.passed, r.failure?.reason])).toEqual([
      ['4a_NoDataSentDuringHeartBtInt.def', true, undefined],
      ['6_SendTestRequest.def', true, undefined],
    ]);
  }, 120_000);

  it('sor fix acceptance --json: per script passed or the first difference; exit 3 when one fails', () => {
    const run = (...files: string[]) =>
      spawnSync(process.execPath, ['bin/sor.js', 'fix', 'acceptance', ...files, '--json', '--expect-seconds', '1.5'], { encoding: 'utf8' });
    const ok = run(`${DIR}/2b_MsgSeqNumTooHigh.def`, `${DIR}/20_SimultaneousResendRequest.def`);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ passed: 2, failed: 0, skipped: 0 });
    // a script expecting what the acceptor does not send: the 14e script with the enum check's RefTagID changed
    const dir = mkdtempSync(join(tmpdir(), 'sor-acc-'));
    const wrong = readFileSync(`${DIR}/14e_IncorrectEnumValue.def`, 'latin1').replace('371=167', '371=168');
    writeFileSync(join(dir, 'wrong.def'), wrong, 'latin1');
    const bad = run(join(dir, 'wrong.def'));
    expect(bad.status).toBe(3);
    const r = JSON.parse(bad.stdout).results[0];
    expect(r).toMatchObject({ script: 'wrong.def', passed: false });
    expect(r.failure.line).toBe(wrong.split('\n').findIndex((l) => l.includes('371=168')) + 1);
    expect(r.failure.reason).toBe('tag 371: expected 168, received 167');
    expect(r.failure.expected).toMatch(/^8=FIX\.4\.4\|/);
    expect(run('/nonexistent.def').status).toBe(4);
  });
});
