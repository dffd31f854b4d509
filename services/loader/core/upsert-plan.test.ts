import { describe, expect, it } from 'vitest';
import { newestPerId, olderThanFilter, planUpserts, storedVersion, type IncomingRecord } from './upsert-plan.ts';
import { compareVersions } from './version.ts';

const rec = (id: string, version: number, modifiedOnMs: number, fields: Record<string, unknown> | null = { n: version }, runStartMs = 0): IncomingRecord => ({
  id,
  version: BigInt(version),
  modifiedOnMs,
  runStartMs,
  fields,
  meta: {},
});
const id = (n: bigint) => n;

describe('compareVersions', () => {
  it.each([
    [1, 0, 0, 2, 0, 0, -1],
    [2, 0, 0, 1, 0, 0, 1],
    [1, 5, 0, 1, 6, 0, -1],
    [1, 6, 0, 1, 5, 0, 1],
    [3, 1, 0, 3, 1, 0, 0],
    // versionnumber wins over modifiedon (a backdated modifiedon with a newer version is newer)
    [5, 100, 0, 4, 900, 0, 1],
    // same record re-read by a later run is newer; by an older run (replay) is older
    [3, 1, 20, 3, 1, 10, 1],
    [3, 1, 10, 3, 1, 20, -1],
    // the run never outranks the record's own version
    [2, 1, 99, 3, 1, 0, -1],
  ])('v%i@%i run %i vs v%i@%i run %i → %i', (va, ma, ra, vb, mb, rb, expected) => {
    expect(
      compareVersions({ version: BigInt(va), modifiedOnMs: ma, runStartMs: ra }, { version: BigInt(vb), modifiedOnMs: mb, runStartMs: rb }),
    ).toBe(expected);
  });
});

describe('newestPerId', () => {
  it.each([
    ['one record', [rec('a', 1, 0)], [['a', 1n]]],
    ['newer later', [rec('a', 1, 0), rec('a', 2, 0)], [['a', 2n]]],
    ['older later is dropped', [rec('a', 3, 0), rec('a', 2, 0)], [['a', 3n]]],
    ['ids independent', [rec('a', 3, 0), rec('b', 1, 0), rec('a', 4, 0), rec('b', 0, 0)], [['a', 4n], ['b', 1n]]],
  ])('%s', (_name, input, expected) => {
    expect(newestPerId(input).map((r) => [r.id, r.version])).toEqual(expected);
  });
});

describe('planUpserts', () => {
  it('guards each write with a strictly-older filter and replaces the whole document', () => {
    const [op] = planUpserts([rec('a', 7, 1000, { name: 'x' })], id);
    expect(op!.filter).toEqual(olderThanFilter('a', { version: 7n, modifiedOnMs: 1000, runStartMs: 0 }, id));
    expect(op!.replacement).toMatchObject({ _id: 'a', name: 'x', _sync: { version: 7n, deleted: false } });
    expect((op!.replacement._sync as { modifiedon: Date }).modifiedon).toEqual(new Date(1000));
  });

  it('turns a tombstone into a soft delete that keeps the version', () => {
    const [op] = planUpserts([rec('a', 1, 0), rec('a', 9, 5, null)], id);
    expect(op!.replacement).toEqual({ _id: 'a', _sync: { version: 9n, modifiedon: new Date(5), runStart: new Date(0), deleted: true } });
  });
});

describe('storedVersion', () => {
  it.each([
    [{ version: 7, modifiedon: new Date(5), runStart: new Date(9) }, { version: 7n, modifiedOnMs: 5, runStartMs: 9 }],
    [{ version: { toString: () => '9223372036854775807' }, modifiedon: new Date(5) }, { version: 9223372036854775807n, modifiedOnMs: 5, runStartMs: 0 }],
  ])('reads %o', (stored, expected) => {
    expect(storedVersion(stored)).toEqual(expected);
  });
});
