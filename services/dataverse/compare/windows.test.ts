import { describe, expect, it } from 'vitest';
import { ChunkCutter, EARLIEST_MS, odataDateTime, windowFilter, type StoredChunk } from './windows.ts';

const row = (id: string, modifiedOnMs: number) => ({ id, version: 1n, modifiedOnMs });

/** Pushes rows (ms) through a cutter of `size`; returns each chunk's window and ids. */
function cut(size: number, times: number[], endMs: number | null) {
  const cutter = new ChunkCutter(size);
  const chunks: StoredChunk[] = [];
  times.forEach((t, i) => {
    const done = cutter.push(row(`r${i}`, t));
    if (done) chunks.push(done);
  });
  chunks.push(cutter.finish(endMs));
  return chunks.map((c) => [c.window.fromMs, c.window.toMs, [...c.rows.keys()]]);
}

describe('ChunkCutter', () => {
  it.each<[string, number, number[], number | null, unknown[]]>([
    ['an empty table: one window over all time', 2, [], 9000, [[EARLIEST_MS, 9000, []]]],
    ['fewer rows than a chunk', 3, [1000, 2000], null, [[EARLIEST_MS, null, ['r0', 'r1']]]],
    ['cut after a full chunk, at the next second', 2, [1000, 2000, 3000, 4000, 5000], 9000, [[EARLIEST_MS, 3000, ['r0', 'r1']], [3000, 5000, ['r2', 'r3']], [5000, 9000, ['r4']]]],
    ['never splits a second (rows with the same second stay together)', 2, [1000, 2000, 2000, 2500, 3000], 9000, [[EARLIEST_MS, 3000, ['r0', 'r1', 'r2', 'r3']], [3000, 9000, ['r4']]]],
    ['a gap of time between chunks belongs to the next window', 1, [1000, 60_000], null, [[EARLIEST_MS, 2000, ['r0']], [2000, null, ['r1']]]],
  ])('%s', (_name, size, times, end, expected) => {
    expect(cut(size, times, end)).toEqual(expected);
  });
});

describe('windowFilter', () => {
  it('is half-open at whole seconds, open-ended without an end', () => {
    expect(windowFilter({ fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 0, 2) })).toBe('modifiedon ge 2024-01-01T00:00:00Z and modifiedon lt 2024-01-02T00:00:00Z');
    expect(windowFilter({ fromMs: EARLIEST_MS, toMs: null })).toBe('modifiedon ge 1753-01-01T00:00:00Z');
    expect(odataDateTime(Date.UTC(2024, 0, 1, 0, 0, 0, 999))).toBe('2024-01-01T00:00:00Z');
  });
});
