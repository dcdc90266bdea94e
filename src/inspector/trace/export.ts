/**
 * `memhp inspect <log> --export trace.html`: one file that opens from disk
 * in a browser with no server and no network. It holds the inspector's page
 * (its script and style inline), the trace's engine (the session, timeline,
 * Rpc and `why`, bundled for the browser: src/inspector/trace/page) and the
 * log's system and events as gzipped JSON in base64. A Content-Security-Policy
 * in the file forbids every connection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { MemhpEvent } from '../../engine/events.ts';
import type { SystemSpec } from '../../kernel/types.ts';
import { DIST_DIR, ensureInspectorBuilt } from '../server/build.ts';
import { ensureTraceEngineBuilt, TRACE_ENGINE } from './build.ts';
import { TRACE_DATA_ID, TRACE_FORMAT, TRACE_VERSION, type TraceData } from './data.ts';

export interface ExportOptions {
  name: string;
  /** the scenario or log file it came from */
  source: string;
  system: SystemSpec;
  events: readonly MemhpEvent[];
  out: string;
}

export interface ExportResult {
  path: string;
  bytes: number;
  /** the gzipped data alone */
  dataBytes: number;
}

/** No connection of any kind; the page's own inline script and style only. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'";

/** Script text safe inside <script>…</script>: no closing tag, no comment opener. */
const inlineScript = (js: string) => js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');

export async function exportTrace(o: ExportOptions): Promise<ExportResult> {
  await ensureInspectorBuilt();
  await ensureTraceEngineBuilt();
  let html = readFileSync(join(DIST_DIR, 'index.html'), 'utf8');
  const asset = (href: string) => readFileSync(join(DIST_DIR, href.replace(/^\.\//, '')), 'utf8');
  // the page's module and stylesheet, inline (a file:// page cannot load its neighbours as modules)
  let pageScript = '';
  html = html.replace(/<script type="module"[^>]*src="([^"]+)"[^>]*><\/script>\s*/g, (_m, src: string) => {
    pageScript += asset(src);
    return '';
  });
  html = html.replace(/<link rel="stylesheet"[^>]*href="([^"]+)"[^>]*>/g, (_m, href: string) => `<style>${asset(href).replace(/<\/style/gi, () => '<\\/style')}</style>`);
  if (!pageScript) throw new Error(`${join(DIST_DIR, 'index.html')}: no page script found to inline`);
  const data: TraceData = { format: TRACE_FORMAT, version: TRACE_VERSION, name: o.name, source: basename(o.source), system: o.system, events: o.events as MemhpEvent[] };
  const gz = gzipSync(JSON.stringify(data), { level: 9 });
  const head = [
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    `<script id="${TRACE_DATA_ID}" type="application/octet-stream">${gz.toString('base64')}</script>`,
    `<script>${inlineScript(readFileSync(TRACE_ENGINE, 'utf8'))}</script>`,
    `<script type="module">${inlineScript(pageScript)}</script>`,
  ].join('\n');
  // functions, not strings, as replacements: the scripts hold `$&` and `$'`, which a replacement string would expand
  html = html.replace('<title>memhp inspector</title>', () => `<title>memhp trace: ${escapeHtml(o.name)}</title>`).replace('</head>', () => `${head}\n</head>`);
  writeFileSync(o.out, html);
  return { path: o.out, bytes: Buffer.byteLength(html), dataBytes: gz.length };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
