import { describe, expect, it } from 'vitest';
import { decodeRecordHeaders } from '../../contracts/record-headers.ts';
import { coPartitionedAssignment } from './assignment.ts';
import { isLoaded, notLoaded } from './loaded.ts';
import { commandRequestId, scheduleRequestId } from './request-id.ts';
import { tombstoneFor } from './tombstone.ts';
import { advances, afterCommit, deltaLinkReplaceableBy, watermarkReplaceableBy } from './watermark.ts';

describe('watermark rule (Invariant 2)', () => {
  it.each([
    [null, 1000, true, 1000],
    [1000, 2000, true, 2000],
    [2000, 2000, false, 2000],
    [3000, 2000, false, 3000],
  ])('current %s, candidate %d → advances %s, stored %d', (current, candidate, adv, stored) => {
    expect(advances(current, candidate)).toBe(adv);
    expect(afterCommit(current, candidate)).toBe(stored);
    // the guarded update's filter matches exactly when the rule lets the candidate in
    const { $or } = watermarkReplaceableBy(new Date(candidate));
    const matches = current === null ? $or[1].watermark.$exists === false : new Date(current) < $or[0].watermark.$lt;
    expect(matches).toBe(adv);
  });

  it.each([
    [1000, 2000, true],
    [2000, 2000, true],
    [3000, 2000, false],
  ])('a delta link stored by a run started at %d is replaced by one started at %d: %s', (stored, candidate, replaced) => {
    expect(new Date(stored) <= deltaLinkReplaceableBy(new Date(candidate)).runStart.$lte).toBe(replaced);
  });
});

describe('coPartitionedAssignment', () => {
  it.each([
    ['one member gets everything', ['m1'], { 'sync.coordinator': [0, 1, 2], 'sync.commands': [0, 1, 2] }, { m1: { 'sync.coordinator': [0, 1, 2], 'sync.commands': [0, 1, 2] } }],
    ['same partition numbers go together', ['m2', 'm1'], { 'sync.coordinator': [0, 1, 2], 'sync.commands': [2, 1, 0] }, {
      m1: { 'sync.coordinator': [0, 2], 'sync.commands': [0, 2] },
      m2: { 'sync.coordinator': [1], 'sync.commands': [1] },
    }],
    ['more members than partitions', ['a', 'b', 'c'], { t: [0, 1] }, { a: { t: [0] }, b: { t: [1] }, c: {} }],
  ])('%s', (_n, members, topics, expected) => expect(coPartitionedAssignment(members, topics)).toEqual(expected));
});

describe('loaded', () => {
  const produced = [
    { topic: 't1', partition: 0, offset: 10 },
    { topic: 't1', partition: 1, offset: 3 },
  ];
  it.each([
    ['nothing committed', new Map(), false, 2],
    ['one partition behind', new Map([['t1', new Map([[0, 10], [1, 2]])]]), false, 1],
    ['all at the end', new Map([['t1', new Map([[0, 10], [1, 3]])]]), true, 0],
    ['past the end', new Map([['t1', new Map([[0, 99], [1, 99]])]]), true, 0],
  ])('%s', (_n, committed, loaded, behind) => {
    expect(isLoaded(produced, committed)).toBe(loaded);
    expect(notLoaded(produced, committed)).toHaveLength(behind);
  });
  it('a run that produced nothing is loaded', () => expect(isLoaded([], new Map())).toBe(true));
});

describe('reconciliation tombstones', () => {
  const T0 = Date.UTC(2026, 5, 1);
  it('carries the stored version and modifiedon with the run T0, readable by the loader', () => {
    const t = tombstoneFor({ id: 'abc', version: 12345678901234n, modifiedOnMs: T0 - 5000 }, { runId: 'r9', runStartMs: T0 }, 'account');
    expect(t.key).toBe('abc');
    expect(t.value).toBeNull();
    expect(decodeRecordHeaders(t.headers)).toEqual({ runId: 'r9', taskId: 'r9/account/reconcile', syncKind: 'full', runStartMs: T0, modifiedOnMs: T0 - 5000, version: 12345678901234n });
  });
});

describe('request ids', () => {
  it.each([
    [commandRequestId('c1', 'incremental', Date.UTC(2026, 0, 1, 10, 0, 0, 500), 3, '42'), 'c1-incremental-20260101T100000Z-c3o42'],
    [scheduleRequestId('c1', 'full', Date.UTC(2026, 0, 1, 2)), 'c1-full-20260101T020000Z-s'],
  ])('%s', (id, expected) => expect(id).toBe(expected));
});
