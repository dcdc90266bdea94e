/**
 * The layering of memhp's source, checked by dependency-cruiser in `npm test`
 * (test/layering.test.ts; also `npx depcruise src machines`). docs/README.md
 * ("Layers") explains it; this file is where it is written down.
 *
 * A module may import its own layer or a lower one, never a higher one, and no
 * import cycle is allowed (type-only imports count: a cycle of types is still a
 * cycle a reader has to untangle).
 */

/** The layers, low to high. */
const LAYERS = [
  { name: 'input', paths: ['src/input/', 'src/package-root.ts'] },
  { name: 'kernel', paths: ['src/kernel/'] },
  { name: 'machines', paths: ['machines/'] },
  { name: 'scenario', paths: ['src/scenario/'] },
  { name: 'engine', paths: ['src/engine/'] },
  { name: 'log', paths: ['src/log/'] },
  { name: 'views', paths: ['src/sysfs/', 'src/timeline/', 'src/check/', 'src/why/'] },
  { name: 'session', paths: ['src/session/'] },
  { name: 'front-ends', paths: ['src/fuse/', 'src/inspector/', 'src/conform/', 'src/import/'] },
  { name: 'cli', paths: ['src/cli/'] },
  { name: 'package', paths: ['src/index.ts'] },
];

/**
 * What breaks these rules today and is being removed on other branches (issue 17,
 * point 7). The lead empties this list as those branches merge; do not add to it.
 * `from`/`to`: an importer (a file, or a folder ending in /) may reach that module or
 * folder; `cycleVia`: import cycles through that module are not reported.
 */
const ALLOWED = [
];

const pattern = (path) => `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${path.endsWith('/') ? '' : '$'}`;
const anyOf = (paths) => paths.map(pattern).join('|');

/** Each layer may not import a higher one; an allowed importer gets its own rule without its allowed targets. */
const upward = LAYERS.slice(0, -1).flatMap((layer, i) => {
  const rule = {
    name: `no-upward-from-${layer.name}`,
    comment: `${layer.name} may import only ${LAYERS.slice(0, i + 1).map((l) => l.name).join(', ')}`,
    severity: 'error',
  };
  const higher = anyOf(LAYERS.slice(i + 1).flatMap((l) => l.paths));
  const inLayer = ALLOWED.filter((a) => a.from && layer.paths.some((p) => a.from.startsWith(p)));
  const importers = [...new Set(inLayer.map((a) => a.from))];
  return [
    { ...rule, from: { path: anyOf(layer.paths), ...(importers.length ? { pathNot: anyOf(importers) } : {}) }, to: { path: higher } },
    ...importers.map((from) => ({
      ...rule,
      from: { path: pattern(from) },
      to: { path: higher, pathNot: anyOf(inLayer.filter((a) => a.from === from).map((a) => a.to)) },
    })),
  ];
});

const cyclesAllowedVia = ALLOWED.filter((a) => a.cycleVia).map((a) => a.cycleVia);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'an import cycle: its modules cannot be read, tested or moved one at a time',
      severity: 'error',
      from: {},
      to: { circular: true, ...(cyclesAllowedVia.length ? { viaOnly: { pathNot: anyOf(cyclesAllowedVia) } } : {}) },
    },
    {
      name: 'web-page-is-its-own-bundle',
      comment: 'src/inspector/web is the browser page (built by vite): nothing on the server imports it',
      severity: 'error',
      from: { pathNot: '^src/inspector/web/' },
      to: { path: '^src/inspector/web/' },
    },
    {
      name: 'web-page-runs-in-a-browser',
      comment: 'the page cannot use Node built-ins',
      severity: 'error',
      from: { path: '^src/inspector/web/' },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    // our modules, and Node's built-ins (so the page's rule sees them)
    includeOnly: `^(src|machines)/|^node:|^(${require('node:module').builtinModules.join('|')})$`,
    exclude: { path: '^src/inspector/(web|trace/page)/vite\\.config\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6'],
  },
};
