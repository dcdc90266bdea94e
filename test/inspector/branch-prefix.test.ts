/** How far two branches share their history: what a branch switch keeps and where a comparison starts. */
import { describe, expect, it } from 'vitest';
import { commonPrefix, type BranchLink } from '../../src/inspector/branch-prefix.ts';

const b = (id: number, parent: number | null, forkSeq: number | null, lastSeq: number): BranchLink => ({ id, parent, forkSeq, lastSeq });

describe('commonPrefix', () => {
  // 0: the log (400 events); 1 forked from 0 after 295; 2 forked from 1 after 300; 3 forked from 1 after 290; 4 from 0 after 100
  const tree = [b(0, null, null, 400), b(1, 0, 295, 310), b(2, 1, 300, 320), b(3, 1, 290, 299), b(4, 0, 100, 150)];

  it('is the fork point between a fork and its parent, either way round', () => {
    expect(commonPrefix(tree, 0, 1)).toBe(295);
    expect(commonPrefix(tree, 1, 0)).toBe(295);
  });

  it('is the lower fork point through a fork of a fork', () => {
    expect(commonPrefix(tree, 2, 0)).toBe(295);
    expect(commonPrefix(tree, 3, 0)).toBe(290);
    expect(commonPrefix(tree, 2, 1)).toBe(300);
    expect(commonPrefix(tree, 2, 3)).toBe(290);
  });

  it('is where siblings left their common parent', () => {
    expect(commonPrefix(tree, 1, 4)).toBe(100);
    expect(commonPrefix(tree, 2, 4)).toBe(100);
  });

  it('is the whole branch for itself', () => {
    expect(commonPrefix(tree, 2, 2)).toBe(320);
  });
});
