/** The inspector's `why` request gives `memhp why`'s answer, over the branch the page shows. */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineBackend } from '../../src/inspector/engine-backend.ts';
import { Rpc } from '../../src/inspector/server/rpc.ts';
import { parseRequest } from '../../src/inspector/server/validate.ts';
import { loadSource } from '../../src/session/source.ts';
import { parseQuestion, why, WhyLog } from '../../src/why/index.ts';

const SEED = join(resolve(import.meta.dirname, '../..'), 'scenarios/seed-reviewer-partial-remove.json');

describe('inspector why request', () => {
  const src = loadSource(SEED);
  const rpc = new Rpc(new EngineBackend({ name: 'seed', system: src.spec, events: src.events }));
  const ask = async (question: string, at: number) => {
    const r = parseRequest(JSON.stringify({ id: 1, method: 'why', params: { question, at } }));
    if (!r.ok) throw new Error(r.message);
    return rpc.handle(r.req);
  };

  it('answers a block and an operation exactly as the command does', async () => {
    const log = new WhyLog(src.spec, src.events);
    for (const [q, at] of [['memory65', src.events.length], ['seq 302', src.events.length], ['node0 Movable', 290]] as const)
      expect(await ask(q, at)).toEqual(why(log, parseQuestion(q.split(' ')), at));
  });

  it('a question it cannot read is an error naming what it accepts; a malformed request is refused', async () => {
    await expect(ask('memory', 10)).rejects.toThrow(/ask about `memoryN`/);
    expect(parseRequest(JSON.stringify({ id: 1, method: 'why', params: { question: '', at: 1 } }))).toMatchObject({ ok: false, message: expect.stringMatching(/^\$\.params\.question/) });
  });
});
