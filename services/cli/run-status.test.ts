import { describe, expect, it } from 'vitest';
import { normalizeRun, normalizeWatermark } from './run-status.ts';

describe('normalizeRun', () => {
  it('reads a complete run and sums its tables', () => {
    const run = normalizeRun({
      _id: 'r1',
      connection: 'acme',
      kind: 'incremental',
      status: 'running',
      startedAt: new Date('2026-03-01T10:00:00Z'),
      completedAt: '2026-03-01T10:30:00Z',
      tables: [
        { table: 'account', windowsDone: 1, windowsTotal: 4, records: 100 },
        { table: 'contact', windowsDone: 2, windowsTotal: 2, records: 5 },
      ],
    });
    expect(run).toMatchObject({ runId: 'r1', connection: 'acme', kind: 'incremental', status: 'running', windowsDone: 3, windowsTotal: 6, records: 105 });
    expect(run.startedAt?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(run.completedAt?.toISOString()).toBe('2026-03-01T10:30:00.000Z');
    expect(run.loadedAt).toBeUndefined();
  });

  it.each([
    [{ _id: 'r2' }, { runId: 'r2', kind: undefined, status: undefined, tables: [], windowsDone: undefined, windowsTotal: undefined, records: undefined }],
    [{ _id: 'r3', tables: 'oops', startedAt: 'garbage' }, { runId: 'r3', tables: [], startedAt: undefined }],
    [{ _id: 'r4', tables: [null, 7, { windowsDone: '3' }, { table: 'x', records: 2 }] }, { tables: [{ table: '?', windowsDone: undefined, windowsTotal: undefined, records: undefined }, { table: 'x', windowsDone: undefined, windowsTotal: undefined, records: 2 }], records: 2 }],
    [{ _id: 'r6', tables: { contact: { windowsDone: 2, windowsTotal: 2, records: 7 }, account: { windowsDone: 1, windowsTotal: 3, records: 5 }, bad: 3 } }, { tables: [{ table: 'account', windowsDone: 1, windowsTotal: 3, records: 5 }, { table: 'contact', windowsDone: 2, windowsTotal: 2, records: 7 }], windowsDone: 3, windowsTotal: 5, records: 12 }],
    [{ _id: 'r7', status: 'failed', error: { code: 'AUTH_CONSENT_REVOKED', message: 'run dynsync connect' } }, { status: 'failed', error: 'AUTH_CONSENT_REVOKED: run dynsync connect' }],
    [{ runId: 'r5', tables: [{ table: 'y', records: { toNumber: () => 9 } }] }, { runId: 'r5', records: 9 }],
  ])('tolerates missing or odd fields: %j', (doc, expected) => {
    expect(normalizeRun(doc as Record<string, unknown>)).toMatchObject(expected);
  });
});

describe('watermarks', () => {
  it('takes the table from the _id and tolerates missing fields', () => {
    expect(normalizeWatermark({ _id: 'acme/account', watermark: new Date('2026-03-01T10:00:00Z'), runId: 'r1' })).toEqual({
      table: 'account',
      watermark: new Date('2026-03-01T10:00:00Z'),
      runId: 'r1',
      updatedAt: undefined,
    });
    expect(normalizeWatermark({ _id: 'acme/contact', watermark: 'bad' }).watermark).toBeUndefined();
  });
});
