/** The world as /sys/devices/system/{memory,node}: export, read back, and what lsmem makes of it. */
export { exportSysfs, EXPORT_MARKER, type ExportResult } from './export.ts';
export { readSysfs, type SysfsSummary, type SysfsBlockSummary } from './read.ts';
export { sysfsEntries, checkView, type SysfsEntry, type SysfsOptions } from './tree.ts';
export { expectedLsmemRows, expectedLsmemSummary, parseLsmemSummary, lsmemArgs, LSMEM_COLUMNS, type LsmemRow, type LsmemSummary } from './lsmem-compare.ts';
export { formatNodeList, parseNodeList } from './format.ts';
