import { describe, expect, it } from 'vitest';
import { decideWrite, guardFilter, type WriteKey } from './write-decision.ts';

const key = (version: number, modifiedOnMs: number, runStartMs: number, hash = 'h1', deleted = false): WriteKey => ({ version: BigInt(version), modifiedOnMs, runStartMs, hash, deleted });

describe('decideWrite', () => {
  it.each<[string, WriteKey, WriteKey | undefined, string]>([
    ['no stored document', key(1, 1, 1), undefined, 'new'],
    ['a newer versionnumber', key(2, 1, 1), key(1, 1, 1), 'newer'],
    ['a newer versionnumber with an older modifiedon (backdated)', key(5, 100, 1), key(4, 900, 1), 'newer'],
    ['an older versionnumber', key(1, 9, 9), key(2, 1, 1), 'older'],
    ['same version, newer modifiedon', key(1, 2, 1), key(1, 1, 1), 'newer'],
    ['same version, older modifiedon', key(1, 1, 1), key(1, 2, 1), 'older'],
    ['a later run reads the same content (full refresh)', key(1, 1, 20), key(1, 1, 10), 'unchanged'],
    ['the same run reads it again (a replay)', key(1, 1, 10), key(1, 1, 10), 'unchanged'],
    ['a later run reads other content at the same version (a column added)', key(1, 1, 20, 'h2'), key(1, 1, 10), 'changed'],
    ['an older run replays other content at the same version', key(1, 1, 10, 'h2'), key(1, 1, 20), 'older'],
    ['an older run replays the same content', key(1, 1, 10), key(1, 1, 20), 'older'],
    ['a reconciliation tombstone of a later run', key(1, 1, 20, 'deleted', true), key(1, 1, 10), 'changed'],
    ['a tombstone of the same run over the live document', key(1, 1, 10, 'deleted', true), key(1, 1, 10), 'changed'],
    ['the live record of the same run over its tombstone (never resurrects)', key(1, 1, 10), key(1, 1, 10, 'deleted', true), 'older'],
    ['the live record of an older run over a tombstone', key(1, 1, 5), key(1, 1, 10, 'deleted', true), 'older'],
    ['a tombstone replayed over the same tombstone', key(1, 1, 10, 'deleted', true), key(1, 1, 10, 'deleted', true), 'unchanged'],
    ['a document written before content hashes, read by a later run', key(1, 1, 20), key(1, 1, 10, ''), 'changed'],
  ])('%s → %s', (_name, incoming, stored, expected) => {
    expect(decideWrite(incoming, stored)).toBe(expected);
  });
});

/** Evaluates the guard filter in memory against a stored key (the operators it uses: $or, $lt, $ne, equality). */
function matches(filter: Record<string, unknown>, s: WriteKey): boolean {
  const value: Record<string, unknown> = { '_sync.version': s.version, '_sync.modifiedon': s.modifiedOnMs, '_sync.runStart': s.runStartMs, '_sync.hash': s.hash, '_sync.deleted': s.deleted };
  const norm = (v: unknown) => (v instanceof Date ? v.getTime() : v);
  const test = (cond: Record<string, unknown>): boolean =>
    Object.entries(cond).every(([path, c]) => {
      const actual = value[path];
      if (c && typeof c === 'object' && !(c instanceof Date)) {
        const op = c as Record<string, unknown>;
        if ('$lt' in op) return (actual as number | bigint) < (norm(op.$lt) as number | bigint);
        if ('$ne' in op) return actual !== op.$ne;
      }
      return actual === norm(c);
    });
  return (filter.$or as Record<string, unknown>[]).some(test);
}

describe('guardFilter', () => {
  const keys = [key(1, 1, 10), key(1, 1, 20), key(1, 2, 10), key(2, 1, 10), key(1, 1, 10, 'h2'), key(1, 1, 20, 'h2'), key(1, 1, 10, 'deleted', true), key(1, 1, 20, 'deleted', true), key(1, 1, 10, '')];
  it('matches the stored document exactly when decideWrite writes over it (every pair of keys)', () => {
    for (const incoming of keys) {
      for (const stored of keys) {
        const writes = ['newer', 'changed'].includes(decideWrite(incoming, stored));
        expect(matches(guardFilter('x', incoming, (n) => n), stored), `${JSON.stringify(incoming, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))} over ${JSON.stringify(stored, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}`).toBe(writes);
      }
    }
  });
});
