import { execFileSync } from 'node:child_process';

/** The CLI tests run bin/sor.js, which loads dist/: compile it first so they never test a stale build. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
