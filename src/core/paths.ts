import { fileURLToPath } from 'node:url';

/** A file shipped with the package (scenarios/, profiles/), found from src/ or dist/ alike: a path, no I/O. */
export function packageFile(...parts: string[]): string {
  return fileURLToPath(new URL(`../../${parts.join('/')}`, import.meta.url));
}
