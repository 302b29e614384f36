import { describe, expect, it } from 'vitest';
import { present, REFERENCE_DATA, REFERENCE_FOLDERS } from './helpers/reference-data.js';

/**
 * The tests that read the reference data skip where it is absent (a user's clone). CI has it (CI=true), so there its
 * absence fails the run here rather than letting those tests skip unseen.
 */
describe('the reference data', () => {
  it.runIf(process.env.CI === 'true')(`under CI=true, ${REFERENCE_DATA} is here with every folder the tests read`, () => {
    expect(
      REFERENCE_FOLDERS.filter((f) => !present(f)),
      `CI runs every test: the reference data must be at ${REFERENCE_DATA}`,
    ).toEqual([]);
  });
});
