import { describe, expect, it } from 'vitest';
import { normalizeRun, type WatermarkView } from './run-status.ts';
import { buildSnapshot, statusExitCode, type StatusSnapshot } from './status-snapshot.ts';
import type { History } from '../shared/run-progress.ts';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const run = (status: string, account: [number, number, number], contact: [number, number, number], extra: Record<string, unknown> = {}) =>
  normalizeRun({
    _id: 'run-1',
    connection: 'acme',
    kind: 'full',
    status,
    startedAt: new Date(T0),
    tables: {
      account: { windowsDone: account[0], windowsTotal: account[1], records: account[2] },
      contact: { windowsDone: contact[0], windowsTotal: contact[1], records: contact[2] },
    },
    ...extra,
  });

describe('buildSnapshot', () => {
  it('measures rate and ETA from successive readings, per table and for the run', () => {
    let history: History = new Map();
    const readings: [number, ReturnType<typeof run>][] = [
      [10, run('running', [1, 8, 100], [0, 2, 0])],
      [20, run('running', [2, 8, 600], [1, 2, 50])],
      [30, run('running', [4, 8, 1100], [1, 2, 50])],
    ];
    let snap: StatusSnapshot | undefined;
    for (const [sec, r] of readings) ({ snapshot: snap, history } = buildSnapshot([r], history, T0 + sec * 1000));
    const [view] = snap!.runs;
    expect(snap!.at).toBe('2026-03-01T10:00:30.000Z');
    expect(snap!.active).toBe(true);
    expect(snap!.watermarks).toBeUndefined();
    expect(view).toMatchObject({ runId: 'run-1', connection: 'acme', kind: 'full', status: 'running', startedAt: '2026-03-01T10:00:00.000Z', elapsedSeconds: 30, windowsDone: 5, windowsTotal: 10, records: 1150, fraction: 0.5 });
    // run: records over the last 10 s 1150-650 = 500 → 50/s; windows 5-1 = 4 in 20 s → 5 left take 25 s
    expect(view!.recordsPerSec).toBe(50);
    expect(view!.etaSeconds).toBe(25);
    const [account, contact] = view!.tables;
    expect(account).toEqual({ table: 'account', windowsDone: 4, windowsTotal: 8, records: 1100, written: null, unchanged: null, tombstoned: 0, fraction: 0.5, recordsPerSec: 50, etaSeconds: 27 });
    // account: windows 3 in 20 s → 4 left take 26.7 s; contact: no window finished in the last 10 s → rate 0; windows 1 in 20 s → 1 left takes 20 s
    expect(contact).toEqual({ table: 'contact', windowsDone: 1, windowsTotal: 2, records: 50, written: null, unchanged: null, tombstoned: 0, fraction: 0.5, recordsPerSec: 0, etaSeconds: 20 });
  });

  it.each<[string, ReturnType<typeof run>, number, Partial<StatusSnapshot['runs'][number]>]>([
    ['completed', run('completed', [8, 8, 10], [2, 2, 5], { completedAt: new Date(T0 + 90_000) }), 0, { status: 'completed', completedAt: '2026-03-01T10:01:30.000Z', elapsedSeconds: 90, fraction: 1, etaSeconds: 0, recordsPerSec: null }],
    ['loaded', run('loaded', [8, 8, 10], [2, 2, 5], { completedAt: new Date(T0 + 60_000), loadedAt: new Date(T0 + 70_000) }), 0, { status: 'loaded', loadedAt: '2026-03-01T10:01:10.000Z', elapsedSeconds: 60 }],
    [
      'failed',
      run('failed', [3, 8, 10], [2, 2, 5], { failedAt: new Date(T0 + 5_000), error: { code: 'AUTH_CONSENT_REVOKED', message: 'reconnect' } }),
      1,
      { status: 'failed', error: 'AUTH_CONSENT_REVOKED: reconnect', failedAt: '2026-03-01T10:00:05.000Z', elapsedSeconds: 5, etaSeconds: null, recordsPerSec: null },
    ],
    ['running (--once)', run('running', [3, 8, 10], [0, 2, 0]), 0, { status: 'running' }],
  ])('a %s run: its outcome, exit code and the watermarks once nothing runs', (_name, r, code, expected) => {
    const marks = new Map<string, WatermarkView[]>([['acme', [{ table: 'account', watermark: new Date(T0), runId: 'run-1', updatedAt: undefined }]]]);
    const { snapshot } = buildSnapshot([r], new Map(), T0 + 120_000, marks);
    expect(snapshot.runs[0]).toMatchObject(expected);
    expect(statusExitCode(snapshot)).toBe(code);
    if (snapshot.active) expect(snapshot.watermarks).toBeUndefined();
    else expect(snapshot.watermarks).toEqual([{ connection: 'acme', table: 'account', watermark: '2026-03-01T10:00:00.000Z', runId: 'run-1', updatedAt: null }]);
  });

  it('carries the loader\'s counts, the tombstones and the reconciliation of a loaded full run', () => {
    const doc = {
      _id: 'run-1', kind: 'full', status: 'loaded', startedAt: new Date(T0), completedAt: new Date(T0 + 60_000), loadedAt: new Date(T0 + 70_000),
      tables: { account: { windowsDone: 8, windowsTotal: 8, records: 1000 }, contact: { windowsDone: 2, windowsTotal: 2, records: 10, delta: { status: 'completed', deletes: 1 } } },
      reconcile: 'incomplete', tombstones: { account: 4, contact: 0 }, reconcileIncomplete: { contact: 'HTTP 503' },
    };
    const loads = new Map([['account', { written: 12, deleted: 4, unchanged: 988, older: 0, dead: 0 }], ['contact', { written: 10, deleted: 1, unchanged: 0, older: 0, dead: 0 }]]);
    const [view] = buildSnapshot([normalizeRun(doc, loads)], new Map(), T0 + 120_000).snapshot.runs;
    expect(view).toMatchObject({ records: 1010, written: 22, unchanged: 988, tombstoned: 5, reconcile: { state: 'incomplete', incomplete: [{ table: 'contact', reason: 'HTTP 503' }] } });
    expect(view!.tables.map((t) => [t.table, t.records, t.written, t.unchanged, t.tombstoned])).toEqual([['account', 1000, 12, 988, 4], ['contact', 10, 10, 0, 1]]);
  });

  it('gives nulls for what the state DB does not say', () => {
    const { snapshot } = buildSnapshot([normalizeRun({ _id: 'r', tables: [{ table: 'x' }] })], new Map(), T0);
    expect(snapshot).toEqual({
      at: '2026-03-01T10:00:00.000Z',
      active: false,
      runs: [
        {
          runId: 'r', connection: null, kind: null, status: null, startedAt: null, completedAt: null, failedAt: null, loadedAt: null, error: null, elapsedSeconds: null,
          reconcile: { state: null, incomplete: [] },
          windowsDone: null, windowsTotal: null, records: null, written: null, unchanged: null, tombstoned: 0, fraction: null, recordsPerSec: null, etaSeconds: null,
          tables: [{ table: 'x', windowsDone: null, windowsTotal: null, records: null, written: null, unchanged: null, tombstoned: 0, fraction: null, recordsPerSec: null, etaSeconds: null }],
        },
      ],
    });
    expect(statusExitCode({ at: '', active: false, runs: [] })).toBe(0);
  });
});
