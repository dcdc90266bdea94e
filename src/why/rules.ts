/**
 * A recorded reason step as a sentence. The step holds what the kernel rule
 * read and decided (src/kernel/reason.ts, recorded by the deciding code);
 * this only words it and adds the rule's kernel function and its section of
 * docs/kernel-model.md.
 */
import { RULES, type ReasonStep, type ReasonValue } from '../kernel/reason.ts';

export interface WhyLine {
  /** One sentence: the rule's decision and the values behind it. */
  text: string;
  /** The kernel function whose rule or check this is (null: memhp's own bookkeeping). */
  fn: string | null;
  /** `docs/kernel-model.md §N` (null when no section states it). */
  cite: string | null;
  /** The values the rule read, as recorded. */
  values?: Record<string, ReasonValue>;
}

const pages = (v: ReasonValue): string => (typeof v === 'number' ? `${v} pages` : String(v));
const yes = (v: ReasonValue): string => (v ? 'yes' : 'no');
const span = (v: ReasonValue): string => (v === null ? 'empty' : `pfn ${String(v)}`);

const FROM: Record<string, string> = {
  state: 'written to the block\'s state file',
  auto_online_blocks: 'auto_online_blocks when the memory was added (online_memory_block())',
  online_file: 'device_online() from the online file: the block\'s stored online_type, `online` when none',
  rollback: 'offline_and_remove_memory()\'s rollback re-onlined it with the type it had',
  acpi_bus_online: 'a failed ACPI eject put it back online (acpi_bus_online(), the stored online_type)',
};

function sentence(s: ReasonStep): string {
  const v = s.values;
  switch (s.rule) {
    case 'boot_zone':
      return String(v.zones).includes('+')
        ? `a boot block spanning ${String(v.zones).replace('+', ' and ')}: online since boot with no single zone (valid_zones: none)`
        : `a boot block: online since boot in the zone its addresses fall in, ${String(v.zones)}`;
    case 'online_type': {
      const stored = v.storedOnlineType !== undefined ? ` (stored online_type: ${String(v.storedOnlineType)})` : '';
      const auto = v.auto_online_blocks !== undefined ? ` = ${String(v.auto_online_blocks)}` : '';
      return `online type ${String(v.onlineType)}: ${FROM[String(v.from)] ?? String(v.from)}${auto}${stored}`;
    }
    case 'zone_for_pfn_range':
      if (v.onlineType === 'online_movable') return 'online_movable always means ZONE_MOVABLE';
      if (v.onlineType === 'online_kernel') return 'online_kernel means the default kernel zone';
      return `\`online\` leaves the zone to the policy: online_policy = ${String(v.online_policy)}`;
    case 'default_kernel_zone':
      return v.zone === 'Normal'
        ? `default kernel zone of node ${String(v.nid)} is Normal: neither DMA (${span(v.DMA)}) nor DMA32 (${span(v.DMA32)}) spans pfn 0x${Number(v.startPfn).toString(16)}+${String(v.nrPages)}`
        : `default kernel zone of node ${String(v.nid)} is ${String(v.zone)}: its span (${span(v[String(v.zone)] ?? null)}) meets the range`;
    case 'contig_zones': {
      const k = String(v.kernelZone);
      const head = `contig-zones: ${k} span ${span(v.kernelSpan)} ${v.inKernelZone ? 'meets' : 'does not meet'} the block, Movable span ${span(v.movableSpan)} ${v.inMovable ? 'meets' : 'does not meet'} it`;
      if (v.inKernelZone !== v.inMovable) return `${head}: the block joins the zone that already spans it, ${String(v.zone)}`;
      return `${head}: ${v.inKernelZone ? 'both' : 'neither'} spans it alone, so movable_node (${yes(v.movable_node)}) decides: ${String(v.zone)}`;
    }
    case 'auto_movable_group': {
      if (v.verdict !== undefined) return `auto-movable (ratio ${String(v.ratio)}%, group ${String(v.group)}): ${String(v.verdict)}`;
      const who = v.group === null ? 'no memory group: max = this block' : `${v.dynamic ? 'dynamic' : 'static'} memory group ${String(v.group)}`;
      return `auto-movable: ${who}; max ${pages(v.maxPages)}, ${pages(v.onlinePages)} of it already movable, so it needs ${pages(v.need)}`;
    }
    case 'can_online_movable': {
      const scope = v.nid === null ? 'system-wide' : `node ${String(v.nid)}`;
      return `can_online_movable (${scope}): movable ${pages(v.movable)} + need ${pages(v.need)} ${v.ok ? '≤' : '>'} ratio ${String(v.ratio)}% × kernel_early ${pages(v.kernelEarly)} = ${pages(v.limit)}: ${v.ok ? 'fits, Movable' : 'does not fit, a kernel zone'}`;
    }
  }
}

export function stepLine(s: ReasonStep): WhyLine {
  const rule = RULES[s.rule];
  return { text: sentence(s), fn: rule.fn, cite: rule.cite, values: s.values };
}
