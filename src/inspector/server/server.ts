/** node:http for the page and ws for the API, on one loopback port. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Push } from '../protocol.ts';
import type { Asset } from './assets.ts';
import { allowedHosts, checkHostOrigin, securityHeaders } from './guard.ts';
import type { RequestHandler } from './handler.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** Requests are small (the largest is a breakpoint list); refuse anything bigger. */
const MAX_MESSAGE = 64 * 1024;

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serve(opts: { handler: RequestHandler; assets: Map<string, Asset>; host: string; port: number }): Promise<RunningServer> {
  if (!LOOPBACK.has(opts.host)) throw new Error(`inspector: host ${opts.host} is not loopback; it only listens on 127.0.0.1`);
  const handler = opts.handler;
  let hosts = new Set<string>();
  let port = 0;

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const headers = securityHeaders(port);
    const deny = (code: number, why: string) => {
      res.writeHead(code, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(why + '\n');
    };
    const bad = checkHostOrigin(req.headers, hosts);
    if (bad) return deny(403, bad);
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(405, `${req.method} not allowed`);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api/info') {
      void handler.info().then((info) => {
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
        res.end(JSON.stringify(info));
      }, (e: Error) => deny(500, e.message));
      return;
    }
    const asset = opts.assets.get(path);
    if (!asset) return deny(404, 'not found');
    res.writeHead(200, { ...headers, 'Content-Type': asset.type, 'Content-Length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  http.on('upgrade', (req, socket, head) => {
    const bad = checkHostOrigin(req.headers, hosts);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (bad || path !== '/ws') {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n${bad ?? 'not found'}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const send = (ws: WebSocket, text: string) => {
    if (ws.readyState === ws.OPEN) ws.send(text);
  };
  wss.on('connection', (ws) => {
    // a big log still loading: say so at once (the replies follow when it is loaded)
    const loading = handler.loading();
    if (loading !== null) send(ws, JSON.stringify({ type: 'loading', text: loading } satisfies Push));
    // One request at a time per page, in order: a scrub burst is answered in sequence.
    let chain = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      chain = chain.then(async () => {
        if (isBinary) return send(ws, JSON.stringify({ id: null, ok: false, error: { code: 'bad-request', message: 'binary messages are not accepted' } }));
        send(ws, await handler.handle(data.toString()));
      });
    });
  });

  const unsubscribe = handler.onPush((text) => {
    for (const ws of wss.clients) send(ws, text);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  hosts = allowedHosts(opts.host, port);
  const url = `http://${opts.host === '::1' ? '[::1]' : opts.host}:${port}/`;
  // while the browser loads the page, work out what its first step needs anyway
  const warming = setImmediate(() => {
    try { handler.warm(); } catch { /* only a head start: the first request that needs it computes it again and reports the error */ }
  });

  return {
    url,
    port,
    close: async () => {
      clearImmediate(warming);
      unsubscribe?.();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await handler.close();
    },
  };
}
