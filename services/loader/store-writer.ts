/**
 * Applies an upsert plan to one MongoDB collection and reports, per op, whether it was applied or stale.
 *
 * MongoDB: one unordered bulkWrite per batch of guarded upserts (the plan guarantees one op per id, so order does
 * not matter); E11000 write errors are the stale ones. The guard is atomic in the server.
 *
 * FerretDB 1.x cannot run that: it ignores `ordered:false` for updates and stops at the first failing statement
 * (stack-facts §3.3), and it pushes to SQLite only `{_id: <string>}` and, on the FerretDB that `infra/local` builds,
 * `{_id: {$in: [<string>...]}}` (infra/local/ferretdb-runner/patches); a version guard decodes the whole collection,
 * so a guarded upsert is O(collection) per record. There the writer reads the stored versions of the chunk's ids
 * with one indexed `$in` query, compares in the application, deletes the stored documents that are older with one
 * indexed `$in` delete, and inserts the new and newer documents unordered (an id inserted meanwhile by another
 * writer fails with E11000 and is compared again). No update command is sent: FerretDB 1.24 holds a connection per
 * statement of an update command until it ends, and multi-statement updates from concurrent partitions exhausted
 * the database's pool of 100 and wedged it (measured).
 * Between the read and the write another writer of the same id could interleave; Kafka's one-owner-per-partition
 * makes that a zombie-consumer-only window, which real MongoDB closes and FerretDB leaves open (documented).
 * Either way every op's outcome is known before offsets are committed (Invariant 3).
 */
import { Long, MongoBulkWriteError, type Collection, type Db, type Document } from 'mongodb';
import { classifyStoreError } from '../shared/store-errors.ts';
import { SYNC_FIELD, storedVersion, type StoredSync, type UpsertOp } from './core/upsert-plan.ts';
import { compareVersions } from './core/version.ts';

/** What a write did. */
export interface WriteOutcome {
  applied: number;
  stale: number;
}

/** Converts a record version to the BSON type stored (int64). */
export const toLong = (n: bigint): Long => Long.fromBigInt(n);

const DUPLICATE_KEY = 11000;

/** What the store can do, probed once at start. */
export interface StoreProfile {
  /** FerretDB 1.x: bulk updates stop at the first failure, so each upsert is its own command. */
  perCommandWrites: boolean;
  /** FerretDB 1.x has no Decimal128 (a Decimal128 value closes the connection): store exact decimal text. */
  decimals: 'decimal128' | 'string';
  server: string;
}

/** Probes the store behind `db` (FerretDB's buildInfo carries `ferretdbVersion`). */
export async function probeStore(db: Db): Promise<StoreProfile> {
  const info = await db.admin().command({ buildInfo: 1 });
  if ('ferretdbVersion' in info) return { perCommandWrites: true, decimals: 'string', server: `FerretDB ${String(info.ferretdbVersion)}` };
  return { perCommandWrites: false, decimals: 'decimal128', server: `MongoDB ${String(info.version)}` };
}

/** Ids per `$in` read or delete (each is one SQL statement with one parameter per id). */
const IDS_PER_COMMAND = 5000;

/** The ids of `ops` in slices of {@link IDS_PER_COMMAND}. */
function idSlices(ops: readonly UpsertOp[]): string[][] {
  const ids = [...new Set(ops.map((op) => op.id))];
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_COMMAND) out.push(ids.slice(i, i + IDS_PER_COMMAND));
  return out;
}

/** The stored sync metadata of the ids of `ops` that exist (a document without `_sync` maps to undefined). */
async function storedSyncOf(coll: Collection<Document>, ops: readonly UpsertOp[]): Promise<Map<string, StoredSync | undefined>> {
  const stored = new Map<string, StoredSync | undefined>();
  for (const ids of idSlices(ops)) {
    for await (const doc of coll.find({ _id: { $in: ids as never[] } }, { projection: { [SYNC_FIELD]: 1 } })) {
      stored.set(String(doc._id), doc[SYNC_FIELD] as StoredSync | undefined);
    }
  }
  return stored;
}

/** FerretDB path: application-side guard built from `$in` reads and deletes that FerretDB runs through its `_id` index. */
async function writeComparing(coll: Collection<Document>, ops: readonly UpsertOp[], depth = 0): Promise<WriteOutcome> {
  try {
    // 1. Read the stored versions, compared in the application: new ids and newer versions are written.
    const stored = await storedSyncOf(coll, ops);
    const writes = ops.filter((op) => !stored.has(op.id) || isNewer(op, stored.get(op.id)));
    const newer = writes.filter((op) => stored.has(op.id));
    // 2. Delete the older stored documents, then insert. A crash in between is repaired by the replay of the
    //    chunk, whose offsets are not committed yet; an id inserted meanwhile fails with E11000 and is compared again.
    for (const ids of idSlices(newer)) await coll.deleteMany({ _id: { $in: ids as never[] } });
    const raced = writes.length > 0 ? await insertNew(coll, writes) : [];
    let applied = writes.length - raced.length;
    if (raced.length > 0 && depth < 3) applied += (await writeComparing(coll, raced, depth + 1)).applied;
    return { applied, stale: ops.length - applied };
  } catch (err) {
    throw classifyStoreError(err);
  }
}

/** Whether `op` beats the stored metadata (a stored document without `_sync` is always replaced). */
function isNewer(op: UpsertOp, sync: StoredSync | undefined): boolean {
  return !sync || compareVersions(op.version, storedVersion(sync)) > 0;
}

/**
 * The op indexes a bulk write rejected as duplicate `_id`s, or undefined when the failure is anything else. A
 * connection lost mid-command also rejects with a MongoBulkWriteError whose writeErrors is empty: that is an outage
 * (retried), never "all duplicates" (which would commit offsets of records not written).
 */
function duplicateIndexes(err: unknown): number[] | undefined {
  if (!(err instanceof MongoBulkWriteError)) return undefined;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  if (errors.length === 0 || !errors.every((e) => e.code === DUPLICATE_KEY)) return undefined;
  return errors.map((e) => e.index);
}

/** Inserts the ops' documents unordered; returns the ops whose id already existed. */
async function insertNew(coll: Collection<Document>, ops: readonly UpsertOp[]): Promise<UpsertOp[]> {
  try {
    await coll.insertMany(ops.map((op) => op.replacement), { ordered: false });
    return [];
  } catch (err) {
    const duplicates = duplicateIndexes(err);
    if (!duplicates) throw err;
    return duplicates.map((i) => ops[i]!);
  }
}

/** Writes guarded upserts into one collection. */
export interface StoreWriter {
  write(ops: readonly UpsertOp[]): Promise<WriteOutcome>;
}

/**
 * Creates a writer for `coll`. `perCommand` (FerretDB) compares versions in the application (see above);
 * otherwise one unordered bulkWrite of guarded upserts per call.
 */
export function createStoreWriter(coll: Collection<Document>, opts: { perCommand: boolean }): StoreWriter {
  // FerretDB: one write at a time per collection in this process (partitions of a table load concurrently, and
  // SQLite has one writer: concurrent writes fail with `database is locked`)
  let turn: Promise<unknown> = Promise.resolve();
  return {
    async write(ops) {
      if (ops.length === 0) return { applied: 0, stale: 0 };
      if (opts.perCommand) {
        const mine = turn.then(() => writeComparing(coll, ops));
        turn = mine.catch(() => undefined);
        return mine;
      }
      try {
        const res = await coll.bulkWrite(
          ops.map((op) => ({ replaceOne: { filter: op.filter, replacement: op.replacement, upsert: true } })),
          { ordered: false },
        );
        const applied = res.matchedCount + res.upsertedCount;
        return { applied, stale: ops.length - applied };
      } catch (err) {
        const duplicates = duplicateIndexes(err);
        if (duplicates) return { applied: ops.length - duplicates.length, stale: duplicates.length };
        throw classifyStoreError(err);
      }
    },
  };
}
