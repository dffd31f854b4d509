import { describe, expect, it } from 'vitest';
import { readRun, readWatermark, timeOf } from './run-document.ts';

const D = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);

describe('run and watermark documents, read tolerantly', () => {
  it.each([
    {
      name: 'coordinator shape: tables keyed by name, sorted',
      doc: {
        _id: 'run-1', connection: 'acme', kind: 'full', status: 'failed', requestedBy: 'ops',
        startedAt: D('2026-03-01T10:00:00Z'), completedAt: null, failedAt: D('2026-03-01T10:05:00Z'), loadedAt: null,
        error: { code: 'RUN_TIMEOUT', message: 'too slow' },
        tables: {
          contact: { windowsDone: 1, windowsTotal: 2, records: 10, from: D('1753-01-01T00:00:00Z'), to: D('2026-03-01T09:59:00Z'), completedAt: null },
          account: { windowsDone: 2, windowsTotal: 2, records: 5, from: D('1753-01-01T00:00:00Z'), to: D('2026-03-01T09:59:00Z'), completedAt: D('2026-03-01T10:01:00Z') },
        },
      },
      tables: [
        ['account', 2, 2, 5, ms('2026-03-01T10:01:00Z')],
        ['contact', 1, 2, 10, null],
      ],
      error: { code: 'RUN_TIMEOUT', message: 'too slow' },
    },
    {
      name: 'array shape and missing fields',
      doc: { _id: 'run-2', tables: [{ table: 'lead', windowsDone: '3', records: 7 }, 'junk'] },
      tables: [['lead', null, null, 7, null]],
      error: null,
    },
    { name: 'no tables at all', doc: { _id: 'run-3' }, tables: [], error: null },
  ])('readRun: $name', ({ doc, tables, error }) => {
    const r = readRun(doc);
    expect(r.tables.every((t) => t.tombstoned === 0)).toBe(true);
    expect(r.tables.map((t) => [t.table, t.windowsDone, t.windowsTotal, t.records, t.completedAtMs])).toEqual(tables);
    expect(r.error).toEqual(error);
    expect(r.runId).toBe(doc._id);
  });

  it('readRun: what the run did per table (run_loads and tombstones) and its reconciliation', () => {
    const doc = {
      _id: 'run-4', status: 'loaded', reconcile: 'incomplete', reconcileIncomplete: { contact: 'HTTP 503' }, tombstones: { account: 2 },
      tables: { account: { records: 100 }, contact: { records: 0, delta: { status: 'completed', deletes: 3 } }, lead: { records: 5 } },
    };
    const r = readRun(doc, new Map([['account', { written: 7, deleted: 2, unchanged: 93, older: 0, dead: 0 }]]));
    expect(r.tables.map((t) => [t.table, t.records, t.written, t.unchanged, t.tombstoned])).toEqual([
      ['account', 100, 7, 93, 2],
      ['contact', 0, 0, 0, 3], // nothing extracted: nothing to load
      ['lead', 5, null, null, 0], // not counted by the loader yet
    ]);
    expect(r.reconcile).toEqual({ state: 'incomplete', incomplete: [{ table: 'contact', reason: 'HTTP 503' }] });
  });

  it.each([
    [{ _id: 'acme/account', watermark: D('2026-03-01T10:00:00Z'), runId: 'r', updatedAt: D('2026-03-01T10:05:00Z') }, 'acme', 'account', ms('2026-03-01T10:00:00Z')],
    [{ _id: 'acme/a/b', watermark: 'garbage' }, 'acme', 'a/b', null],
    [{ _id: 'lonely' }, 'lonely', '', null],
  ])('readWatermark %#', (doc, connection, table, watermarkMs) => {
    expect(readWatermark(doc)).toMatchObject({ connection, table, watermarkMs });
  });

  it.each([
    [D('2026-01-01T00:00:00Z'), ms('2026-01-01T00:00:00Z')],
    [5, 5],
    ['2026-01-01T00:00:00Z', ms('2026-01-01T00:00:00Z')],
    ['not a date', null],
    [null, null],
    [{}, null],
  ])('timeOf(%s)', (v, out) => expect(timeOf(v)).toBe(out));

});
