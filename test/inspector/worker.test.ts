/**
 * `memhp inspect` reads the file in a worker thread while the server already
 * serves: the worker answers the page's requests once the file is read, and a
 * file that cannot be read is reported as the input's fault.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workerHandler, LoadError } from '../../src/inspector/server/worker-handler.ts';
import { SEED, tempDir, writeScenarioLog } from './helpers/logs.ts';

const dir = tempDir();
const handlers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => { for (const h of handlers) await h.close(); });

describe('the inspector backend in a worker thread', () => {
  it('says it is loading, then answers requests sent before the log was read', async () => {
    const log = writeScenarioLog(SEED, dir);
    const h = workerHandler(log.path);
    handlers.push(h);
    expect(h.loading()).toMatch(/^reading .*\.jsonl…$/);
    // asked before the worker has read the log: answered once it has
    const reply = h.handle(JSON.stringify({ id: 7, method: 'outcome', params: {} }));
    await h.ready;
    expect(h.loading()).toBeNull();
    expect(JSON.parse(await reply)).toMatchObject({ id: 7, ok: true, result: { faultCount: 1, failedCount: 1 } });
    expect((await h.info()).lastSeq).toBe(log.lastSeq);
    // a bad request gets the same error, naming the JSON path
    expect(JSON.parse(await h.handle(JSON.stringify({ id: 8, method: 'step', params: { seq: -1, mapBase: null, actor: null } })))).toMatchObject({ id: 8, ok: false, error: { code: 'bad-request' } });
  }, 120_000);

  it('reports a corrupt log as the input\'s fault', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"format":"memhp-log","version":4}\nnot json\n');
    const h = workerHandler(bad);
    handlers.push(h);
    const err = await h.ready.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).input).toBe(true);
    expect((err as LoadError).message).toContain('bad.jsonl');
  }, 120_000);
});
