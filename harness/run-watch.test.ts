import { describe, expect, it } from 'vitest';
import { progressLine, type RunDoc } from './run-watch.ts';

const startedAt = new Date('2026-03-01T10:00:00.000Z');
const tables: RunDoc['tables'] = {
  account: { windowsDone: 3, windowsTotal: 4, records: 600 },
  contact: { windowsDone: 4, windowsTotal: 4, records: 400 },
};
const at = (s: number) => startedAt.getTime() + s * 1000;
const run = (over: Partial<RunDoc>) => ({ status: 'running', startedAt, completedAt: null, loadedAt: null, reconcile: 'pending', tables, ...over });

describe('progressLine', () => {
  it.each([
    ['running: rate up to now', 'full', run({}), at(10), '  full run: running   windows 7/8  records 1000  (100/s)'],
    ['completed, loading: rate up to completedAt', 'full', run({ status: 'completed', completedAt: new Date(at(20)) }), at(30), '  full run: completed windows 7/8  records 1000  (50/s)'],
    ['loaded full run reconciling: rate up to loadedAt', 'full', run({ status: 'loaded', loadedAt: new Date(at(25)) }), at(60), '  full run: loaded, reconciling deletes windows 7/8  records 1000  (40/s)'],
    ['loaded and reconciled', 'full', run({ status: 'loaded', loadedAt: new Date(at(25)), reconcile: 'done' }), at(90), '  full run: loaded    windows 7/8  records 1000  (40/s)'],
    ['loaded incremental (reconcile skipped)', 'incremental', run({ status: 'loaded', loadedAt: new Date(at(4)), reconcile: 'skipped' }), at(9), '  incremental run: loaded    windows 7/8  records 1000  (250/s)'],
    ['no tables yet', 'full', run({ tables: {} }), at(0), '  full run: running   windows 0/0  records 0  (0/s)'],
  ])('%s', (_name, kind, r, now, want) => {
    expect(progressLine(kind, r, now)).toBe(want);
  });

  it.each([
    ['a completed run while the loader catches up', run({ status: 'completed', completedAt: new Date(at(20)) })],
    ['a loaded full run while its reconciliation runs', run({ status: 'loaded', completedAt: new Date(at(20)), loadedAt: new Date(at(25)) })],
  ])('%s gives the same line at every poll', (_name, r) => {
    expect(new Set([30, 45, 120].map((s) => progressLine('full', r, at(s)))).size).toBe(1);
  });
});
