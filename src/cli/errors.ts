/** An error caused by the user's input: printed without a stack, with its exit code (2 = bad input). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
