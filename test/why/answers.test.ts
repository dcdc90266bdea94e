/**
 * `memhp why`'s three questions on the seed story and on an auto-movable
 * scenario, errno sites, faults, old logs without reasons, and every citation
 * resolving to a section of docs/kernel-model.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../src/session/source.ts';
import { readLog } from '../../src/log/index.ts';
import { parseQuestion, QuestionError, why, whyLines, WhyLog, type WhyAnswer } from '../../src/why/index.ts';
import { RULES, SITE_CITES } from '../../src/kernel/reason.ts';
import { GiB, add, boot, ok, state } from '../core/helpers.ts';

const REPO = resolve(import.meta.dirname, '../..');
const scenario = (name: string) => join(REPO, 'scenarios', name);

function logOf(file: string): WhyLog {
  const src = loadSource(file);
  return new WhyLog(src.spec, src.events);
}
const ask = (log: WhyLog, q: string, at?: number): WhyAnswer => why(log, parseQuestion(q.split(' ')), at);
const fns = (a: { chain: { fn: string | null }[] }) => a.chain.map((l) => l.fn);

describe('the seed story (scenarios/seed-reviewer-partial-remove.json)', () => {
  const log = logOf(scenario('seed-reviewer-partial-remove.json'));

  it('memory65 is Movable because online_movable was written to its state file', () => {
    const a = ask(log, 'memory65');
    expect(a.summary).toBe('memory65 (node 0) is online in ZONE_MOVABLE');
    expect(a.source).toBe('recorded');
    expect(a.chain[0]!.text).toMatch(/^onlined at event \d+ by op 2 .*state block=65 value=online_movable/);
    expect(a.chain.slice(1).map((l) => [l.fn, l.cite])).toEqual([['memory_block_online', '§4.4'], ['zone_for_pfn_range', '§5.6']]);
  });

  it('the touch of memory65 oopses: the removed range, the sections still using it, and the removal that left them', () => {
    const a = ask(log, 'op 5');
    expect(a.summary).toMatch(/^op 5 .*touch block=65 → -14 EFAULT/);
    const text = a.chain.map((l) => l.text).join('\n');
    expect(text).toContain('removed memory [mem 0x200000000-0x207ffffff]');
    // the DEVICE altmap of the 1 GiB add served sections 64-71; 64 went with the removal, 65-71 still use it
    expect(text).toMatch(/sections still using it: 65-71/);
    expect(text).toMatch(/removed while sections still used it, at event \d+, by op 4 .*remove_memory start=8G size=128M → 0/);
    expect(fns(a)).toEqual(['page_fault_oops', 'pfn_to_page', 'mark_vmemmap_pages', 'try_remove_memory']);
  });

  it('memory66 is offline: added with auto_online_blocks offline; onlining it now would choose by contig-zones', () => {
    const a = ask(log, 'memory66');
    expect(a.summary).toBe('memory66 (node 0) is offline');
    expect(a.chain.map((l) => l.text).join('\n')).toMatch(/auto_online_blocks was offline when it was added/);
    expect(fns(a)).toContain('default_zone_for_pfn');
  });

  it('node0 Movable lists its one block with that block\'s chain; --at before the online shows it empty', () => {
    const a = ask(log, 'node0 Movable');
    expect(a.parts.map((p) => p.title)).toEqual(['memory65']);
    const before = log.findOp({ index: 1 })!.seq; // the world before `state 64 online_movable`
    expect(ask(log, 'node0 Movable', before).summary).toMatch(/spans nothing: 0 pages present, 0 managed, 0 online blocks/);
  });

  it('memory64 is gone: removed by op 4', () => {
    expect(ask(log, 'memory64').summary).toMatch(/^memory64 was removed at event \d+$/);
    expect(ask(log, 'memory64').chain[0]!.text).toMatch(/removed by op 4/);
  });
});

describe('an auto-movable scenario (scenarios/virtio-mem-grow-shrink.json)', () => {
  const log = logOf(scenario('virtio-mem-grow-shrink.json'));
  const grown = log.opEnd(log.findOp({ index: 1 })!);

  it('the block that no longer fits the ratio goes Normal, and its chain shows the comparison that failed', () => {
    // the first block of the virtio-mem device that went to a kernel zone
    const normal = log.events.find((e) => e.type === 'transition' && e.event.type === 'ONLINE' && e.context.zone === 'Normal' && Number(e.actor.slice(6)) >= 512);
    expect(normal).toBeDefined();
    const a = ask(log, (normal as { actor: string }).actor, grown);
    expect(a.summary).toMatch(/is online in ZONE_NORMAL$/);
    const cmp = a.chain.find((l) => l.fn === 'auto_movable_can_online_movable')!;
    expect(cmp.values).toMatchObject({ nid: null, ok: false, ratio: 301 });
    expect(Number(cmp.values!.movable) + Number(cmp.values!.need)).toBeGreaterThan(Number(cmp.values!.limit));
    expect(a.chain.find((l) => l.fn === 'auto_movable_zone_for_pfn')!.values).toMatchObject({ dynamic: true, group: 0 });
    expect(cmp.text).toMatch(/does not fit, a kernel zone/);
  });

  it('the operation lists each block it onlined with its own chain', () => {
    const a = ask(log, 'op 1');
    expect(a.parts.length).toBe(64);
    expect(a.more).toBeGreaterThan(0);
    expect(a.parts[0]!.title).toBe('memory512 → Movable');
  });
});

describe('errno: the kernel function whose check failed, and on what values', () => {
  it('a pinned block refuses to offline in offline_pages() and says it is pinned; unpinned it offlines', () => {
    const s = boot({ boot: [{ size: 4 * GiB }] });
    ok(s, add(8 * GiB, GiB), state(64, 'online_movable'), { op: 'pin', block: 64 });
    expect(s.apply(state(64, 'offline')).ret).toBe(-16);
    const a = ask(new WhyLog(s.spec, s.events), 'op 3');
    expect(a.chain[0]).toMatchObject({ fn: 'offline_pages', cite: '§8.1' });
    expect(a.chain[0]!.text).toMatch(/^EBUSY: a check in offline_pages\(\) failed: .*memory64 has a pinned page/);
    ok(s, { op: 'unpin', block: 64 }, state(64, 'offline'));
  });

  it('an unaligned add fails in check_hotplug_memory_range() (§5.3); aligned it succeeds', () => {
    const s = boot();
    expect(s.apply(add(8 * GiB + 4096, GiB)).ret).toBe(-22);
    const a = ask(new WhyLog(s.spec, s.events), 'op 0');
    expect(a.chain[0]).toMatchObject({ fn: 'check_hotplug_memory_range', cite: '§5.3' });
    expect(a.chain[0]!.text).toMatch(/start 0x200001000/);
    ok(s, add(8 * GiB, GiB));
  });

  it('the v2 guard refuses a partial DEVICE removal in check_vmemmap_granularity()', () => {
    const a = ask(logOf(scenario('seed-reviewer-guard.json')), 'op 4');
    expect(a.chain[0]).toMatchObject({ fn: 'check_vmemmap_granularity', cite: '§7.5' });
    expect(a.chain[0]!.text).toMatch(/^EINVAL: .*wrong granularity: the vmemmap at pfn 0x200000 serves sections outside the range/);
  });
});

describe('a log written before reasons were recorded', () => {
  it('the block\'s chain is re-decided by this memhp, labelled so, and matches what a new log records', () => {
    const old = readLog(join(REPO, 'test/fixtures/log-v3.jsonl'));
    expect(old.events.some((e) => e.type === 'transition' && e.why)).toBe(false);
    const log = new WhyLog(old.header.system, old.events);
    const opSeq = old.events.find((e) => e.type === 'op' && e.op.op === 'state')!.seq;
    const a = ask(log, 'memory192', log.opEnd(log.opOf(opSeq)!));
    expect(a.source).toBe('re-decided');
    expect(a.note).toMatch(/no recorded reasons .* re-decided by this memhp/);
    expect(a.summary).toBe('memory192 (node 0) is online in ZONE_MOVABLE');
    expect(a.chain.slice(1).map((l) => l.fn)).toEqual(['memory_block_online', 'zone_for_pfn_range']);
    expect(whyLines(a).join('\n')).toContain('note: this log has no recorded reasons');
  });
});

describe('questions and citations', () => {
  it('bad questions say what is accepted', () => {
    expect(() => parseQuestion(['memoryX'])).toThrow(QuestionError);
    expect(() => parseQuestion(['node0'])).toThrow(/which zone of the node\?.*ask about `memoryN`/);
    expect(() => parseQuestion(['node0', 'HIGHMEM'])).toThrow(/"HIGHMEM" is not a zone/);
    expect(parseQuestion(['node1', 'movable'])).toMatchObject({ kind: 'zone', node: 1, zone: 'Movable' });
    expect(parseQuestion(['4'])).toMatchObject({ kind: 'op', ref: { index: 4 } });
    expect(parseQuestion(['seq', '300'])).toMatchObject({ kind: 'op', ref: { seq: 300 } });
  });

  it('every rule and every error site cites a section docs/kernel-model.md has', () => {
    const doc = readFileSync(join(REPO, 'docs/kernel-model.md'), 'utf8');
    const sections = new Set([...doc.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => `§${m[1]}`));
    for (const cite of [...Object.values(RULES).map((r) => r.cite), ...Object.values(SITE_CITES)]) expect(sections, cite).toContain(cite);
  });

  it('every site the engine names when a check fails (thrown or returned) has a citation', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(REPO, 'src/engine'));
    const sites = new Set<string>();
    for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/(?:fail|refusal)\([^;]*, '([a-z_0-9]+)'\);/g)) sites.add(m[1]!);
    expect(sites.size).toBeGreaterThanOrEqual(40);
    for (const s of sites) expect(Object.keys(SITE_CITES), s).toContain(s);
  });
});
