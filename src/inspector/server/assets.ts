/** The built page, read once into memory: only these paths are ever served. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

export interface Asset { body: Buffer; type: string }

export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set('/' + relative(dir, p).split(sep).join('/'), { body: readFileSync(p), type: TYPES[extname(p)] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  const index = out.get('/index.html');
  if (!index) throw new Error(`${dir}/index.html is missing: the inspector page was not built`);
  out.set('/', index);
  return out;
}
