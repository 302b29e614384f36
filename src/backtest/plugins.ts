import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SorError } from '../core/errors.js';

/**
 * Imports modules that register a user's own policies (or world-model kinds): the main thread and every worker
 * import the same files, so a policy registered by a plugin runs wherever the batch does. A module already loaded
 * is not loaded again, so nothing registers twice.
 */
export async function loadPlugins(files: readonly string[] | undefined): Promise<void> {
  for (const f of files ?? []) {
    try {
      await import(pathToFileURL(resolve(f)).href);
    } catch (e) {
      throw new PluginError(`plugin ${f}: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** A plugin that cannot be loaded: names the file. */
export class PluginError extends SorError {
  constructor(message: string, options?: ErrorOptions) {
    super('usage', message, options);
  }
}
