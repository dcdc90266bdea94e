#!/usr/bin/env node
// The `memhp` command: the compiled JavaScript in dist/ (built by `npm install`
// through the `prepare` script, or `npm run build`; shipped in the package).
// No TypeScript loader at run time, no second node process.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('memhp: dist/ is missing: run `npm install` (or `npm run build`) in the memhp checkout\n');
  process.exit(1);
}
await import(main.href);
