// Module hooks (they run on the loader's own thread): note each URL, then load it as usual.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (process.env.MEMHP_RECORD_LOADS) appendFileSync(process.env.MEMHP_RECORD_LOADS, `${url}\n`);
  return nextLoad(url, context);
}
