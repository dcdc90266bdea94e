/**
 * One observation of the guest (or of memhp rendered the same way): a flat map
 * from a key to its value, plus the kernel log lines since the last one.
 *
 *   F <path below /sys>          the file's content (one line: grep -H . output)
 *   L <path below /sys>          a symlink that exists (value "1")
 *   I <start>-<end>              a System RAM line of /proc/iomem (value: its name and depth)
 *   Z <node> <zone> <counter>    present / managed / spanned / start_pfn from /proc/zoneinfo
 */

export type Observation = Record<string, string>;

export interface Observed {
  obs: Observation;
  dmesg: string[];
}

/** Parses the output of the guest's `obs` helper (guest-files.ts). */
export function parseObs(text: string): Observed {
  const obs: Observation = {};
  const dmesg: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const kind = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    if (kind === 'F') {
      const t = rest.indexOf('\t');
      obs[`F ${rest.slice(0, t)}`] = rest.slice(t + 1);
    } else if (kind === 'L') obs[`L ${rest}`] = '1';
    else if (kind === 'I') {
      const m = /^(\s*)([0-9a-f]+)-([0-9a-f]+) : (.*)$/.exec(rest);
      if (m) obs[`I ${m[2]}-${m[3]}`] = `${m[4]}${m[1]!.length > 0 ? ` (depth ${m[1]!.length / 2})` : ''}`;
    } else if (kind === 'Z') {
      const m = /^(\d+), (\S+) (\S+)\t(\d+)$/.exec(rest);
      if (m) obs[`Z ${m[1]} ${m[2]} ${m[3]}`] = m[4]!;
    } else if (kind === 'D') dmesg.push(rest);
  }
  return { obs, dmesg };
}

/** The keys whose values differ from `base` to `next`: set (new or changed) and removed. */
export interface ObsDelta {
  set?: Observation;
  del?: string[];
}

export function diffObs(base: Observation, next: Observation): ObsDelta {
  const set: Observation = {};
  const del: string[] = [];
  for (const [k, v] of Object.entries(next)) if (base[k] !== v) set[k] = v;
  for (const k of Object.keys(base)) if (!(k in next)) del.push(k);
  return { ...(Object.keys(set).length ? { set } : {}), ...(del.length ? { del } : {}) };
}

export function applyDelta(base: Observation, d: ObsDelta): Observation {
  const out = { ...base, ...(d.set ?? {}) };
  for (const k of d.del ?? []) delete out[k];
  return out;
}

/** Kernel log lines that say the kernel hit a BUG, an oops or a WARN (what memhp calls a fault or taint). */
export function faultLines(dmesg: readonly string[]): string[] {
  return dmesg.filter((l) => /(^|\s)(WARNING:|BUG:|kernel BUG at|Oops|general protection fault|Kernel panic)/.test(l));
}
