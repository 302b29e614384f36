#!/usr/bin/env node
// The `sor` command. The TypeScript sources are compiled to dist/ by `npm ci` (the `prepare` script).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('sor: dist/ is missing; run `npm ci` (or `npm run build`) in the repository first');
  process.exit(1);
}
await import(entry.href);
