/**
 * Importing this file in a vitest test installs memhp's matchers (the
 * package's `memhp/vitest` entry; its types extend vitest's Assertion):
 *
 *   import 'memhp/vitest';                 // from memhp's own tests: '../src/check/vitest.ts'
 *   expect(system).toSatisfyInvariants();
 *
 * It imports vitest, so no other entry re-exports it.
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
