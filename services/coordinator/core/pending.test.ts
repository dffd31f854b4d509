import { describe, expect, it } from 'vitest';
import { addRequest, NO_PENDING, takeStartable, type Pending, type RunRequest, type TableSelection } from './pending.ts';

const req = (kind: 'full' | 'incremental', tables: TableSelection, id = `${kind}-${String(tables)}`, by = 'ops'): RunRequest => ({ requestId: id, kind, tables, requestedBy: by, requestedAtMs: 0 });
const show = (p: Pending) => ({ full: p.full && p.full.tables, incremental: p.incremental && p.incremental.tables });

describe('addRequest (coalescing)', () => {
  it.each([
    ['first incremental', [req('incremental', ['account'])], { full: null, incremental: ['account'] }],
    ['incrementals coalesce into one', [req('incremental', ['b']), req('incremental', ['a'])], { full: null, incremental: ['a', 'b'] }],
    ['incremental all absorbs lists', [req('incremental', ['a']), req('incremental', 'all')], { full: null, incremental: 'all' }],
    ['full all supersedes the pending incremental', [req('incremental', ['a']), req('full', 'all')], { full: 'all', incremental: null }],
    ['full of some tables removes them from the incremental', [req('incremental', ['a', 'b']), req('full', ['a'])], { full: ['a'], incremental: ['b'] }],
    ['an incremental covered by a pending full is dropped', [req('full', 'all'), req('incremental', ['a'])], { full: 'all', incremental: null }],
    ['an incremental not covered stays', [req('full', ['a']), req('incremental', ['b'])], { full: ['a'], incremental: ['b'] }],
    ['fulls coalesce', [req('full', ['a']), req('full', ['b'])], { full: ['a', 'b'], incremental: null }],
  ] as const)('%s', (_n, requests, expected) => {
    const p = (requests as readonly RunRequest[]).reduce(addRequest, NO_PENDING);
    expect(show(p)).toEqual(expected);
  });

  it('keeps the first request id (the run id) and lists every requester once', () => {
    const p = [req('incremental', ['a'], 'r1', 'alice'), req('incremental', ['b'], 'r2', 'bob'), req('incremental', ['c'], 'r3', 'alice')].reduce(addRequest, NO_PENDING);
    expect(p.incremental).toMatchObject({ requestId: 'r1', requestedBy: 'alice, bob' });
  });
});

describe('takeStartable (one run per table)', () => {
  const both: Pending = { full: req('full', ['a']), incremental: req('incremental', ['b']) };
  it.each([
    ['nothing busy: full first', both, [], 'full', { full: null, incremental: ['b'] }],
    ['full blocked, so nothing else starts before it', both, ['a'], null, { full: ['a'], incremental: ['b'] }],
    ['incremental alone, free', { full: null, incremental: req('incremental', ['b']) }, ['a'], 'incremental', { full: null, incremental: null }],
    ['incremental blocked', { full: null, incremental: req('incremental', ['b']) }, ['b'], null, { full: null, incremental: ['b'] }],
    ['all is blocked by any busy table', { full: null, incremental: req('incremental', 'all') }, ['z'], null, { full: null, incremental: 'all' }],
    ['nothing pending', NO_PENDING, [], null, { full: null, incremental: null }],
  ] as const)('%s', (_n, pending, busy, kind, left) => {
    const { start, pending: after } = takeStartable(pending as Pending, new Set(busy));
    expect(start?.kind ?? null).toBe(kind);
    expect(show(after)).toEqual(left);
  });
});
