/**
 * The nightly full refresh on the real servers (issue #18): with nothing changed at the source it writes no document
 * (every stored document stays byte for byte the same, `_sync` included); rows changed at the source (a new version,
 * a column added) are written and nothing else is; rows deleted in a table without change tracking are tombstoned by
 * the refresh's id-set reconciliation, and nothing else is.
 */
import { serialize } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import { matches, startSyncSession, type SyncSession } from '../support/sync-session.ts';

const TRACKED = 'account';
const UNTRACKED = 'new_importlog'; // change tracking disabled: deletes are found by the full run's reconciliation
const TABLES = [TRACKED, UNTRACKED];
const ROWS = 300;

/** Every stored document of `table`, as BSON bytes by id. */
async function snapshot(s: SyncSession, table: string): Promise<Map<string, Buffer>> {
  const docs = await s.data.collection<Document>(table).find().sort({ _id: 1 }).toArray();
  return new Map(docs.map((d) => [String(d._id), Buffer.from(serialize(d))]));
}

/** The ids whose bytes differ between two snapshots (or exist in one only). */
function changedIds(before: Map<string, Buffer>, after: Map<string, Buffer>): string[] {
  const ids = new Set([...before.keys(), ...after.keys()]);
  return [...ids].filter((id) => !before.get(id)?.equals(after.get(id) ?? Buffer.alloc(0))).sort();
}

/** Ids of the live rows of `table` with a lookup (`_x_value`) to one of `targets` (the simulator's truth). */
async function referencing(s: SyncSession, table: string, targets: readonly string[]): Promise<string[]> {
  const wanted = new Set(targets);
  return (await s.truthRows(table)).filter((r) => !wanted.has(String(r[`${table}id`])) && Object.entries(r).some(([k, v]) => /^_.+_value$/.test(k) && wanted.has(String(v)))).map((r) => String(r[`${table}id`]));
}

describe('the full refresh writes only what changed', { timeout: 600_000 }, () => {
  let s: SyncSession;
  let ids: Record<string, readonly string[]>;

  beforeAll(async () => {
    // newest base row an hour ago: every row is older than the coordinator's safety lag (60 s) from the first run on
    s = await startSyncSession({ tables: TABLES, simulator: { rows: ROWS, anchor: Date.now() - 3_600_000 } });
    const first = await s.run('full');
    expect(first.records).toBeGreaterThanOrEqual(2 * ROWS);
    ids = Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, [...(await snapshot(s, t)).keys()]] as const)));
  }, 600_000);
  afterAll(async () => {
    await s?.close();
  });

  it('with no change at the source writes no document: every one stays byte-identical, and the run counts them unchanged', async () => {
    const before = await Promise.all(TABLES.map((t) => snapshot(s, t)));
    const refresh = await s.run('full');
    const after = await Promise.all(TABLES.map((t) => snapshot(s, t)));
    TABLES.forEach((t, i) => expect(changedIds(before[i]!, after[i]!), t).toEqual([]));
    const loads = await s.loads(refresh.runId);
    for (const t of TABLES) expect(loads[t], t).toMatchObject({ written: 0, deleted: 0, dead: 0, unchanged: before[TABLES.indexOf(t)]!.size });
    expect(refresh.tombstones).toBe(0);
    expect((await s.runDoc(refresh.runId))?.reconcile).toBe('done');
  });

  it('writes the rows changed at the source (new version; a column added) and nothing else', async () => {
    const before = await Promise.all(TABLES.map((t) => snapshot(s, t)));
    const updated = ids[TRACKED]!.slice(10, 15);
    for (const id of updated) await s.control('PATCH', `/tables/${TRACKED}/rows/${id}`, { values: { name: `refresh ${id.slice(0, 8)}` } });
    // a column added to the untracked table: every row has the same version and other content (the new column)
    await s.control('POST', `/tables/${UNTRACKED}/columns`, { logicalName: 'new_refreshcheck', kind: 'Decimal', precision: 4 });
    await s.control('POST', '/clock', { shiftSeconds: 120 }); // the updates fall before the next run's T0 (now − safety lag)
    // rows whose lookup names a renamed account: same version, other content (the lookup's name)
    const renamedParent = await referencing(s, TRACKED, updated);
    expect(renamedParent.length, 'the seeded data has child accounts of the renamed ones').toBeGreaterThan(0);
    const refresh = await s.run('full');
    const after = await Promise.all(TABLES.map((t) => snapshot(s, t)));
    expect(changedIds(before[0]!, after[0]!)).toEqual([...updated, ...renamedParent].sort());
    for (const id of renamedParent) expect(after[0]!.get(id)).not.toEqual(before[0]!.get(id));
    expect(changedIds(before[1]!, after[1]!)).toEqual([...ids[UNTRACKED]!].sort());
    const loads = await s.loads(refresh.runId);
    const written = updated.length + renamedParent.length;
    expect(loads[TRACKED]).toMatchObject({ written, deleted: 0, unchanged: before[0]!.size - written });
    expect(loads[UNTRACKED]).toMatchObject({ written: before[1]!.size, deleted: 0, unchanged: 0 });
    const widened = await s.data.collection(UNTRACKED).findOne({ _id: ids[UNTRACKED]![0] as never });
    expect(widened).toHaveProperty('new_refreshcheck');
    expect(widened?._sync.runStart).toEqual(refresh.runStart);
    expect((await s.verify()).filter((v) => !matches(v))).toEqual([]);
  });

  it('tombstones the rows deleted in a table without change tracking, and nothing else', async () => {
    const before = await Promise.all(TABLES.map((t) => snapshot(s, t)));
    const deleted = ids[UNTRACKED]!.slice(20, 24);
    for (const id of deleted) await s.control('DELETE', `/tables/${UNTRACKED}/rows/${id}`);
    const refresh = await s.run('full');
    const after = await Promise.all(TABLES.map((t) => snapshot(s, t)));
    expect(changedIds(before[0]!, after[0]!)).toEqual([]);
    expect(changedIds(before[1]!, after[1]!)).toEqual([...deleted].sort());
    const doc = await s.runDoc(refresh.runId);
    expect(doc).toMatchObject({ reconcile: 'done', tombstones: { [UNTRACKED]: deleted.length, [TRACKED]: 0 } });
    for (const id of deleted) expect(await s.data.collection(UNTRACKED).findOne({ _id: id as never })).toMatchObject({ _sync: { deleted: true } });
    expect((await s.loads(refresh.runId))[UNTRACKED]).toMatchObject({ written: 0, deleted: deleted.length });
    expect((await s.verify()).filter((v) => !matches(v))).toEqual([]);
  });
});
