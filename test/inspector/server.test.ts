/**
 * The inspector server over a real loopback socket: loopback only, DNS
 * rebinding guard (Host/Origin), CSP, only built assets, and a WebSocket API
 * that answers malformed messages with an error and changes nothing.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startInspector, type RunningInspector } from '../../src/inspector/index.ts';
import { backendFromLog } from '../../src/inspector/engine-backend.ts';
import { SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';

let inspector: RunningInspector;
let port: number;
let lastSeq: number;

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function ask(ws: WebSocket, msg: string): Promise<{ id: number | null; ok: boolean; result?: any; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const reply = JSON.parse(data.toString());
      if ('type' in reply) return; // a push, not our reply
      ws.off('message', onMessage);
      resolve(reply);
    };
    ws.on('message', onMessage);
    ws.send(msg);
  });
}

const dir = tempDir();

beforeAll(async () => {
  const log = writeScenarioLog(SEED, dir);
  lastSeq = log.lastSeq;
  inspector = await startInspector({ backend: backendFromLog(log.path) });
  port = Number(new URL(inspector.url).port);
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await inspector?.close();
});

describe('inspector HTTP', () => {
  it('listens on 127.0.0.1 and serves the page with a Content-Security-Policy', async () => {
    expect(new URL(inspector.url).hostname).toBe('127.0.0.1');
    const r = await get('/', { Host: `127.0.0.1:${port}` });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.body).toContain('memhp inspector');
    const js = /src="\.\/(assets\/[^"]+\.js)"/.exec(r.body)![1];
    expect((await get(`/${js}`, { Host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses a foreign Host or Origin (DNS rebinding)', async () => {
    const host = await get('/', { Host: `evil.example:${port}` });
    expect(host.status).toBe(403);
    expect(host.body).toContain('is not this server');
    expect((await get('/', { Host: `127.0.0.1:${port + 1}` })).status).toBe(403);
    expect((await get('/api/info', { Host: `127.0.0.1:${port}`, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/api/info', { Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  it('serves only the built assets and the API', async () => {
    for (const path of ['/src/inspector/index.ts', '/../package.json', '/%2e%2e/package.json', '/main.ts', '/vite.config.ts']) {
      expect((await get(path, { Host: `127.0.0.1:${port}` })).status, path).toBe(404);
    }
    expect((await get('/', { Host: `127.0.0.1:${port}` }, 'POST')).status).toBe(405);
  });

  it('will not listen on a non-loopback address', async () => {
    await expect(startInspector({ backend: backendFromLog(writeScenarioLog(SEED, mkdtempSync(join(dir, 'other-'))).path), host: '0.0.0.0' as never })).rejects.toThrow(/not loopback/);
  });
});

describe('inspector WebSocket API', () => {
  it('refuses a WebSocket from a foreign Origin', async () => {
    await expect(connect({ Origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('answers malformed messages with an error and changes nothing', async () => {
    const ws = await connect({ Origin: `http://127.0.0.1:${port}` });
    const notJson = await ask(ws, '{not json');
    expect(notJson).toMatchObject({ id: null, ok: false, error: { code: 'bad-request' } });
    expect(notJson.error!.message).toContain('not JSON');
    const unknown = await ask(ws, JSON.stringify({ id: 7, method: 'format_disk', params: {} }));
    expect(unknown).toMatchObject({ id: 7, ok: false });
    const badOp = await ask(ws, JSON.stringify({ id: 8, method: 'apply', params: { op: { op: 'add_memory', node: 0, start: -1, size: 134217728, flags: [] }, atSeq: lastSeq } }));
    expect(badOp).toMatchObject({ id: 8, ok: false });
    expect(badOp.error!.message).toMatch(/^\$\.params\.op\.start: /);
    const extra = await ask(ws, JSON.stringify({ id: 9, method: 'apply', params: { op: { op: 'signal', rm: '-rf' }, atSeq: lastSeq } }));
    expect(extra).toMatchObject({ id: 9, ok: false });
    const info = await ask(ws, JSON.stringify({ id: 10, method: 'info', params: {} }));
    expect(info).toMatchObject({ id: 10, ok: true, result: { lastSeq } });
    ws.close();
  });

  it('answers an op event\'s diff with the whole operation, and an effect\'s with its own step', async () => {
    const ws = await connect();
    const op = await ask(ws, JSON.stringify({ id: 11, method: 'diff', params: { seq: 296 } }));
    expect(op.result).toMatchObject({ seq: 296, from: 295, to: 301, opEnd: 301, op: { seq: 296, op: { op: 'remove_memory' }, ret: 0 } });
    const paths = op.result.changes.map((c: { path: string }) => c.path);
    expect(paths).toEqual(expect.arrayContaining(['blocks[64]', 'sections[65].memmapLost', 'vmemmap[2097152].refcount', 'iomem.removed']));
    // remove_memory_block_devices() comes first: event 297 removes memory64's device
    const effect = await ask(ws, JSON.stringify({ id: 12, method: 'diff', params: { seq: 297 } }));
    expect(effect.result).toMatchObject({ seq: 297, from: 296, to: 297, opEnd: 301, op: { seq: 296 } });
    expect(effect.result.changes.map((c: { path: string }) => c.path)).toEqual(['blocks[64]']);
    const boot = await ask(ws, JSON.stringify({ id: 13, method: 'diff', params: { seq: 0 } }));
    expect(boot.result).toMatchObject({ seq: 0, op: null, changes: [] });
    expect(boot.result.opEnd).toBeGreaterThan(0);
    ws.close();
  });

  it('applies a valid operation at the end of the log and tells every page', async () => {
    const a = await connect();
    const b = await connect();
    const pushed = new Promise<any>((resolve) => b.on('message', (d) => { const m = JSON.parse(d.toString()); if (m.type === 'appended') resolve(m); }));
    const r = await ask(a, JSON.stringify({ id: 1, method: 'apply', params: { op: { op: 'state', block: 66, value: 'online_movable' }, atSeq: lastSeq } }));
    expect(r.ok).toBe(true);
    expect(r.result.seq).toBe(lastSeq + 1);
    expect(r.result.info.lastSeq).toBeGreaterThan(lastSeq);
    expect((await pushed).info.lastSeq).toBe(r.result.info.lastSeq);
    a.close();
    b.close();
  });
});

describe('memhp inspect', { timeout: 120_000 }, () => {
  it('starts from the command line on a log, prints the loopback URL and serves it', async () => {
    const log = writeScenarioLog(SEED, mkdtempSync(join(dir, 'cmd-')));
    const child = spawn(process.execPath, ['bin/memhp.js', 'inspect', log.path, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      await waitUntil(() => /http:\/\/127\.0\.0\.1:\d+\//.test(out) || child.exitCode !== null, 90_000, () => out);
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1]!;
      const info = await (await fetch(new URL('/api/info', url))).json();
      expect(info).toMatchObject({ name: '1 GiB DEVICE add, then remove the first block', lastSeq: log.lastSeq, logPath: log.path });
      expect((await fetch(url)).headers.get('content-security-policy')).toContain("default-src 'none'");
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

describe('Stately', { timeout: 60_000 }, () => {
  it('streams XState inspection events of the live system to a Stately WebSocket inspector', async () => {
    const received: string[] = [];
    const stately = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => stately.once('listening', r));
    stately.on('connection', (ws) => ws.on('message', (d) => received.push(d.toString())));
    const url = `ws://127.0.0.1:${(stately.address() as { port: number }).port}`;
    const log = writeScenarioLog(SEED, mkdtempSync(join(dir, 'stately-')));
    const backend = backendFromLog(log.path);
    const live = await startInspector({ backend, stately: url });
    try {
      await backend.apply({ op: 'add_memory', node: 1, start: 16 * 1024 ** 3, size: 128 * 1024 ** 2, flags: [] }, log.lastSeq);
      // the block added live is an actor the Stately inspector hears about
      await waitUntil(() => received.some((m) => m.includes('"@xstate.actor"')) && received.some((m) => m.includes('memory128')), 10_000, () => `received ${received.length}: ${received.slice(-3).join('\n').slice(0, 800)}`);
    } finally {
      await live.close();
      backend.close();
      stately.close();
    }
  });
});

async function waitUntil(cond: () => boolean, ms: number, why: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met: ${why()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
