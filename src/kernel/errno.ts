/** The errno values the simulated kernel returns (asm-generic/errno-base.h numbers). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOSYS: 38,
  EINVAL: 22,
  EACCES: 13,
  EISDIR: 21,
  ERANGE: 34,
  ENOSPC: 28,
  EOPNOTSUPP: 95,
  E2BIG: 7,
  EHWPOISON: 133,
} as const;
export type ErrnoName = keyof typeof ERRNO;

const BY_NUMBER = new Map<number, ErrnoName>(Object.entries(ERRNO).map(([k, v]) => [v, k as ErrnoName]));

/** "ENOMEM" for -12 or 12; "E<n>" for numbers without a name here. */
export function errnoName(ret: number): string {
  const n = Math.abs(ret);
  return BY_NUMBER.get(n) ?? `E${n}`;
}

/**
 * A kernel failure carried as a value: what the operation returns, and why.
 * `site` is the kernel function whose check failed (e.g. `offline_pages`),
 * where the deciding code knows it: `memhp why` explains an errno with it and
 * the model checker's coverage counts error returns by it.
 */
export class KernelError extends Error {
  readonly errno: number;
  readonly reason: string;
  readonly site?: string;
  constructor(errno: number, reason: string, site?: string) {
    // A kernel failure is a result, not a bug: nobody reads its JavaScript stack, and capturing
    // one was half the cost of a refused operation (docs/explore.md "Where the time went").
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${errnoName(errno)}: ${reason}`);
    Error.stackTraceLimit = limit;
    this.errno = errno;
    this.reason = reason;
    if (site !== undefined) this.site = site;
  }
}

// What a KernelError made by fail() shows as its stack: its name and message, as an Error made
// with no stack frames shows.
Object.defineProperty(KernelError.prototype, 'stack', {
  configurable: true,
  get(this: KernelError) {
    return `Error: ${this.message}`;
  },
});

type Fields = { -readonly [K in 'errno' | 'reason' | 'site' | 'message']: KernelError[K] };

/**
 * A KernelError without running Error's constructor, which costs as much
 * again as the throw even with no stack to capture (0.5 µs; the model checker
 * refuses half the operations it tries). It is a KernelError and an Error by
 * its prototype, with the same fields; only Node's inspector prints it as an
 * object rather than an error.
 */
function kernelError(errno: number, reason: string, site: string | undefined): KernelError {
  const e = Object.create(KernelError.prototype) as Fields;
  e.errno = errno;
  e.reason = reason;
  e.message = `${errnoName(errno)}: ${reason}`;
  if (site !== undefined) e.site = site;
  return e as KernelError;
}

/**
 * The error an operation returns where the kernel refuses it at once (no such device or block,
 * a range already there): the KernelError fail() throws, handed back instead. A throw was two
 * thirds of a refused decision (0.7 of 1.0 µs), and the model checker's operations are refused
 * half the time (docs/explore.md "Where the time went"). Whatever returns one, its caller returns
 * it too, or throws it (`orThrow`) where the error unwinds further; `decide` takes both alike.
 * test/core/returned-errors.test.ts finds any call that drops one.
 */
export function refusal(name: ErrnoName | number, reason: string, site?: string): KernelError {
  return kernelError(typeof name === 'number' ? Math.abs(name) : ERRNO[name], reason, site);
}

export function fail(name: ErrnoName | number, reason: string, site?: string): never {
  throw refusal(name, reason, site);
}

/** The KernelError a catch caught, anything else (a bug, not a kernel failure) thrown on. */
export function asKernelError(e: unknown): KernelError {
  if (!(e instanceof KernelError)) throw e;
  return e;
}

/** Throws a returned error: for a caller whose own callers expect a throw (a driver's rollback, a sysfs store). */
export function orThrow(e: KernelError | void): void {
  if (e !== undefined) throw e;
}
