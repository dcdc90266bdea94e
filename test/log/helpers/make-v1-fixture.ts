/**
 * Writes test/fixtures/log-v1.jsonl: a format-version-1 log, in which
 * AccountEvent called its counters `present`/`managed` (see src/log/upcasters.ts).
 * The file is committed; run this only to regenerate it:
 *   npx tsx test/log/helpers/make-v1-fixture.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemhpEvent } from '../../../src/engine/events.ts';
import { encodeHeaderLine, encodeRecordLine, type LogHeader } from '../../../src/log/index.ts';
import { system } from './sample.ts';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/log-v1.jsonl');
const header: LogHeader = { format: 'memhp-log', version: 1, system, createdAt: '2019-03-26T12:00:00.000Z' };

// Two batches: the hot-add of memory32 (128 MiB at 4 GiB), then onlining it movable.
const batches: Array<Array<Record<string, unknown>>> = [
  [
    { type: 'op', op: { op: 'add_memory', node: 0, start: 4294967296, size: 134217728, flags: ['MHP_MEMMAP_DEVICE'] }, ret: 0, errno: null },
    { type: 'resource', action: 'request', start: 4294967296, size: 134217728, flags: ['IORESOURCE_SYSTEM_RAM'] },
    { type: 'transition', machine: 'memory_block', actor: 'memory32', event: { type: 'ADD' }, from: 'absent', to: 'offline', context: { nr_vmemmap_pages: 512 } },
  ],
  [
    { type: 'op', op: { op: 'state', block: 32, value: 'online_movable' }, ret: 0, errno: null },
    { type: 'transition', machine: 'memory_block', actor: 'memory32', event: { type: 'ONLINE', zone: 'Movable' }, from: 'offline', to: 'online', context: { zone: 'Movable' } },
    { type: 'account', node: 0, zone: 'Movable', present: 32768, managed: 32256, span: { startPfn: 1048576, endPfn: 1081344 }, reason: 'online_pages' },
    { type: 'account', node: 0, zone: null, present: 1081344, reason: 'online_pages' },
  ],
];

let seq = 0;
let text = encodeHeaderLine(header);
for (const batch of batches) {
  batch.forEach((r, i) => {
    text += encodeRecordLine({ ...r, seq: ++seq } as unknown as MemhpEvent, i === batch.length - 1);
  });
}
fs.writeFileSync(out, text);
console.log(`wrote ${out} (${seq} records)`);
