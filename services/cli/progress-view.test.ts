import { describe, expect, it } from 'vitest';
import { changeLines, progressBar, renderFrame, runHeadline } from './progress-view.ts';
import type { RunStatus, StatusSnapshot, TableStatus } from './status-snapshot.ts';

describe('formatters', () => {
  it.each([
    [0, 10, true, '[░░░░░░░░░░]'],
    [0.25, 10, true, '[██░░░░░░░░]'],
    [0.999, 10, true, '[█████████░]'],
    [1, 4, true, '[████]'],
    [1.5, 4, false, '[####]'],
    [0.5, 4, false, '[##--]'],
    [-1, 4, false, '[----]'],
    [null, 4, false, '[----]'],
    [0.5, 0, false, '[-]'],
  ])('progressBar(%s, %s, unicode %s) = %s', (fraction, width, unicode, bar) => {
    expect(progressBar(fraction, width, unicode)).toBe(bar);
  });
});

const table = (name: string, done: number, total: number, records: number, rate: number | null, eta: number | null, outcome: Partial<TableStatus> = {}): TableStatus => ({
  table: name,
  windowsDone: done,
  windowsTotal: total,
  records,
  fraction: done / total,
  recordsPerSec: rate,
  etaSeconds: eta,
  written: 11_000,
  unchanged: 900,
  tombstoned: 0,
  ...outcome,
});
const runStatus = (over: Partial<RunStatus> = {}): RunStatus => ({
  runId: 'run-7',
  connection: 'acme',
  kind: 'full',
  status: 'running',
  startedAt: '2026-03-01T10:00:00.000Z',
  completedAt: null,
  failedAt: null,
  loadedAt: null,
  error: null,
  reconcile: { state: 'pending', incomplete: [] },
  elapsedSeconds: 65,
  windowsDone: 5,
  windowsTotal: 20,
  records: 12_345,
  fraction: 0.25,
  recordsPerSec: 1234.5,
  etaSeconds: 195,
  written: 11_000,
  unchanged: 900,
  tombstoned: 0,
  tables: [table('account', 3, 16, 12_000, 1200, 200), table('contact', 2, 4, 345, 34.5, 0, { written: null, unchanged: null })],
  ...over,
});
const snap = (runs: RunStatus[], over: Partial<StatusSnapshot> = {}): StatusSnapshot => ({ at: '2026-03-01T10:01:05.000Z', active: runs.some((r) => r.status === 'running'), runs, ...over });

describe('renderFrame', () => {
  it('lays out a running run: headline, one row per table with a bar, and a total', () => {
    expect(renderFrame(snap([runStatus()]), { columns: 120, unicode: false })).toEqual([
      'run-7 (acme, full) running since 2026-03-01 10:00:00Z, elapsed 1m05s',
      '  TABLE    PROGRESS                   WINDOWS  RECORDS     RATE    ETA  WRITTEN  UNCHANGED  TOMBSTONED',
      '  account  [###-----------------]  3/16 (18%)   12,000  1,200/s  3m20s   11,000        900           0',
      '  contact  [##########----------]   2/4 (50%)      345     35/s   done        -          -           0',
      '  total    [#####---------------]  5/20 (25%)   12,345  1,235/s  3m15s   11,000        900           0',
    ]);
  });

  it('shows an incomplete delete reconciliation with its reasons under the headline', () => {
    const loaded = runStatus({
      status: 'loaded', completedAt: '2026-03-01T10:01:05.000Z', loadedAt: '2026-03-01T10:01:09.000Z', tombstoned: 7,
      reconcile: { state: 'incomplete', incomplete: [{ table: 'account', reason: '1 window not compared: HTTP 503' }] },
      tables: [table('account', 16, 16, 12_000, null, 0, { tombstoned: 7 })],
    });
    expect(renderFrame(snap([loaded]), { unicode: false })).toEqual([
      'run-7 (acme, full) completed 2026-03-01 10:01:05Z in 1m05s, loaded 2026-03-01 10:01:09Z',
      '  reconcile incomplete: account: 1 window not compared: HTTP 503',
      '  TABLE    PROGRESS                               WINDOWS  RECORDS  RATE   ETA  WRITTEN  UNCHANGED  TOMBSTONED',
      '  account  [##############################]  16/16 (100%)   12,000     -  done   11,000        900           7',
    ]);
  });

  it('shows a failed run with its error and the watermarks, escapes control characters and cuts long lines', () => {
    const failed = runStatus({ status: 'failed', failedAt: '2026-03-01T10:01:05.000Z', error: 'AUTH_CONSENT_REVOKED: \u001b[2Jreconnect', tables: [table('account', 3, 16, 12_000, null, null)] });
    const lines = renderFrame(
      snap([failed], { watermarks: [{ connection: 'acme', table: 'account', watermark: '2026-02-28T02:00:00.000Z', runId: 'run-6', updatedAt: null }] }),
      { columns: 40, unicode: false },
    );
    expect(lines[0]).toBe('run-7 (acme, full) failed at 2026-03-01 ');
    expect(lines[1]).toBe('  error: AUTH_CONSENT_REVOKED: \\x1b[2Jre');
    expect(lines).toContain('Watermarks:');
    expect(lines.at(-1)).toBe('  acme        account  2026-02-28 02:00:');
    expect(lines.every((l) => l.length <= 40 && !l.includes('\u001b'))).toBe(true);
  });

  it.each<[string, Partial<RunStatus>, string]>([
    ['completed, loading', { status: 'completed', completedAt: '2026-03-01T10:01:05.000Z' }, 'run-7 (acme, full) completed 2026-03-01 10:01:05Z in 1m05s, loading into MongoDB'],
    ['loaded', { status: 'loaded', completedAt: '2026-03-01T10:01:05.000Z', loadedAt: '2026-03-01T10:01:09.000Z' }, 'run-7 (acme, full) completed 2026-03-01 10:01:05Z in 1m05s, loaded 2026-03-01 10:01:09Z'],
    ['unknown status', { status: null, connection: null, kind: null }, 'run-7 status unknown, started 2026-03-01 10:00:00Z'],
  ])('headline of a %s run', (_name, over, text) => {
    expect(runHeadline(runStatus(over))).toBe(text);
  });

  it('cuts nothing without a width (not a terminal); a finished run without tables shows no table', () => {
    const long = runStatus({ runId: `run-${'x'.repeat(120)}`, status: 'failed', error: 'RUN_TIMEOUT: late', tables: [] });
    const lines = renderFrame(snap([long]), { unicode: false });
    expect(lines).toEqual([runHeadline(long), '  error: RUN_TIMEOUT: late']);
    expect(lines[0]!.length).toBeGreaterThan(120);
  });

  it('a run without tables yet, and "no watermark" when none exists', () => {
    const lines = renderFrame(snap([runStatus({ tables: [], windowsDone: null, windowsTotal: null, records: null, written: null, unchanged: null, fraction: null, recordsPerSec: null, etaSeconds: null })], { watermarks: [] }), { unicode: false });
    expect(lines.slice(1)).toEqual([
      '  TABLE           PROGRESS                          WINDOWS  RECORDS  RATE  ETA  WRITTEN  UNCHANGED  TOMBSTONED',
      '  (no table yet)  [------------------------------]        -        -     -    -        -          -           0',
      'No watermark yet: no run has completed a table.',
    ]);
  });
});

describe('changeLines', () => {
  const first = snap([runStatus()]);
  it('prints every table and the run on the first reading', () => {
    expect(changeLines(undefined, first)).toEqual([
      '2026-03-01 10:01:05Z run-7 account windows 3/16 (18%) records 12,000 rate 1,200/s eta 3m20s written 11,000 unchanged 900 tombstoned 0',
      '2026-03-01 10:01:05Z run-7 contact windows 2/4 (50%) records 345 rate 35/s eta done written - unchanged - tombstoned 0',
      '2026-03-01 10:01:05Z run-7 running windows 5/20 (25%) records 12,345 rate 1,235/s eta 3m15s written 11,000 unchanged 900 tombstoned 0',
    ]);
  });

  it('prints nothing when no count changed (rates alone do not count)', () => {
    expect(changeLines(first, snap([runStatus({ recordsPerSec: 1, etaSeconds: 9 })], { at: '2026-03-01T10:01:06.000Z' }))).toEqual([]);
  });

  it('prints only the changed table and the run', () => {
    const next = runStatus({ windowsDone: 6, records: 12_400, tables: [table('account', 4, 16, 12_055, 55, 100), table('contact', 2, 4, 345, 0, 0, { written: null, unchanged: null })] });
    expect(changeLines(first, snap([next], { at: '2026-03-01T10:01:06.000Z' }))).toEqual([
      '2026-03-01 10:01:06Z run-7 account windows 4/16 (25%) records 12,055 rate 55/s eta 1m40s written 11,000 unchanged 900 tombstoned 0',
      '2026-03-01 10:01:06Z run-7 running windows 6/20 (30%) records 12,400 rate 1,235/s eta 3m15s written 11,000 unchanged 900 tombstoned 0',
    ]);
  });

  it('prints a table whose loader counts alone changed', () => {
    const next = runStatus({ tables: [table('account', 3, 16, 12_000, 1200, 200), table('contact', 2, 4, 345, 34.5, 0, { written: 300, unchanged: 45 })] });
    expect(changeLines(first, snap([next], { at: '2026-03-01T10:01:06.000Z' }))).toEqual([
      '2026-03-01 10:01:06Z run-7 contact windows 2/4 (50%) records 345 rate 35/s eta done written 300 unchanged 45 tombstoned 0',
    ]);
  });

  it.each<[string, Partial<RunStatus>, string]>([
    ['completed', { status: 'completed', elapsedSeconds: 90 }, '2026-03-01 10:01:06Z run-7 completed windows 5/20 (25%) records 12,345 in 1m30s written 11,000 unchanged 900 tombstoned 0'],
    ['failed', { status: 'failed', error: 'RUN_TIMEOUT: too long\n' }, '2026-03-01 10:01:06Z run-7 failed windows 5/20 (25%) records 12,345 in 1m05s written 11,000 unchanged 900 tombstoned 0 error RUN_TIMEOUT: too long\\x0a'],
  ])('prints the outcome of a %s run', (_name, over, line) => {
    expect(changeLines(first, snap([runStatus(over)], { at: '2026-03-01T10:01:06.000Z' }))).toEqual([line]);
  });
});
