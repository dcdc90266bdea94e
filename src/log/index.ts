/**
 * The durable, checksummed event log (JSON Lines + CRC-32C). Format: codec.ts;
 * recovery rules: recovery.ts; locking: lock.ts; old versions: upcasters.ts.
 */
export { LOG_FORMAT, LOG_VERSION, type LogHeader } from './schema.ts';
export { LogFormatError, LogLockedError, LineError } from './errors.ts';
export { encodeHeaderLine, encodeRecordLine, decodeLine, decodeLineBytes, type DecodedLine } from './codec.ts';
export { encodeLog, decodeLog, decodeEventLine, eventLineDecoder } from './text.ts';
export type { ScanResult, ScanOptions, FrameResult } from './recovery.ts';
export { UPCASTERS, type Upcaster } from './upcasters.ts';
export { lockPathOf } from './lock.ts';
export {
  createLog,
  openLogForAppend,
  readLog,
  forEachEventInLog,
  type ReadOptions,
  writeLogFile,
  upgradeLog,
  type LogWriter,
  type ReadResult,
  type CreateOptions,
} from './store.ts';
