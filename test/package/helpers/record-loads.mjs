// `node --import <this file> …`: appends the URL of every module the process
// loads through the ES module loader to the file named by $MEMHP_RECORD_LOADS.
import { register } from 'node:module';

register('./record-loads-hooks.mjs', import.meta.url);
