/**
 * `memhp start` (npm start): the seed scenario told as a story, its log
 * written under the log dir, then the inspector served on loopback until
 * SIGTERM. `memhp inspect` serves a recorded log the same way.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/index.ts';
import { BIN, memhp, memhpJson, REPO, tempDir } from './helpers.ts';

const dir = tempDir();

/** Starts a long-running memhp, waits for its URL line, fetches it, then stops it with SIGTERM. */
function serveAndStop(args: string[], env: Record<string, string> = {}): Promise<{ url: string; status: number; body: string; stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let seen: { url: string; status: number; body: string } | null = null;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', async (d: string) => {
      stdout += d;
      const m = /inspector: (http:\/\/127\.0\.0\.1:\d+\/?)/.exec(stdout);
      if (m && !seen) {
        seen = { url: m[1]!, status: 0, body: '' };
        try {
          const res = await fetch(m[1]!);
          seen.status = res.status;
          seen.body = await res.text();
        } finally {
          child.kill('SIGTERM');
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (!seen) return reject(new Error(`no inspector URL (exit ${code}): ${stderr}\n${stdout.slice(-500)}`));
      resolve({ ...seen, stdout, code });
    });
  });
}

describe('memhp start and inspect', { timeout: 240_000 }, () => {
  it('start --no-inspect tells the seed story and leaves a verifiable log', async () => {
    const logDir = join(dir, 'story');
    const r = await memhp(['start', '--no-inspect', '--log-dir', logDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('memhp — 1 GiB DEVICE add, then remove the first block');
    expect(r.stdout).toContain('[4] remove_memory start=8G size=128M → 0');
    expect(r.stdout).toMatch(/In short:\n- ops\[4\] remove_memory start=8G size=128M returned 0, but it removed \[mem 0x200000000-0x207ffffff\], which held the struct pages .* of sections 65-71/);
    expect(r.stdout).toMatch(/- ops\[5\] touch block=65 → -EFAULT \(BUG: unable to handle page fault/);
    expect(r.stdout).toContain('- The kernel is tainted');
    const logs = readdirSync(logDir).filter((f) => f.endsWith('.jsonl'));
    expect(logs).toHaveLength(1);
    const log = join(logDir, logs[0]!);
    expect(readLog(log).header.system.kernel).toBe('v2-2019');
    const rep = await memhpJson(['replay', log, '--verify']);
    expect(rep.verify.ok).toBe(true);
    expect(rep.world.tainted).toBe(true);
  });

  it('start serves the inspector on loopback with the seed log, until SIGTERM', async () => {
    const logDir = join(dir, 'served');
    const r = await serveAndStop(['start', '--log-dir', logDir, '--port', '0']);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<html/i);
    expect(r.stdout).toContain('In short:');
    expect(r.code).toBe(0);
    expect(readdirSync(logDir).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
  });

  it('inspect --open hands the URL to $BROWSER', async () => {
    // a stand-in browser: a script that records the URL it was given
    const seen = join(dir, 'opened.txt');
    const browser = join(dir, 'fake-browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$1" > ${seen}\n`, { mode: 0o755 });
    const r = await serveAndStop(['inspect', join(REPO, 'scenarios', 'seed-reviewer-guard.json'), '--open'], { BROWSER: browser });
    for (let i = 0; i < 50 && !existsSync(seen); i++) await new Promise((ok) => setTimeout(ok, 100));
    expect(readFileSync(seen, 'utf8').trim()).toBe(r.url);
  });

  it('inspect serves a recorded log', async () => {
    const log = join(dir, 'guard.jsonl');
    expect((await memhp(['run', join(REPO, 'scenarios', 'seed-reviewer-guard.json'), '--log', log])).code).toBe(0);
    const r = await serveAndStop(['inspect', log]);
    expect(r.status).toBe(200);
    expect(r.code).toBe(0);
  });

  it('a bad --port is invalid input', async () => {
    const r = await memhp(['inspect', join(REPO, 'scenarios', 'seed-reviewer-guard.json'), '--port', '99999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port: "99999" is not a TCP port');
  });
});
