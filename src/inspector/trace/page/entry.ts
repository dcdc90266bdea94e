/**
 * The engine of an exported trace, bundled for the browser
 * (src/inspector/trace/page/vite.config.ts → dist/inspector-trace/engine.js).
 * It runs as a classic script before the page's module: it reads the trace's
 * data from the document, and leaves on `globalThis.memhpTrace` a transport
 * the page uses instead of the WebSocket (src/inspector/web/transport.ts).
 */
import './globals-shim.ts';
import { EngineBackend } from '../../engine-backend.ts';
import type { InspectorBackend } from '../../backend.ts';
import { TRACE_DATA_ID, TRACE_FORMAT, type TraceData } from '../data.ts';
import { PageApi, READ_ONLY } from './page-api.ts';

/** base64 → bytes → gunzip (DecompressionStream) → JSON. */
async function readTrace(): Promise<TraceData> {
  const node = document.getElementById(TRACE_DATA_ID);
  if (!node?.textContent) throw new Error(`the trace's data (#${TRACE_DATA_ID}) is missing from this file`);
  const bin = atob(node.textContent.trim());
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  const data = JSON.parse(text) as TraceData;
  if (data.format !== TRACE_FORMAT) throw new Error(`not a memhp trace (format ${JSON.stringify(data.format)})`);
  return data;
}

// marks for anyone timing the trace (the browser test records them): data read, engine ready
const data = readTrace().then((d) => (performance.mark('memhp:trace-data'), d));
const backend: Promise<InspectorBackend> = data.then((d) => {
  const b = new EngineBackend({ name: d.name, system: d.system, events: d.events });
  performance.mark('memhp:trace-engine');
  return b;
});
const label = data.then((d) => `${d.source} · exported trace, read-only (no server, no network)`);
globalThis.memhpTrace = { connect: () => new PageApi(backend, label), note: READ_ONLY };
