import { describe, expect, it } from 'vitest';
import { countOf, loadsByRun, reconcileNote, reconcileOutcome, runLoadsFilter, tableCounts, totalOutcome, type RecordOutcome, type TableCounts } from './run-counts.ts';
import type { LoadCounts } from './run-loads.ts';

const loads = (written: number, unchanged: number): LoadCounts => ({ written, deleted: 0, unchanged, older: 0, dead: 0 });

describe('tableCounts', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, Map<string, LoadCounts> | undefined, TableCounts]>([
    ['a loaded table: extracted, written and unchanged', {}, { records: 1000 }, new Map([['account', loads(10, 990)]]), { extracted: 1000, written: 10, unchanged: 990, tombstoned: 0 }],
    ['nothing counted by the loader yet: unknown', {}, { records: 1000 }, new Map(), { extracted: 1000, written: null, unchanged: null, tombstoned: 0 }],
    ['nothing extracted, nothing to load: zeros', {}, { records: 0 }, undefined, { extracted: 0, written: 0, unchanged: 0, tombstoned: 0 }],
    ['tombstoned = reconciliation + delta deletes', { tombstones: { account: 3, contact: 9 } }, { records: 5, delta: { status: 'completed', deletes: 2 } }, undefined, { extracted: 5, written: null, unchanged: null, tombstoned: 5 }],
    ['a delta that is null or without deletes counts 0', { tombstones: {} }, { records: 5, delta: null }, undefined, { extracted: 5, written: null, unchanged: null, tombstoned: 0 }],
    ['fields of the wrong type are unknown, never an error', { tombstones: 'x' }, { records: 'many', delta: 3 }, undefined, { extracted: null, written: null, unchanged: null, tombstoned: 0 }],
    ['BSON Longs and bigints are counts', { tombstones: { account: 4n } }, { records: { toNumber: () => 7 } }, undefined, { extracted: 7, written: null, unchanged: null, tombstoned: 4 }],
  ])('%s', (_name, run, entry, byTable, expected) => {
    expect(tableCounts(run, 'account', entry, byTable)).toEqual(expected);
  });
});

describe('totalOutcome', () => {
  it.each<[string, RecordOutcome[], RecordOutcome]>([
    ['sums', [{ written: 1, unchanged: 4, tombstoned: 1 }, { written: 2, unchanged: 5, tombstoned: 2 }], { written: 3, unchanged: 9, tombstoned: 3 }],
    ['a count known for some tables: the sum of those', [{ written: null, unchanged: null, tombstoned: 0 }, { written: 0, unchanged: 2, tombstoned: 0 }], { written: 0, unchanged: 2, tombstoned: 0 }],
    ['unknown everywhere stays unknown', [{ written: null, unchanged: null, tombstoned: 0 }], { written: null, unchanged: null, tombstoned: 0 }],
    ['no table', [], { written: null, unchanged: null, tombstoned: 0 }],
  ])('%s', (_name, tables, expected) => {
    expect(totalOutcome(tables)).toEqual(expected);
  });
});

describe('reconcileOutcome', () => {
  it.each<[string, Record<string, unknown>, { state: string | null; incomplete: { table: string; reason: string }[] }, string | null]>([
    ['done', { reconcile: 'done', reconcileIncomplete: {} }, { state: 'done', incomplete: [] }, null],
    ['incomplete, reasons by table name', { reconcile: 'incomplete', reconcileIncomplete: { lead: 'HTTP 503', account: 'gave up', bad: 3 } }, { state: 'incomplete', incomplete: [{ table: 'account', reason: 'gave up' }, { table: 'lead', reason: 'HTTP 503' }] }, 'reconcile incomplete: account: gave up; lead: HTTP 503'],
    ['incomplete without reasons', { reconcile: 'incomplete' }, { state: 'incomplete', incomplete: [] }, 'reconcile incomplete: no reason recorded'],
    ['a run document without the field', {}, { state: null, incomplete: [] }, null],
  ])('%s', (_name, run, expected, note) => {
    expect(reconcileOutcome(run)).toEqual(expected);
    expect(reconcileNote(reconcileOutcome(run))).toBe(note);
  });
});

describe('run_loads', () => {
  it('one _id range per run', () => {
    expect(runLoadsFilter(['r1', 'r2', 'r1'])).toEqual({ $or: [{ _id: { $gte: 'r1/', $lt: 'r10' } }, { _id: { $gte: 'r2/', $lt: 'r20' } }] });
  });

  it('groups documents by run and table, skipping malformed ones', () => {
    const byRun = loadsByRun([
      { _id: 'r1/account', runId: 'r1', table: 'account', written: 3, deleted: 1, unchanged: 5, older: 0, dead: 0 },
      { _id: 'r1/contact', runId: 'r1', table: 'contact', written: 2 },
      { _id: 'r2/account', runId: 'r2', table: 'account', written: { toNumber: () => 9 }, unchanged: 'x' },
      { _id: 'junk', written: 1 },
    ]);
    expect([...byRun.keys()]).toEqual(['r1', 'r2']);
    expect(byRun.get('r1')!.get('account')).toEqual({ written: 3, deleted: 1, unchanged: 5, older: 0, dead: 0 });
    expect(byRun.get('r1')!.get('contact')).toEqual({ written: 2, deleted: 0, unchanged: 0, older: 0, dead: 0 });
    expect(byRun.get('r2')!.get('account')).toEqual({ written: 9, deleted: 0, unchanged: 0, older: 0, dead: 0 });
  });

  it.each([[3, 3], [Number.NaN, null], ['3', null], [null, null]])('countOf(%j) = %j', (v, expected) => {
    expect(countOf(v)).toBe(expected);
  });
});
