/**
 * Importing this file in a vitest test installs memhp's matchers:
 *
 *   import '../src/check/vitest.ts';
 *   expect(system).toSatisfyInvariants();
 *
 * It imports vitest, so the library index does not re-export it.
 */
import { expect } from 'vitest';
import { memhpMatchers, type MemhpMatchers } from './matchers.ts';

expect.extend(memhpMatchers);

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T> extends MemhpMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends MemhpMatchers {}
}
