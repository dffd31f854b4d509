import { describe, expect, it } from 'vitest';
import { produceChunks, RECORD_OVERHEAD_BYTES, recordBytes } from './produce-chunks.ts';

describe('produceChunks', () => {
  it.each([
    ['empty', [], 10, 10, []],
    ['fits in one', [1, 2, 3], 10, 10, [[1, 2, 3]]],
    ['bounded by count', [1, 1, 1, 1, 1], 100, 2, [[1, 1], [1, 1], [1]]],
    ['bounded by bytes', [4, 4, 4], 8, 10, [[4, 4], [4]]],
    ['oversized item goes alone', [2, 50, 2], 10, 10, [[2], [50], [2]]],
    ['exact fit', [5, 5, 5, 5], 10, 10, [[5, 5], [5, 5]]],
  ] as [string, number[], number, number, number[][]][])('%s', (_name, sizes, maxBytes, maxCount, expected) => {
    expect(produceChunks(sizes, (n) => n, maxBytes, maxCount)).toEqual(expected);
  });

  it('keeps every item once, in order', () => {
    const items = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 97);
    expect(produceChunks(items, (n) => n, 300, 50).flat()).toEqual(items);
  });

  it.each([
    ['key only', { key: 'k', value: null, headers: {} }, 1],
    ['key and value', { key: 'ab', value: Buffer.alloc(10), headers: {} }, 12],
    ['headers count name, value and their two length varints', { key: 'k', value: Buffer.alloc(4), headers: { 'run-id': 'r1', 'source-version': Buffer.from('123') } }, 1 + 4 + (6 + 2 + 2) + (14 + 3 + 2)],
  ] as const)('recordBytes: %s', (_name, record, payload) => {
    expect(recordBytes(record)).toBe(RECORD_OVERHEAD_BYTES + payload);
  });
});
