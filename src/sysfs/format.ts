/** The attribute formatters live beside the attribute table (src/engine/sysfs/format.ts); this name is kept for readers of sysfs text. */
export {
  formatAutoOnlineBlocks,
  formatBlockSizeBytes,
  formatBoolParam,
  formatMemmapOnMemory,
  formatNodeList,
  formatOnline,
  formatPhysDevice,
  formatPhysIndex,
  formatRemovable,
  formatState,
  formatValidZones,
  formatVmemmapHotplug,
  parseNodeList,
  removableOf,
} from '../engine/sysfs/format.ts';
