/**
 * Applies an upsert plan to one MongoDB collection and reports, per op, whether it was applied or stale.
 *
 * MongoDB: one unordered bulkWrite per batch of guarded upserts (the plan guarantees one op per id, so order does
 * not matter); E11000 write errors are the stale ones. The guard is atomic in the server.
 *
 * FerretDB 1.x cannot run that: it ignores `ordered:false` for updates and stops at the first failing statement
 * (stack-facts §3.3), and it pushes a filter down to SQLite only when it is exactly `{_id: <string>}` (a version
 * guard, `$in` or a range decodes the whole collection), so a guarded upsert is O(collection) per record.
 * There the writer inserts the whole chunk unordered (new ids land through the unique index), reads the stored
 * versions of the ids that already existed one `{_id}` query each, compares in the application, and replaces the
 * newer ones with one ordered `delete` command of `{_id}` statements and one insert. Every statement is indexed
 * (O(log n)) on the FerretDB that `infra/local` builds, whose `_id` lookups upstream 1.24.2 ran as full scans
 * (infra/local/ferretdb-runner/patches). No update command is sent: FerretDB 1.24 holds a connection per statement of
 * an update command until it ends, and multi-statement updates from concurrent partitions exhausted the database's
 * pool of 100 and wedged it (measured). Deletes release their read before writing.
 * Between the read and the write another writer of the same id could interleave; Kafka's one-owner-per-partition
 * makes that a zombie-consumer-only window, which real MongoDB closes and FerretDB leaves open (documented).
 * Either way every op's outcome is known before offsets are committed (Invariant 3).
 */
import { Long, MongoBulkWriteError, type Collection, type Db, type Document } from 'mongodb';
import { SyncError } from '../shared/errors.ts';
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

/** Classifies a MongoDB failure other than the expected E11000. */
export function classifyStoreError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (/MongoNetwork|MongoServerSelection|MongoTopologyClosed|PoolClear/.test(name) || /ECONNREFUSED|ECONNRESET|timed out/i.test(message)) {
    return new SyncError('STORE_UNAVAILABLE', `MongoDB is unreachable: ${message}`, { cause: err });
  }
  // FerretDB on SQLite: another writer holds the database lock (transient, not a data problem)
  if (/SQLITE_BUSY|database is locked/i.test(message)) {
    return new SyncError('STORE_UNAVAILABLE', `the store is busy (SQLite database lock held by another writer), retrying: ${message}`, { cause: err });
  }
  return new SyncError('STORE_WRITE_FAILED', `MongoDB write failed: ${message}`, { cause: err, details: { name } });
}

/** Per-id look-ups in flight at once (reads only: SQLite has one writer). */
const LOOKUPS_IN_FLIGHT = 8;

/** Statements per `delete` command (each is one indexed look-up and one SQLite commit). */
const DELETES_PER_COMMAND = 1000;

/** The stored sync metadata of the ids of `ops`, one `{_id: <string>}` query each (FerretDB's only indexed shape). */
async function storedSyncOf(coll: Collection<Document>, ops: readonly UpsertOp[]): Promise<Map<string, StoredSync | undefined>> {
  const stored = new Map<string, StoredSync | undefined>();
  const wanted = [...new Set(ops.map((op) => op.id))];
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const id = wanted[next++]!;
      const doc = await coll.findOne({ _id: id as never }, { projection: { [SYNC_FIELD]: 1 } });
      if (doc) stored.set(id, doc[SYNC_FIELD] as StoredSync | undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, wanted.length) }, worker));
  return stored;
}

/** Deletes the documents of `ids` with `{_id}` statements, which FerretDB runs through its `_id` index. */
async function deleteByIds(coll: Collection<Document>, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += DELETES_PER_COMMAND) {
    const batch = ids.slice(i, i + DELETES_PER_COMMAND);
    await coll.bulkWrite(
      batch.map((id) => ({ deleteOne: { filter: { _id: id as never } } })),
      { ordered: true },
    );
  }
}

/** FerretDB path: application-side guard built from commands FerretDB runs with its unique `_id` index. */
async function writeComparing(coll: Collection<Document>, ops: readonly UpsertOp[], depth = 0): Promise<WriteOutcome> {
  try {
    // 1. Insert everything: new ids land (checked by the unique _id index), existing ids fail one by one.
    const existing = await insertNew(coll, ops);
    if (existing.length === 0) return { applied: ops.length, stale: 0 };
    // 2. Read the stored versions of the existing ids, compared in the application.
    const stored = await storedSyncOf(coll, existing);
    const newer = existing.filter((op) => {
      const sync = stored.get(op.id);
      return !sync || compareVersions(op.version, storedVersion(sync)) > 0;
    });
    // 3. Replace the newer ones: delete then insert (about 1 ms per id for the deletes, one transaction for the
    //    insert). A crash in between is repaired by the replay of the chunk, whose offsets are not committed yet;
    //    an id re-inserted meanwhile is compared again.
    let applied = ops.length - existing.length;
    if (newer.length > 0) {
      await deleteByIds(coll, newer.map((op) => op.id));
      const raced = await insertNew(coll, newer);
      applied += newer.length - raced.length;
      if (raced.length > 0 && depth < 3) applied += (await writeComparing(coll, raced, depth + 1)).applied;
    }
    return { applied, stale: ops.length - applied };
  } catch (err) {
    throw classifyStoreError(err);
  }
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
