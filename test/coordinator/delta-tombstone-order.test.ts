import { describe, expect, it } from 'vitest';
import type { SyncTask } from '../../services/contracts/control-messages.ts';
import { decodeRecordHeaders } from '../../services/contracts/record-headers.ts';
import { tombstoneRecord } from '../../services/contracts/tombstone.ts';
import { planUpserts } from '../../services/loader/core/upsert-plan.ts';
import { decideWrite } from '../../services/loader/core/write-decision.ts';
import { deleteHeaders } from '../../services/extractor/core/delta-changes.ts';

// Pure, but across services (the extractor's delete tombstones against the loader's version order), hence here.
const ID = '2e451703-c686-e711-80e5-00155db19e6d';

describe('delete tombstones and the loader order (Invariant 4)', () => {
  const T0 = Date.UTC(2026, 5, 1, 12);
  const task = { taskId: 'r2/account/delta', runId: 'r2', connection: 'c', table: 'account', kind: 'incremental', runStart: new Date(T0), from: new Date(0), to: new Date(T0), attempt: 0, depth: 0, parentTaskId: null, delta: { link: 'x' } } satisfies SyncTask;
  const token = { version: 1_000n, issuedMs: T0 + 5_000 };
  const tomb = decodeRecordHeaders(tombstoneRecord(ID, deleteHeaders(task, token)).headers);

  it('carries the standard headers with the new token as version', () => {
    expect(tomb).toEqual({ runId: 'r2', taskId: 'r2/account/delta', syncKind: 'incremental', runStartMs: T0, modifiedOnMs: T0 + 5_000, version: 1_000n });
  });

  const tombKey = { ...tomb, hash: 'deleted', deleted: true };
  it.each([
    ['an upsert read before the delete, same run', { version: 990n, modifiedOnMs: T0 - 1_000, runStartMs: T0 }, 'newer'],
    ['a replay of an older run', { version: 900n, modifiedOnMs: T0 - 86_400_000, runStartMs: T0 - 86_400_000 }, 'newer'],
    ['a later restore of the record (new versionnumber)', { version: 1_001n, modifiedOnMs: T0 + 60_000, runStartMs: T0 + 60_000 }, 'older'],
  ])('over %s the tombstone is %s', (_n, other, outcome) => expect(decideWrite(tombKey, { ...other, hash: 'h', deleted: false })).toBe(outcome));

  it('wins within one loader batch over an older upsert of the same id, whatever the order', () => {
    const upsert = { id: ID, fields: { name: 'x' }, meta: {}, version: 990n, modifiedOnMs: T0 - 1_000, runStartMs: T0, hash: 'h' };
    const del = { id: ID, fields: null, meta: {}, ...tomb, hash: 'deleted' };
    for (const batch of [[upsert, del], [del, upsert]]) {
      const [op] = planUpserts(batch, (n) => n);
      expect(op!.replacement).toMatchObject({ _sync: { deleted: true, version: 1_000n } });
    }
  });
});
