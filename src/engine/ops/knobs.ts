/**
 * Operations on the simulated environment rather than on memory: runtime
 * parameters, notifier error injection, pinned pages, a pending signal, and
 * `touch` (the kernel reads a block's struct pages).
 */
import { fail, type KernelError, refusal } from '../../kernel/errno.ts';
import { featureOrigin, hasFeature, missingFeature, PARAM_FEATURE } from '../../kernel/features.ts';
import { asWritten, kstrtobool, kstrtoll, kstrtouint, onlineTypeFromStr, sysfsMatchString, type KParse } from '../../kernel/parse.ts';
import type { Params, RuntimeParam } from '../../kernel/types.ts';
import type { Tx } from '../tx.ts';
import { block, checkMemmapAlive } from './common.ts';

/** A kernel parse failure is the store function's return value. */
function parsed<T>(param: string, r: KParse<T>): T {
  if (!r.ok) fail(r.errno, `${param}: ${r.reason}`, 'param_set');
  return r.value;
}

/**
 * A write to a runtime-writable parameter (sysfs or /sys/module/memory_hotplug/parameters):
 * the file must exist in this era (else -ENOENT, as open() fails), then the value is parsed
 * by the kernel's own parser for that file (src/kernel/parse.ts), so "Online" or "12x" is the
 * kernel's -EINVAL at run time, recorded in the log.
 */
export function setParam(tx: Tx, param: RuntimeParam, value: string | number | boolean): void {
  const next: Params = { ...tx.params };
  const era = tx.system.kernel;
  // a parameter the era lacks has no file to write: -ENOENT, as open() of a missing sysfs file
  if (!hasFeature(era, PARAM_FEATURE[param])) fail('ENOENT', missingFeature(era, PARAM_FEATURE[param]), 'kernfs_iop_lookup');
  const buf = asWritten(value);
  switch (param) {
    case 'auto_online_blocks': {
      // auto_online_blocks_store(): mhp_online_type_from_str(); kernels before the zone values took
      // only "online" / "offline" (sysfs_streq), so the others are -EINVAL there
      const v = parsed(param, onlineTypeFromStr(buf));
      if (v !== 'online' && v !== 'offline' && !hasFeature(era, 'value.auto_online_blocks.zones'))
        fail('EINVAL', `auto_online_blocks: kernel ${era} takes only online or offline (${featureOrigin('value.auto_online_blocks.zones')})`, 'auto_online_blocks_store');
      next.auto_online_blocks = v;
      break;
    }
    case 'online_policy': {
      // set_online_policy(): sysfs_match_string(online_policy_to_str, val)
      next.online_policy = parsed(param, sysfsMatchString(['contig-zones', 'auto-movable'] as const, buf));
      break;
    }
    case 'auto_movable_ratio': {
      // param_set_uint(): kstrtouint(val, 0)
      next.auto_movable_ratio = parsed(param, kstrtouint(buf, 0));
      break;
    }
    case 'auto_movable_numa_aware':
    case 'v2_remove_guard': {
      // param_set_bool(): kstrtobool
      next[param] = parsed(param, kstrtobool(buf));
      break;
    }
    case 'vmemmap_hotplug': {
      // v2 patch 5/5: /sys/devices/system/memory/vmemmap_hotplug takes enable/disable
      const v = typeof value === 'boolean' ? (value ? 'enable' : 'disable') : buf;
      next.vmemmap_hotplug = parsed(param, sysfsMatchString(['enable', 'disable'] as const, v)) === 'enable';
      break;
    }
  }
  tx.transition('hotplug', null, { type: 'SET_PARAM', set: { params: next } });
}

/**
 * memory-notifier-error-inject's actions/<ACTION>/error (debugfs_create_errno):
 * simple_attr_write() parses with kstrtoll(base 0) (-EINVAL on garbage) and the
 * setter clamps to [-MAX_ERRNO, 0] instead of refusing.
 */
export function injectStore(tx: Tx, action: 'MEM_GOING_ONLINE' | 'MEM_GOING_OFFLINE', buf: string): void {
  const v = parsed(`${action}/error`, kstrtoll(buf, 0));
  const clamped = v > 0n ? 0 : v < -4095n ? -4095 : Number(v);
  inject(tx, action, clamped);
}

export function inject(tx: Tx, action: 'MEM_GOING_ONLINE' | 'MEM_GOING_OFFLINE', error: number): void {
  if (!Number.isInteger(error) || error < -4095 || error > 0) fail('EINVAL', `error must be in [-4095, 0], got ${error}`, 'notifier_err_inject');
  tx.emit({ type: 'knob', knob: 'inject', key: action, value: error });
}

export function pin(tx: Tx, id: number, pinned: boolean): KernelError | void {
  const b = block(tx, id);
  if (!b) return refusal('ENOENT', `memory${id} does not exist`, 'kernfs_iop_lookup');
  if (b.state === 'going-offline') return refusal('EBUSY', `memory${id} is going offline`, 'memory_block_pin');
  tx.transition('memory_block', id, { type: pinned ? 'PIN' : 'UNPIN', set: { pinned } });
}

export function signal(tx: Tx): void {
  tx.emit({ type: 'knob', knob: 'signal', key: 'pending', value: true });
}

export function touch(tx: Tx, id: number): KernelError | void {
  const b = block(tx, id);
  if (!b) return refusal('ENOENT', `memory${id} does not exist`, 'kernfs_iop_lookup');
  checkMemmapAlive(tx, b, 'touch');
}
