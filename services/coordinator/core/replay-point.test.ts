import { describe, expect, it } from 'vitest';
import { rebuildStart, replayPoint } from './replay-point.ts';
import { emptyBook, type RunState } from './run-state.ts';

/** A book holding runs of the given status and RunStarted offset (null: not read back yet). */
function bookOf(runs: readonly (readonly [RunState['status'], string | null])[]) {
  const book = emptyBook();
  runs.forEach(([status, startOffset], i) => book.runs.set(`r${i}`, { runId: `r${i}`, status, startOffset } as RunState));
  return book;
}

describe('replayPoint', () => {
  it.each([
    ['no run: the end of what was folded', [], 50n, 50n],
    ['only finished runs: the end', [['completed', '3'], ['failed', '7']], 50n, 50n],
    ['the RunStarted of the only running run', [['completed', '3'], ['running', '12']], 50n, 12n],
    ['the oldest of several running runs', [['running', '30'], ['running', '12'], ['running', '20']], 50n, 12n],
    ['a running run whose RunStarted was not read back does not hold the point', [['running', null]], 50n, 50n],
    ['a RunStarted at or after the end never moves the point forward', [['running', '50'], ['running', '70']], 50n, 50n],
  ] as const)('%s', (_name, runs, nextOffset, expected) => {
    expect(replayPoint(bookOf(runs), nextOffset)).toBe(expected);
  });
});

describe('rebuildStart', () => {
  it.each([
    ['a committed offset: folded from there', '42', '10', { start: 42n, committed: 42n }],
    ['no committed offset: from the oldest retained offset, nothing committed', '-1', '10', { start: 10n, committed: null }],
    ['no committed offset and no known low: from 0', '-1', undefined, { start: 0n, committed: null }],
    ['a committed offset of 0', '0', '5', { start: 0n, committed: 0n }],
  ] as const)('%s', (_name, committed, low, expected) => {
    expect(rebuildStart(committed, low)).toEqual(expected);
  });
});
