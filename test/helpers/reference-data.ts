import { existsSync } from 'node:fs';

/**
 * The reference data: real NASDAQ LOBSTER samples and QuickFIX/J's FIX 4.4 acceptance scripts, in `../shared/data`
 * beside the repository (see the README's "Reference data"). A user's clone has none, so a test that reads it skips,
 * naming the folder it missed; CI has it, and `test/reference-data.test.ts` fails a CI run without it.
 */
export const REFERENCE_DATA = '../shared/data';

/** The folders of the reference data that tests read, relative to the repository. */
export const GOOG_DAY = `${REFERENCE_DATA}/lobster/GOOG_2012-06-21_L1`;
export const AAPL_SAMPLE = `${REFERENCE_DATA}/lobster/AAPL_2012-06-21_L10_subset`;
export const LOBSTER = `${REFERENCE_DATA}/lobster`;
export const FIX44_SCRIPTS = `${REFERENCE_DATA}/fix-acceptance/fix44`;
export const REFERENCE_FOLDERS = [GOOG_DAY, AAPL_SAMPLE, FIX44_SCRIPTS] as const;

/** Whether every one of the folders of the reference data is here. */
export const present = (folders: string | readonly string[]): boolean => (typeof folders === 'string' ? [folders] : folders).every((f) => existsSync(f));

/**
 * A test's or a suite's title, with the reason it is skipped where a folder it reads is absent:
 * `describe.skipIf(!present(F))(needs(F, 'title'), …)` shows "title (skipped: ../shared/data/… is absent …)".
 */
export function needs(folders: string | readonly string[], title: string): string {
  const missing = (typeof folders === 'string' ? [folders] : folders).filter((f) => !existsSync(f));
  return missing.length === 0
    ? title
    : `${title} (skipped: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} absent; the reference data, see the README)`;
}
