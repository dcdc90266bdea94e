/**
 * The guest reports a failed write as the C library's strerror() text
 * (busybox: "sh: write error: Invalid argument"); this maps it back to the
 * errno name memhp records. Linux-internal codes above 511 (ENOTSUPP 524)
 * have no text and appear as "Unknown error 524".
 */
const STRERROR: Record<string, string> = {
  'Operation not permitted': 'EPERM',
  'No such file or directory': 'ENOENT',
  'Interrupted system call': 'EINTR',
  'Input/output error': 'EIO',
  'No such device or address': 'ENXIO',
  'Argument list too long': 'E2BIG',
  'Resource temporarily unavailable': 'EAGAIN',
  'Cannot allocate memory': 'ENOMEM',
  'Permission denied': 'EACCES',
  'Device or resource busy': 'EBUSY',
  'File exists': 'EEXIST',
  'No such device': 'ENODEV',
  'Invalid argument': 'EINVAL',
  'No space left on device': 'ENOSPC',
  'Numerical result out of range': 'ERANGE',
  'Operation not supported': 'EOPNOTSUPP',
  'Function not implemented': 'ENOSYS',
  'Connection timed out': 'ETIMEDOUT',
  'Unknown error 524': 'ENOTSUPP',
};

/** The errno name in a busybox error message, or null when it names none. */
export function errnoFromMessage(text: string): string | null {
  if (/nonexistent directory/.test(text)) return 'ENOENT';
  for (const [msg, name] of Object.entries(STRERROR)) if (text.includes(msg)) return name;
  return null;
}
