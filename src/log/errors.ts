/** Errors of the event log: a corrupt file (with its place) and a held lock. */

/** The log file is not a valid memhp log at `line` (1-based; the header is line 1), `byteOffset` (0-based, start of that line). */
export class LogFormatError extends Error {
  readonly file: string;
  readonly line: number;
  readonly byteOffset: number;
  readonly reason: string;
  constructor(file: string, line: number, byteOffset: number, reason: string) {
    super(`corrupt memhp log ${file}: line ${line} (byte offset ${byteOffset}): ${reason}`);
    this.name = 'LogFormatError';
    this.file = file;
    this.line = line;
    this.byteOffset = byteOffset;
    this.reason = reason;
  }
}

/** Another live process appends to this log. */
export class LogLockedError extends Error {
  readonly file: string;
  readonly lockFile: string;
  readonly holderPid: number;
  constructor(file: string, lockFile: string, holderPid: number) {
    super(
      `memhp log ${file} is locked by process ${holderPid} (lock file ${lockFile}): ` +
        `only one process may append to a log at a time`,
    );
    this.name = 'LogLockedError';
    this.file = file;
    this.lockFile = lockFile;
    this.holderPid = holderPid;
  }
}

/**
 * What is wrong with one line, before the scanner knows where the line is.
 * `tornIfLast` marks damage a crash mid-append can leave (a cut line); the
 * same damage on the last line is recovered, anywhere else it is corruption.
 */
export class LineError extends Error {
  readonly tornIfLast: boolean;
  constructor(reason: string, tornIfLast: boolean) {
    super(reason);
    this.name = 'LineError';
    this.tornIfLast = tornIfLast;
  }
}
