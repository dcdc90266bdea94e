/** One-line, plain-text descriptions of events and values for the stepper and bisect. */
import type { MemhpEvent } from '../engine/events.ts';
import { formatOp } from '../engine/op-text.ts';

/** `#57 transition memory65 offline -> online (ONLINE)` */
export function describeEvent(e: MemhpEvent): string {
  const head = `#${e.seq} ${e.type}`;
  switch (e.type) {
    case 'op':
      return `${head} ${formatOp(e.op)} -> ${e.ret === 0 ? '0' : `${e.ret} (${e.errno})`}${e.message ? `: ${e.message}` : ''}`;
    case 'transition':
      return `${head} ${e.actor} ${e.from} -> ${e.to} (${e.event.type})`;
    case 'account': {
      const counters = (['presentPages', 'managedPages', 'presentEarlyPages', 'memmapPages'] as const)
        .filter((k) => e[k] !== undefined)
        .map((k) => `${k}${e[k]! >= 0 ? '+' : ''}${e[k]}`);
      return `${head} node${e.node}${e.zone ? `/${e.zone}` : ''} ${counters.join(' ')} (${e.reason})`;
    }
    case 'vmemmap':
      return `${head} ${e.action} head pfn 0x${e.headPfn.toString(16)} nr_pages=${e.nrPages} refcount=${e.refcount}`;
    case 'node':
      return `${head} node${e.node} ${e.online ? 'online' : 'offline'}`;
    case 'resource':
      return `${head} ${e.action} [0x${e.start.toString(16)}+0x${e.size.toString(16)}]${e.name ? ` ${e.name}` : ''}`;
    case 'group':
      return `${head} ${e.action} memory group ${e.id} (${e.dynamic ? 'dynamic' : 'static'}, ${e.pages} pages, node ${e.nid}, ${e.owner})`;
    case 'device':
      return `${head} ${e.action} ${e.name}${e.device ? ` ${JSON.stringify(e.device)}` : ''}`;
    case 'fault':
      return `${head} ${e.kind} section ${e.section} block ${e.block} (${e.access}): ${e.message}`;
    case 'knob':
      return `${head} ${e.knob} ${e.key}=${String(e.value)}`;
    case 'warning':
      return `${head} ${e.message}`;
  }
}

/** A value as the stepper prints it: JSON, with "none" for a path that names nothing. */
export function formatValue(v: unknown): string {
  return v === undefined ? 'none' : JSON.stringify(v);
}
