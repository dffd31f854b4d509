import { describe, expect, it } from 'vitest';
import { normalizeRun } from '../run-status.ts';
import { formatRuns } from './runs.ts';

describe('formatRuns', () => {
  it('prints runs newest first with progress and records extracted, written, unchanged, tombstoned, an incomplete reconciliation, and the latest run by table', () => {
    const runs = [
      normalizeRun({ _id: 'r2', kind: 'incremental', status: 'running', startedAt: new Date('2026-03-01T10:00:00Z'), tables: [{ table: 'account', windowsDone: 1, windowsTotal: 4, records: 1234 }, { table: 'contact' }] }),
      normalizeRun(
        {
          _id: 'r1', kind: 'full', status: 'loaded', startedAt: new Date('2026-03-01T08:00:00Z'), completedAt: new Date('2026-03-01T08:30:00Z'), loadedAt: new Date('2026-03-01T08:31:00Z'),
          tables: [{ table: 'account', windowsDone: 4, windowsTotal: 4, records: 50 }], reconcile: 'incomplete', tombstones: { account: 2 }, reconcileIncomplete: { account: '1 window (5,000 documents) not compared: HTTP 503' },
        },
        new Map([['account', { written: 3, deleted: 2, unchanged: 47, older: 0, dead: 0 }]]),
      ),
    ];
    expect(formatRuns(runs)).toBe(
      [
        'RUN  KIND         STATUS   STARTED               COMPLETED             LOADED                   WINDOWS  RECORDS  WRITTEN  UNCHANGED  TOMBSTONED',
        'r2   incremental  running  2026-03-01 10:00:00Z  -                     -                      1/4 (25%)    1,234        -          -           0',
        'r1   full         loaded   2026-03-01 08:00:00Z  2026-03-01 08:30:00Z  2026-03-01 08:31:00Z  4/4 (100%)       50        3         47           2',
        '',
        'Run r1: reconcile incomplete: account: 1 window (5,000 documents) not compared: HTTP 503',
        '',
        'Latest run r2 by table:',
        '  TABLE      WINDOWS  RECORDS  WRITTEN  UNCHANGED  TOMBSTONED',
        '  account  1/4 (25%)    1,234        -          -           0',
        '  contact          -        -        -          -           0',
        '',
      ].join('\n'),
    );
  });
});
