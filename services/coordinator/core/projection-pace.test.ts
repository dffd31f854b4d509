import { describe, expect, it } from 'vitest';
import { projectionDue } from './projection-pace.ts';

describe('projectionDue', () => {
  it.each([
    ['never written', undefined, 'running', 0, true],
    ['running, written 200 ms ago', { atMs: 800, status: 'running' }, 'running', 1_000, false],
    ['running, written an interval ago', { atMs: 0, status: 'running' }, 'running', 1_000, true],
    ['completed since the last write', { atMs: 900, status: 'running' }, 'completed', 1_000, true],
    ['failed since the last write', { atMs: 900, status: 'running' }, 'failed', 1_000, true],
    ['finished runs are always written', { atMs: 900, status: 'completed' }, 'completed', 1_000, true],
  ])('%s', (_n, last, status, now, due) => expect(projectionDue(last, status, now, 1_000)).toBe(due));
});
