/**
 * Operations on the simulated environment rather than on memory: runtime
 * parameters, notifier error injection, pinned pages, a pending signal, and
 * `touch` (the kernel reads a block's struct pages).
 */
import { fail } from '../../kernel/errno.ts';
import { featureOrigin, hasFeature, missingFeature, PARAM_FEATURE } from '../../kernel/features.ts';
import { ONLINE_TYPES, type Params, type RuntimeParam } from '../../kernel/types.ts';
import type { Tx } from '../tx.ts';
import { block, checkMemmapAlive } from './common.ts';

function parseBool(v: string | number | boolean): boolean | null {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim();
  if (['1', 'y', 'Y', 'yes', 'on', 'true', 'enable', 'enabled'].includes(s)) return true;
  if (['0', 'n', 'N', 'no', 'off', 'false', 'disable', 'disabled'].includes(s)) return false;
  return null;
}

/** A write to a runtime-writable parameter (sysfs or /sys/module/memory_hotplug/parameters). */
export function setParam(tx: Tx, param: RuntimeParam, value: string | number | boolean): void {
  const next: Params = { ...tx.params };
  const era = tx.system.kernel;
  // a parameter the era lacks has no file to write: -ENOENT, as open() of a missing sysfs file
  if (!hasFeature(era, PARAM_FEATURE[param])) fail('ENOENT', missingFeature(era, PARAM_FEATURE[param]));
  switch (param) {
    case 'auto_online_blocks': {
      const v = String(value).trim();
      if (!(ONLINE_TYPES as readonly string[]).includes(v)) fail('EINVAL', `auto_online_blocks: "${v}" is not one of ${ONLINE_TYPES.join(', ')}`);
      if (!hasFeature(era, 'value.auto_online_blocks.zones') && v !== 'online' && v !== 'offline')
        fail('EINVAL', `auto_online_blocks: kernel ${era} takes only online or offline (${featureOrigin('value.auto_online_blocks.zones')})`);
      next.auto_online_blocks = v as Params['auto_online_blocks'];
      break;
    }
    case 'online_policy': {
      const v = String(value).trim();
      if (v !== 'contig-zones' && v !== 'auto-movable') fail('EINVAL', `online_policy: "${v}" is not contig-zones or auto-movable`);
      next.online_policy = v;
      break;
    }
    case 'auto_movable_ratio': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) fail('EINVAL', `auto_movable_ratio: "${value}" is not a non-negative integer`);
      next.auto_movable_ratio = n;
      break;
    }
    case 'auto_movable_numa_aware':
    case 'v2_remove_guard': {
      const b = parseBool(value);
      if (b === null) fail('EINVAL', `${param}: "${value}" is not a boolean`);
      next[param] = b;
      break;
    }
    case 'vmemmap_hotplug': {
      // v2 patch 5/5: /sys/devices/system/memory/vmemmap_hotplug takes enable/disable
      const v = String(value).trim();
      const b = v === 'enable' || value === true ? true : v === 'disable' || value === false ? false : null;
      if (b === null) fail('EINVAL', `vmemmap_hotplug: "${v}" is not enable or disable`);
      next.vmemmap_hotplug = b;
      break;
    }
  }
  tx.transition('hotplug', null, { type: 'SET_PARAM', set: { params: next } });
}

export function inject(tx: Tx, action: 'MEM_GOING_ONLINE' | 'MEM_GOING_OFFLINE', error: number): void {
  if (!Number.isInteger(error) || error < -4095 || error > 0) fail('EINVAL', `error must be in [-4095, 0], got ${error}`);
  tx.emit({ type: 'knob', knob: 'inject', key: action, value: error });
}

export function pin(tx: Tx, id: number, pinned: boolean): void {
  const b = block(tx, id);
  if (!b) fail('ENOENT', `memory${id} does not exist`);
  if (b.state === 'going-offline') fail('EBUSY', `memory${id} is going offline`);
  tx.transition('memory_block', id, { type: pinned ? 'PIN' : 'UNPIN', set: { pinned } });
}

export function signal(tx: Tx): void {
  tx.emit({ type: 'knob', knob: 'signal', key: 'pending', value: true });
}

export function touch(tx: Tx, id: number): void {
  const b = block(tx, id);
  if (!b) fail('ENOENT', `memory${id} does not exist`);
  checkMemmapAlive(tx, b, 'touch');
}
