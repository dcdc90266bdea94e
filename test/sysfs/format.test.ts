import { describe, expect, it } from 'vitest';
import { formatAutoOnlineBlocks, formatBlockSizeBytes, formatMemmapOnMemory, formatNodeList, formatPhysIndex, parseNodeList } from '../../src/sysfs/format.ts';

describe('kernel formats', () => {
  it('prints block_size_bytes as bare hex and phys_index as %08lx', () => {
    expect(formatBlockSizeBytes(128 * 2 ** 20)).toBe('8000000\n');
    expect(formatBlockSizeBytes(2 * 2 ** 30)).toBe('80000000\n');
    expect(formatPhysIndex(0)).toBe('00000000\n');
    expect(formatPhysIndex(520)).toBe('00000208\n');
    expect(formatPhysIndex(2 ** 33)).toBe('200000000\n');
  });

  it('prints node masks as %*pbl', () => {
    expect(formatNodeList([])).toBe('\n');
    expect(formatNodeList([0])).toBe('0\n');
    expect(formatNodeList([1, 0])).toBe('0-1\n');
    expect(formatNodeList([3, 0, 2, 2])).toBe('0,2-3\n');
    expect(formatNodeList([0, 2, 4, 5, 6, 9])).toBe('0,2,4-6,9\n');
  });

  it('parses node masks back and rejects anything else', () => {
    expect(parseNodeList('0,2-3\n')).toEqual([0, 2, 3]);
    expect(parseNodeList('\n')).toEqual([]);
    expect(() => parseNodeList('0-x\n')).toThrow(/not a kernel list/);
    expect(() => parseNodeList('3-1\n')).toThrow(/descending/);
  });

  it('follows the era for memmap_on_memory and auto_online_blocks', () => {
    expect(formatMemmapOnMemory('6.8', 'force')).toBe('force\n');
    expect(formatMemmapOnMemory('6.6', 'force')).toBe('force\n');
    expect(formatMemmapOnMemory('5.13', 'force')).toBe('Y\n');
    expect(formatMemmapOnMemory('5.13', 'on')).toBe('Y\n');
    expect(formatMemmapOnMemory('6.8', 'off')).toBe('N\n');
    expect(formatAutoOnlineBlocks('6.8', 'online_movable')).toBe('online_movable\n');
    expect(formatAutoOnlineBlocks('v2-2019', 'online_movable')).toBe('online\n');
    expect(formatAutoOnlineBlocks('v2-2019', 'offline')).toBe('offline\n');
  });
});
