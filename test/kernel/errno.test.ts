/**
 * A KernelError from fail() is made without Error's constructor (the model
 * checker throws one for every refused operation): it must still be
 * everything a KernelError made with `new` is to the code that catches it.
 */
import { describe, expect, it } from 'vitest';
import { ERRNO, fail, KernelError } from '../../src/kernel/errno.ts';
import { Oops } from '../../src/engine/tx.ts';

const caught = (f: () => never): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
};

describe('KernelError', () => {
  it('fail() throws a KernelError and an Error, with the errno, reason, site and message', () => {
    const e = caught(() => fail('EBUSY', 'memory7 holds unmovable pages', 'offline_pages'));
    expect(e).toBeInstanceOf(KernelError);
    expect(e).toBeInstanceOf(Error);
    const k = e as KernelError;
    expect(k.errno).toBe(ERRNO.EBUSY);
    expect(k.reason).toBe('memory7 holds unmovable pages');
    expect(k.site).toBe('offline_pages');
    expect(k.message).toBe('EBUSY: memory7 holds unmovable pages');
    expect(k.stack).toBe('Error: EBUSY: memory7 holds unmovable pages');
    expect(String(k)).toBe('Error: EBUSY: memory7 holds unmovable pages');
  });

  it('takes an errno as a number, negative or not, and leaves out an absent site', () => {
    const k = caught(() => fail(-12, 'no memory')) as KernelError;
    expect(k.errno).toBe(12);
    expect(k.message).toBe('ENOMEM: no memory');
    expect('site' in k).toBe(false);
    expect(() => fail('EINVAL', 'bad value')).toThrow(/^EINVAL: bad value$/);
  });

  it('one made with new (an Oops) is the same to the catcher', () => {
    const o = new Oops(ERRNO.EFAULT, 'page fault', 'page_fault_oops');
    expect(o).toBeInstanceOf(KernelError);
    expect(o.errno).toBe(ERRNO.EFAULT);
    expect(o.message).toBe('EFAULT: page fault');
    expect(o.site).toBe('page_fault_oops');
    expect(o.stack).toMatch(/^Error: EFAULT: page fault/);
  });
});
