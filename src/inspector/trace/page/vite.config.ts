// Builds the trace's engine (entry.ts) for the browser into dist/inspector-trace/engine.js: one classic
// script with the session, the timeline, the server's Rpc and `why` in it (src/inspector/server/build.ts).
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
const PREFIX = '\0memhp-node:';

/**
 * Node built-ins in a page. What the trace really calls gets a browser version (a deep equality for
 * the timeline's diffs, paths for the session's fork directory); every other export of the real module
 * becomes a function that throws, so a path the trace never takes (writing a log, locking a file)
 * still links, and would fail loudly if it were taken.
 */
const WORKING: Record<string, string> = {
  util: `import { isDeepStrictEqual } from ${JSON.stringify(fileURLToPath(new URL('./deep-equal.ts', import.meta.url)))}; export { isDeepStrictEqual };`,
  path: `
    const norm = (p) => { const abs = p.startsWith('/'); const out = []; for (const s of p.split('/')) { if (!s || s === '.') continue; if (s === '..') out.pop(); else out.push(s); } return (abs ? '/' : '') + out.join('/') || (abs ? '/' : '.'); };
    export const sep = '/';
    export const join = (...ps) => norm(ps.filter(Boolean).join('/'));
    export const resolve = (...ps) => norm(ps.reduce((a, p) => (p.startsWith('/') ? p : a + '/' + p), '/'));
    export const dirname = (p) => { const i = norm(p).lastIndexOf('/'); return i <= 0 ? (p.startsWith('/') ? '/' : '.') : norm(p).slice(0, i); };
    export const basename = (p, ext) => { const b = norm(p).split('/').pop() ?? ''; return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b; };
    export const extname = (p) => { const b = basename(p); const i = b.lastIndexOf('.'); return i > 0 ? b.slice(i) : ''; };
    export const relative = (a, b) => b;
    export const isAbsolute = (p) => p.startsWith('/');`,
  os: `export const tmpdir = () => '/tmp'; export const EOL = '\\n'; export const platform = () => 'browser';`,
};

const IDENT = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(['default', 'delete', 'new', 'function', 'class', 'import', 'export', 'constructor']);

function nodeBuiltins(): Plugin {
  const names = new Set(builtinModules);
  return {
    name: 'memhp-node-builtins-in-page',
    enforce: 'pre',
    resolveId(id) {
      const bare = id.startsWith('node:') ? id.slice(5) : id;
      return names.has(bare) ? PREFIX + bare : null;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const mod = id.slice(PREFIX.length);
      const working = WORKING[mod] ?? '';
      const defined = new Set([...working.matchAll(/export const (\w+)|export \{ (\w+) \}/g)].map((m) => m[1] ?? m[2]));
      const real = Object.keys(require(`node:${mod}`) as object).filter((k) => IDENT.test(k) && !RESERVED.has(k) && !defined.has(k));
      const stubs = real.map((k) => `export const ${k} = () => { throw new Error('node:${mod}.${k} is not available in an exported trace'); };`);
      const all = [...defined, ...real];
      return `${working}\n${stubs.join('\n')}\nexport default { ${all.join(', ')} };`;
    },
  };
}

export default defineConfig({
  plugins: [nodeBuiltins()],
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir: fileURLToPath(new URL('../../../../dist/inspector-trace', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      // zod's sources carry /* @__PURE__ */ notes rollup cannot place: noise, not a fault of this build
      onwarn(w, warn) { if (w.code !== 'INVALID_ANNOTATION') warn(w); },
    },
    lib: {
      entry: fileURLToPath(new URL('./entry.ts', import.meta.url)),
      formats: ['iife'],
      name: 'memhpTraceEngine',
      fileName: () => 'engine.js',
    },
  },
});
