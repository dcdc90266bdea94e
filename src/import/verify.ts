/**
 * Does memhp's sysfs of the imported scenario say what the machine's said? Every file of the
 * dump under the directories memhp renders (memory/, node/, the memory_hotplug parameters) is
 * either compared with memhp's file of the same path, or counted as one memhp does not model
 * (uevent, power/, firmware_node, …). Links are compared by name: a dump's nodeN link may
 * point nowhere, and only its name says where the block is.
 */
import { replay } from '../engine/replay.ts';
import { sysfsView } from '../engine/sysfs/view.ts';
import type { Scenario } from '../kernel/ops.ts';
import { scenarioEvents } from '../session/source.ts';
import { sysfsEntries, type SysfsEntry } from '../sysfs/tree.ts';
import type { DumpSource } from './source.ts';

export interface Difference {
  path: string;
  /** the dump's content, or null when the dump lacks the file */
  dump: string | null;
  /** memhp's content, or null when memhp lacks it */
  memhp: string | null;
}

export interface Verification {
  /** files and links compared, and how many were the same */
  compared: number;
  same: number;
  differences: Difference[];
  /** files and links of the dump memhp does not model, by name, with how many there were */
  notModelled: Record<string, number>;
  /** files memhp shows where the machine's directory has no such file (a feature of memhp's era the machine lacked) */
  memhpOnly: string[];
}

const ROOTS = ['sys/devices/system/memory', 'sys/devices/system/node', 'sys/module/memory_hotplug/parameters'];

/** The rendered tree of the scenario's world after boot and its operations, by path. */
export function renderScenario(s: Scenario): Map<string, SysfsEntry> {
  const { ops: _ops, ...spec } = s;
  const world = replay(spec, scenarioEvents(s));
  return new Map(sysfsEntries(sysfsView(world), { possibleNodes: s.machine.possibleNodes ?? 1 }).map((e) => [e.path, e]));
}

/** The name class of a path, for "not modelled" counts and for "does memhp have files called this here": memoryN → memory*. */
const generic = (path: string) => path.replace(/\/memory\d+(?=\/|$)/g, '/memory*').replace(/\/node\d+(?=\/|$)/g, '/node*');

export function verify(src: DumpSource, s: Scenario): Verification {
  const memhp = renderScenario(s);
  const modelled = new Set([...memhp.keys()].map(generic));
  const out: Verification = { compared: 0, same: 0, differences: [], notModelled: {}, memhpOnly: [] };
  const seen = new Set<string>();
  const visit = (path: string, depth: number): void => {
    const names = src.list(path);
    if (names === undefined) return;
    seen.add(path);
    for (const name of names) {
      const p = `${path}/${name}`;
      const link = src.readlink(p);
      const isNodeDir = /\/node\/node\d+$/.test(p);
      if (link === undefined && src.list(p) !== undefined) {
        // nodeN/ holds cpus, meminfo, … on a real machine: only its memoryM links are memhp's
        if ((depth < 1 && /^(memory|node)\d+$/.test(name)) || isNodeDir) visit(p, depth + 1);
        else if (!modelled.has(generic(p))) out.notModelled[generic(p)] = (out.notModelled[generic(p)] ?? 0) + 1;
        continue;
      }
      if (/\/node\/node\d+\/(?!memory\d+$)/.test(p)) continue;
      seen.add(p);
      if (!modelled.has(generic(p))) {
        out.notModelled[generic(p)] = (out.notModelled[generic(p)] ?? 0) + 1;
        continue;
      }
      out.compared++;
      const mine = memhp.get(p);
      const theirs = link !== undefined ? `-> ${link.split('/').pop()}` : src.read(p);
      const ours = mine === undefined ? null : mine.kind === 'symlink' ? `-> ${mine.target.split('/').pop()}` : mine.kind === 'file' ? mine.content : null;
      // a file that cannot be read (write-only probe; kernels answer its read with an error): being there is what counts
      const writeOnly = theirs === undefined || (mine?.kind === 'file' && mine.mode === 0o200);
      if (writeOnly ? mine !== undefined : ours === theirs) out.same++;
      else out.differences.push({ path: p, dump: theirs ?? null, memhp: ours });
    }
  };
  for (const root of ROOTS) if (!src.foreign(root)) visit(root, 0);
  const dumpKinds = new Set([...seen].map(generic));
  // what memhp shows in a directory the dump has, and the dump lacks
  for (const [p, e] of memhp) {
    if (e.kind === 'dir' || seen.has(p)) continue;
    const dir = p.slice(0, p.lastIndexOf('/'));
    if (!seen.has(dir)) continue;
    // a kind of file the machine has elsewhere is missing here: a difference; a kind it never has: memhp's era's own
    if (dumpKinds.has(generic(p))) out.differences.push({ path: p, dump: null, memhp: e.kind === 'file' ? e.content : `-> ${e.target.split('/').pop()}` });
    else out.memhpOnly.push(p);
  }
  return out;
}
