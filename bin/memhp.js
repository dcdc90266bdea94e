#!/usr/bin/env node
// The `memhp` command: memhp is TypeScript run with tsx, so register tsx's
// loader in this process and hand over to the real entry point. No build step,
// no second node process (signals and exit codes stay the CLI's own).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
