import { describe, expect, it } from 'vitest';
import { connectionFromDoc, partitionLag, requestsFromDoc, runFromDoc, timeOf, watermarkFromDoc } from './status-input.ts';

const D = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);

describe('state documents → status inputs', () => {
  it('keeps only the whitelisted fields of a connection', () => {
    const doc = {
      _id: 'acme',
      orgUrl: 'https://acme.crm4.dynamics.com',
      tenantId: 'contoso.onmicrosoft.com',
      clientId: '11111111-2222-3333-4444-555555555555',
      flow: 'delegated',
      tables: ['account', 'contact'],
      schedule: { full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'UTC' },
      createdAt: D('2026-01-01T00:00:00Z'),
      updatedAt: D('2026-01-02T00:00:00Z'),
      clientSecret: 'must-never-show', // a field some later version might add
      tokenCache: { refresh_token: 'must-never-show' },
    };
    const c = connectionFromDoc(doc);
    expect(c).toEqual({
      id: 'acme',
      orgUrl: 'https://acme.crm4.dynamics.com',
      flow: 'delegated',
      tables: ['account', 'contact'],
      schedule: { full: '0 2 * * *', incremental: '0 */2 * * *', timeZone: 'UTC' },
      updatedAtMs: ms('2026-01-02T00:00:00Z'),
    });
    expect(JSON.stringify(c)).not.toContain('must-never-show');
  });

  it.each([
    [{ _id: 'x', tables: 'all' }, 'all', null],
    [{ _id: 'x', tables: 42, schedule: 'nope' }, [], null],
    [{ _id: 'x', tables: ['a', 3, 'b'], schedule: { full: 1 } }, ['a', 'b'], { full: '', incremental: '', timeZone: '' }],
  ])('tolerates odd connection fields %#', (doc, tables, schedule) => {
    const c = connectionFromDoc(doc);
    expect(c.tables).toEqual(tables);
    expect(c.schedule).toEqual(schedule);
    expect(c.orgUrl).toBeNull();
  });

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
      tables: [['lead', 0, 0, 7, null]],
      error: null,
    },
    { name: 'no tables at all', doc: { _id: 'run-3' }, tables: [], error: null },
  ])('runFromDoc: $name', ({ doc, tables, error }) => {
    const r = runFromDoc(doc);
    expect(r.tables.every((t) => t.tombstoned === 0)).toBe(true);
    expect(r.tables.map((t) => [t.table, t.windowsDone, t.windowsTotal, t.records, t.completedAtMs])).toEqual(tables);
    expect(r.error).toEqual(error);
    expect(r.runId).toBe(doc._id);
  });

  it('runFromDoc: what the run did per table (run_loads and tombstones) and its reconciliation', () => {
    const doc = {
      _id: 'run-4', status: 'loaded', reconcile: 'incomplete', reconcileIncomplete: { contact: 'HTTP 503' }, tombstones: { account: 2 },
      tables: { account: { records: 100 }, contact: { records: 0, delta: { status: 'completed', deletes: 3 } }, lead: { records: 5 } },
    };
    const r = runFromDoc(doc, new Map([['account', { written: 7, deleted: 2, unchanged: 93, older: 0, dead: 0 }]]));
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
  ])('watermarkFromDoc %#', (doc, connection, table, watermarkMs) => {
    expect(watermarkFromDoc(doc)).toMatchObject({ connection, table, watermarkMs });
  });

  it('reads pending requests and last fires', () => {
    const r = requestsFromDoc({
      _id: 'acme',
      pending: { full: { requestId: 'acme-full-1', kind: 'full', tables: 'all', requestedBy: 'admin', requestedAtMs: 1 }, incremental: null },
      lastFired: { incremental: 1_700_000_000_000 },
    });
    expect(r).toEqual({ connection: 'acme', pending: [{ kind: 'full', requestId: 'acme-full-1', requestedBy: 'admin' }], lastFiredMs: { full: null, incremental: 1_700_000_000_000 } });
  });

  it.each([
    [D('2026-01-01T00:00:00Z'), ms('2026-01-01T00:00:00Z')],
    [5, 5],
    ['2026-01-01T00:00:00Z', ms('2026-01-01T00:00:00Z')],
    ['not a date', null],
    [null, null],
    [{}, null],
  ])('timeOf(%s)', (v, out) => expect(timeOf(v)).toBe(out));

  it.each([
    [{ partition: 0, low: 0, high: 10, committed: -1 }, 10],
    [{ partition: 0, low: 4, high: 10, committed: -1 }, 6],
    [{ partition: 0, low: 0, high: 10, committed: 7 }, 3],
    [{ partition: 0, low: 8, high: 10, committed: 2 }, 2],
    [{ partition: 0, low: 0, high: 10, committed: 10 }, 0],
    [{ partition: 0, low: 0, high: 10, committed: 12 }, 0],
  ])('partitionLag(%o) = %s', (p, lag) => expect(partitionLag(p)).toBe(lag));
});
