/**
 * `memhp inspect <log>` as a user starts it (the compiled command in its own
 * process), measured, never asserted on time: how long until it prints its
 * URL (serverReadyMs), until the page's first request is answered with the
 * log loaded (serverLoadedMs), and the process's peak resident memory
 * (VmHWM from /proc, serverPeakRssMB) once the log is loaded and a first
 * step has been answered.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

export interface ServeFigures { serverReadyMs: number; serverLoadedMs: number; serverPeakRssMB: number }

const peakKB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

/** One request over the page's WebSocket, as the page sends it. */
function call(url: string, method: string, params: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + 'ws', { headers: { Origin: url.replace(/\/$/, '') } });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method, params })));
    ws.on('message', (m) => {
      const msg = JSON.parse(String(m)) as { id?: number; ok?: boolean; result?: unknown; error?: { message: string } };
      if (msg.id !== 1) return; // a push ("loading …")
      ws.close();
      if (msg.ok) resolve(msg.result);
      else reject(new Error(msg.error!.message));
    });
  });
}

export async function measureServe(logPath: string): Promise<ServeFigures> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/memhp.js', 'inspect', logPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => { out += String(d); const m = /inspector: (\S+)/.exec(out); if (m) resolve(m[1]!); });
      child.on('exit', (code) => reject(new Error(`memhp inspect exited with ${code}: ${stderr}`)));
    });
    const serverReadyMs = performance.now() - t0;
    const info = await call(url, 'info', {}) as { lastSeq: number };
    const serverLoadedMs = performance.now() - t0;
    // the page's first step: the booted machine's whole map
    await call(url, 'step', { seq: Math.min(info.lastSeq, 1000), mapBase: null, actor: null });
    return { serverReadyMs: Math.round(serverReadyMs), serverLoadedMs: Math.round(serverLoadedMs), serverPeakRssMB: Math.round(peakKB(child.pid!) / 1024) };
  } finally {
    child.kill('SIGTERM');
  }
}
