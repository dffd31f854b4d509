import { describe, expect, it } from 'vitest';
import { newestPerId, planUpserts, storedKey, type IncomingRecord } from './upsert-plan.ts';

const rec = (id: string, version: number, modifiedOnMs: number, fields: Record<string, unknown> | null = { n: version }, runStartMs = 0, hash = `h${version}`): IncomingRecord => ({
  id,
  version: BigInt(version),
  modifiedOnMs,
  runStartMs,
  hash,
  fields,
  meta: { runId: 'r1' },
});
const id = (n: bigint) => n;

describe('newestPerId', () => {
  it.each([
    ['one record', [rec('a', 1, 0)], [['a', 1n]]],
    ['newer later', [rec('a', 1, 0), rec('a', 2, 0)], [['a', 2n]]],
    ['older later is dropped', [rec('a', 3, 0), rec('a', 2, 0)], [['a', 3n]]],
    ['ids independent', [rec('a', 3, 0), rec('b', 1, 0), rec('a', 4, 0), rec('b', 0, 0)], [['a', 4n], ['b', 1n]]],
  ])('%s', (_name, input, expected) => {
    expect(newestPerId(input).map((r) => [r.id, r.version])).toEqual(expected);
  });

  it('keeps a tombstone over the live record of the same run and version, in either order', () => {
    const live = rec('a', 1, 0, { n: 1 }, 10);
    const tomb = rec('a', 1, 0, null, 10, 'deleted');
    expect(newestPerId([live, tomb])[0]!.fields).toBeNull();
    expect(newestPerId([tomb, live])[0]!.fields).toBeNull();
  });
});

describe('planUpserts', () => {
  it('keys each write with the record\'s write decision and replaces the whole document with its content hash', () => {
    const [op] = planUpserts([rec('a', 7, 1000, { name: 'x' }, 50)], id);
    expect(op!.key).toEqual({ version: 7n, modifiedOnMs: 1000, runStartMs: 50, hash: 'h7', deleted: false });
    expect(op!.runId).toBe('r1');
    expect(op!.replacement).toMatchObject({ _id: 'a', name: 'x', _sync: { version: 7n, deleted: false, hash: 'h7', runId: 'r1' } });
    expect(Object.keys(op!.replacement)[0]).toBe('_id');
    expect((op!.replacement._sync as { modifiedon: Date }).modifiedon).toEqual(new Date(1000));
  });

  it('turns a tombstone into a soft delete that keeps the version', () => {
    const [op] = planUpserts([rec('a', 1, 0), rec('a', 9, 5, null)], id);
    expect(op!.replacement).toEqual({ _id: 'a', _sync: { runId: 'r1', version: 9n, modifiedon: new Date(5), runStart: new Date(0), hash: 'deleted', deleted: true } });
  });

  it('never lets a column named _id or _sync replace the record id or the sync metadata', () => {
    const [op] = planUpserts([rec('a', 1, 0, { _id: 'evil', _sync: { version: 99 }, name: 'x' })], id);
    expect(op!.replacement._id).toBe('a');
    expect(op!.replacement._sync).toMatchObject({ version: 1n });
    expect(Object.keys(op!.replacement)).toEqual(['_id', 'name', '_sync']);
  });
});

describe('storedKey', () => {
  it('reads a stored _sync, and a document without a hash or run start', () => {
    expect(storedKey({ version: { toString: () => '9223372036854775807' }, modifiedon: new Date(5), runStart: new Date(7), hash: 'h', deleted: true })).toEqual({ version: 9223372036854775807n, modifiedOnMs: 5, runStartMs: 7, hash: 'h', deleted: true });
    expect(storedKey({ version: 3, modifiedon: new Date(5) } as never)).toEqual({ version: 3n, modifiedOnMs: 5, runStartMs: 0, hash: '', deleted: false });
  });
});
