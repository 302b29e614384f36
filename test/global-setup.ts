import { execFileSync } from 'node:child_process';

/**
 * Before any test: typecheck everything (sources and tests), and compile dist/, which the CLI tests run through
 * bin/sor.js, so they never test a stale build.
 */
export default function setup(): void {
  const tsc = ['node_modules/typescript/bin/tsc'];
  execFileSync(process.execPath, [...tsc, '-p', 'tsconfig.json', '--noEmit'], { stdio: 'inherit' });
  execFileSync(process.execPath, [...tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
