import { describe, expect, it } from 'vitest';
import { connectionFromDoc, partitionLag, requestsFromDoc } from './status-input.ts';

const D = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);

describe('connections and requests → status inputs', () => {
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

  it('reads pending requests and last fires', () => {
    const r = requestsFromDoc({
      _id: 'acme',
      pending: { full: { requestId: 'acme-full-1', kind: 'full', tables: 'all', requestedBy: 'admin', requestedAtMs: 1 }, incremental: null },
      lastFired: { incremental: 1_700_000_000_000 },
    });
    expect(r).toEqual({ connection: 'acme', pending: [{ kind: 'full', requestId: 'acme-full-1', requestedBy: 'admin' }], lastFiredMs: { full: null, incremental: 1_700_000_000_000 } });
  });

  it.each([
    [{ partition: 0, low: 0, high: 10, committed: -1 }, 10],
    [{ partition: 0, low: 4, high: 10, committed: -1 }, 6],
    [{ partition: 0, low: 0, high: 10, committed: 7 }, 3],
    [{ partition: 0, low: 8, high: 10, committed: 2 }, 2],
    [{ partition: 0, low: 0, high: 10, committed: 10 }, 0],
    [{ partition: 0, low: 0, high: 10, committed: 12 }, 0],
  ])('partitionLag(%o) = %s', (p, lag) => expect(partitionLag(p)).toBe(lag));
});
