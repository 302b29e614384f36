import { BatchError } from '../backtest/batch.js';
import { PluginError } from '../backtest/plugins.js';
import { HeldOutError } from '../backtest/training.js';
import { LobsterFormatError } from '../data/lobster.js';
import { PolicyError } from '../router/policy-registry.js';
import { ScenarioError } from '../sim/kind-registry.js';

/** An error caused by the user's input: printed without a stack, with its exit code (2 = bad input). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/**
 * The exit code of an error the user's input caused (printed without a stack), or null for a bug (which keeps its
 * stack). Bad scenarios, LOBSTER files, policies and their options, plugins and seed sets are input: 2.
 */
export function inputErrorCode(e: unknown): number | null {
  if (e instanceof UsageError) return e.exitCode;
  // a failure wrapped with its context (a backtest names the order and policy) is the input's if its cause is
  if (e instanceof Error && e.cause !== undefined && inputErrorCode(e.cause) !== null) return inputErrorCode(e.cause);
  if (
    e instanceof ScenarioError ||
    e instanceof LobsterFormatError ||
    e instanceof PolicyError ||
    e instanceof PluginError ||
    e instanceof BatchError ||
    e instanceof HeldOutError
  )
    return 2;
  if (e instanceof Error && /not a folder|no \*_message_N/.test(e.message)) return 2;
  return null;
}
