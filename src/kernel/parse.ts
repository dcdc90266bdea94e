/**
 * The kernel's parsers for strings written to sysfs and module parameters
 * (lib/string.c sysfs_streq(), lib/kstrtox.c kstrtobool() / kstrtoull() /
 * kstrtoll()), so a raw `write` and the typed operations' string values are
 * judged at run time exactly as the store functions judge them
 * (docs/kernel-model.md §4.3, §7.1; docs/sysfs.md).
 *
 * Pure: each returns the value or the negative errno the kernel returns.
 */
import { ONLINE_TYPES, type OnlineType } from './types.ts';

export type KParse<T> = { ok: true; value: T } | { ok: false; errno: 'EINVAL' | 'ERANGE'; reason: string };

const ok = <T>(value: T): KParse<T> => ({ ok: true, value });
const einval = (reason: string): KParse<never> => ({ ok: false, errno: 'EINVAL', reason });

/** A sysfs store gets a C string: the bytes up to the first NUL. */
export function cString(buf: string): string {
  const nul = buf.indexOf('\0');
  return nul < 0 ? buf : buf.slice(0, nul);
}

/**
 * sysfs_streq(): equal, except that one trailing newline on either side is
 * ignored. Case-sensitive: "Online" is not "online".
 */
export function sysfsStreq(s1: string, s2: string): boolean {
  if (s1 === s2) return true;
  return s1 === `${s2}\n` || `${s1}\n` === s2;
}

/** sysfs_match_string(): the index of the first entry sysfs_streq() matches, or -EINVAL. */
export function sysfsMatchString<const T extends string>(list: readonly T[], buf: string): KParse<T> {
  const s = cString(buf);
  const hit = list.find((entry) => sysfsStreq(entry, s));
  return hit === undefined ? einval(`${JSON.stringify(s)} is not one of ${list.join(', ')} (sysfs_match_string)`) : ok(hit);
}

/**
 * mhp_online_type_from_str(): the MMOP_* name, matched with sysfs_streq()
 * (memoryN/state, auto_online_blocks).
 */
export function onlineTypeFromStr(buf: string): KParse<OnlineType> {
  const r = sysfsMatchString(ONLINE_TYPES, buf);
  return r.ok ? r : einval(`${JSON.stringify(cString(buf))} is not an online type (${ONLINE_TYPES.join(', ')}; sysfs_streq is case-sensitive)`);
}

/**
 * kstrtobool(): only the first character decides (the second for on/off):
 * y Y 1 → true, n N 0 → false, "on"/"off" in any case. Anything else,
 * including an empty string, is -EINVAL. (The t/f spellings of later
 * kernels are not accepted by the eras memhp models.)
 */
export function kstrtobool(buf: string): KParse<boolean> {
  const s = cString(buf);
  switch (s[0]) {
    case 'y':
    case 'Y':
    case '1':
      return ok(true);
    case 'n':
    case 'N':
    case '0':
      return ok(false);
    case 'o':
    case 'O':
      if (s[1] === 'n' || s[1] === 'N') return ok(true);
      if (s[1] === 'f' || s[1] === 'F') return ok(false);
      break;
  }
  return einval(`${JSON.stringify(s)} is not a boolean (kstrtobool: y/n, 1/0, on/off)`);
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * _parse_integer_fixup_radix() + _parse_integer() + the tail check of
 * _kstrtoull(): base 0 takes 0x for hex and a leading 0 for octal; base 16
 * allows a 0x prefix; one trailing newline is allowed, nothing else.
 */
export function kstrtoull(buf: string, base: 0 | 8 | 10 | 16): KParse<bigint> {
  const text = cString(buf);
  let s = text;
  if (s[0] === '+') s = s.slice(1);
  let radix: number = base;
  const hexPrefix = /^0[xX][0-9a-fA-F]/.test(s);
  if (base === 0) {
    if (hexPrefix) radix = 16;
    else if (s[0] === '0') radix = 8;
    else radix = 10;
  }
  if (radix === 16 && hexPrefix) s = s.slice(2);
  let i = 0;
  let v = 0n;
  let overflow = false;
  for (; i < s.length; i++) {
    const d = digitValue(s[i]!);
    if (d < 0 || d >= radix) break;
    v = v * BigInt(radix) + BigInt(d);
    if (v > U64_MAX) overflow = true;
  }
  const what = `${JSON.stringify(text)}`;
  if (i === 0) return einval(`${what} is not a number (kstrtoull base ${base})`);
  if (overflow) return { ok: false, errno: 'ERANGE', reason: `${what} does not fit in 64 bits` };
  let rest = s.slice(i);
  if (rest[0] === '\n') rest = rest.slice(1);
  if (rest !== '') return einval(`${what} has ${JSON.stringify(rest)} after the number (kstrtoull base ${base})`);
  return ok(v);
}

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** kstrtouint(): kstrtoull() that must fit in 32 bits (-ERANGE otherwise). */
export function kstrtouint(buf: string, base: 0 | 8 | 10 | 16): KParse<number> {
  const r = kstrtoull(buf, base);
  if (!r.ok) return r;
  if (r.value > 0xffffffffn) return { ok: false, errno: 'ERANGE', reason: `${JSON.stringify(cString(buf))} does not fit in an unsigned int` };
  return ok(Number(r.value));
}

/** kstrtoll(): an optional '-' before kstrtoull(); the magnitude must fit in s64. */
export function kstrtoll(buf: string, base: 0 | 8 | 10 | 16): KParse<bigint> {
  const s = cString(buf);
  if (s[0] === '-') {
    const r = kstrtoull(s.slice(1), base);
    if (!r.ok) return r;
    if (r.value > 1n << 63n) return { ok: false, errno: 'ERANGE', reason: `${JSON.stringify(s)} does not fit in 64 bits` };
    return ok(-r.value);
  }
  const r = kstrtoull(s, base);
  if (!r.ok) return r;
  if (r.value >= 1n << 63n) return { ok: false, errno: 'ERANGE', reason: `${JSON.stringify(s)} does not fit in 64 bits` };
  return r;
}

/**
 * A typed operation's value as the string a tool would write: JSON
 * booleans and numbers become what `echo` would put in the file.
 */
export function asWritten(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}
