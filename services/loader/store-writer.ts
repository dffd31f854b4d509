/**
 * Applies an upsert plan to one MongoDB collection, per batch of at most {@link MAX_WRITE_BATCH} ops: reads the
 * stored `_sync` of the batch's ids (one `_id $in` query), decides each record against it (core/write-decision.ts:
 * new, newer, changed, unchanged, older), and writes only the winners: records of ids without a document as one
 * unordered `insertMany`, the others as one unordered bulkWrite of guarded `replaceOne` upserts. The guard is the same decision as a server-side filter (Invariant 4): a record that lost a
 * race to another writer between the read and the write matches nothing, collides on `_id` (E11000) and is counted
 * older. Unchanged records are not written at all. Every op's outcome is known before offsets are committed
 * (Invariant 3).
 */
import { Long, MongoBulkWriteError, type Collection, type Db, type Document } from 'mongodb';
import { SyncError } from '../shared/errors.ts';
import { classifyStoreError } from '../shared/store-errors.ts';
import { SYNC, SYNC_FIELD, type StoredSync } from '../contracts/stored-document.ts';
import { storedKey, type UpsertOp } from './core/upsert-plan.ts';
import { decideWrite, guardFilter, WRITTEN, type WriteKey } from './core/write-decision.ts';

/** What a write did, per record (`older` also counts records superseded by a newer one of the same batch). */
export interface WriteCounts {
  /** Written: new, newer, or the same version with other content. */
  written: number;
  /** Tombstones written (soft deletes). */
  deleted: number;
  /** Not written: the stored document has the same version and content. */
  unchanged: number;
  /** Not written: the stored document is newer (a replay, a zombie, a race lost). */
  older: number;
}

/** Converts a record version to the BSON type stored (int64). */
export const toLong = (n: bigint): Long => Long.fromBigInt(n);

const DUPLICATE_KEY = 11000;

/**
 * The most operations one bulk write carries. DocumentDB (FerretDB 2) refuses a batch of more than 25,000 operations
 * whole although `hello` advertises 100,000, and the driver splits only at the advertised size; MongoDB takes it.
 */
export const MAX_WRITE_BATCH = 25_000;

/** The store's server, probed once at start. */
export interface StoreProfile {
  server: string;
}

/**
 * Probes the store behind `db`. FerretDB 1.x (its buildInfo carries `ferretdbVersion`) is refused: it has no
 * Decimal128 and breaks unordered bulk updates, which the loader relies on.
 */
export async function probeStore(db: Db): Promise<StoreProfile> {
  const info = await db.admin().command({ buildInfo: 1 });
  if ('ferretdbVersion' in info) {
    throw new SyncError(
      'CONFIG_INVALID',
      `MONGODB_URI points at FerretDB ${String(info.ferretdbVersion)}, which lacks Decimal128 and unordered bulk updates: use MongoDB 6+ or FerretDB 2 on DocumentDB (npm run infra:up starts one)`,
    );
  }
  const ferret = (info as { ferretdb?: { version?: unknown } }).ferretdb;
  return { server: ferret ? `FerretDB ${String(ferret.version)} (MongoDB ${String(info.version)} API)` : `MongoDB ${String(info.version)}` };
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

/** The decision keys of the stored documents among `ids`. */
async function storedKeys(coll: Collection<Document>, ids: readonly string[]): Promise<Map<string, WriteKey>> {
  const keys = new Map<string, WriteKey>();
  const projection = { [SYNC.version]: 1, [SYNC.modifiedon]: 1, [SYNC.runStart]: 1, [SYNC.hash]: 1, [SYNC.deleted]: 1 };
  for await (const doc of coll.find({ _id: { $in: ids as never[] } }, { projection, batchSize: ids.length + 1 })) {
    const sync = doc[SYNC_FIELD] as StoredSync | undefined;
    // a document without usable sync metadata is replaced by any record
    if (sync?.version !== undefined && sync.modifiedon instanceof Date) keys.set(String(doc._id), storedKey(sync));
  }
  return keys;
}

/** Sends the winning ops as one unordered bulk of guarded upserts; returns the indexes of those that lost a race (E11000). */
async function sendGuarded(coll: Collection<Document>, ops: readonly UpsertOp[]): Promise<number[]> {
  if (ops.length === 0) return [];
  try {
    await coll.bulkWrite(
      ops.map((op) => ({ replaceOne: { filter: guardFilter(op.id, op.key, toLong), replacement: op.replacement, upsert: true } })),
      { ordered: false },
    );
    return [];
  } catch (err) {
    const duplicates = duplicateIndexes(err);
    if (duplicates) return duplicates;
    throw classifyStoreError(err);
  }
}

/** The outcomes a write counts. */
export const WRITE_OUTCOMES = ['written', 'deleted', 'unchanged', 'older'] as const;

/** Counts per run id. */
export type CountsByRun = Map<string, WriteCounts>;

/** Adds one outcome of run `runId` to `counts`. */
export function countOutcome(counts: CountsByRun, runId: string, outcome: keyof WriteCounts, n = 1): void {
  let c = counts.get(runId);
  if (!c) counts.set(runId, (c = { written: 0, deleted: 0, unchanged: 0, older: 0 }));
  c[outcome] += n;
}

/** The sum over every run. */
export function totalCounts(counts: CountsByRun): WriteCounts {
  const t: WriteCounts = { written: 0, deleted: 0, unchanged: 0, older: 0 };
  for (const c of counts.values()) for (const k of WRITE_OUTCOMES) t[k] += c[k];
  return t;
}

/**
 * Inserts the ops of ids that had no document (unordered `insertMany`, several times cheaper than guarded upserts on
 * DocumentDB); returns the ops whose id was inserted meanwhile by another writer (E11000), for the guarded path.
 */
async function insertNew(coll: Collection<Document>, ops: readonly UpsertOp[]): Promise<UpsertOp[]> {
  if (ops.length === 0) return [];
  try {
    await coll.insertMany(ops.map((op) => op.replacement), { ordered: false });
    return [];
  } catch (err) {
    const duplicates = duplicateIndexes(err);
    if (duplicates) return duplicates.map((i) => ops[i]!);
    throw classifyStoreError(err);
  }
}

/** Decides and writes one batch (≤ MAX_WRITE_BATCH ops) into `counts`. */
async function writeBatch(coll: Collection<Document>, ops: readonly UpsertOp[], counts: CountsByRun): Promise<void> {
  let stored: Map<string, WriteKey>;
  try {
    stored = await storedKeys(coll, ops.map((op) => op.id));
  } catch (err) {
    throw classifyStoreError(err);
  }
  const fresh: UpsertOp[] = [];
  const over: UpsertOp[] = [];
  for (const op of ops) {
    const outcome = decideWrite(op.key, stored.get(op.id));
    if (outcome === 'new') fresh.push(op);
    else if (WRITTEN.has(outcome)) over.push(op);
    else countOutcome(counts, op.runId, outcome === 'unchanged' ? 'unchanged' : 'older');
  }
  // an id inserted by another writer since the read goes through the guard like any other (Invariant 4)
  const raced = await insertNew(coll, fresh);
  const guarded = [...over, ...raced];
  const lost = new Set(await sendGuarded(coll, guarded));
  const racedSet = new Set(raced);
  const wrote = (op: UpsertOp) => countOutcome(counts, op.runId, op.key.deleted ? 'deleted' : 'written');
  for (const op of fresh) if (!racedSet.has(op)) wrote(op);
  guarded.forEach((op, i) => (lost.has(i) ? countOutcome(counts, op.runId, 'older') : wrote(op)));
}

/** Writes guarded upserts into one collection. */
export interface StoreWriter {
  /** Writes what wins of `ops`; resolves with the outcome counts per run. */
  write(ops: readonly UpsertOp[]): Promise<CountsByRun>;
}

/** Creates the writer of `coll`. */
export function createStoreWriter(coll: Collection<Document>): StoreWriter {
  return {
    async write(ops) {
      const counts: CountsByRun = new Map();
      for (let i = 0; i < ops.length; i += MAX_WRITE_BATCH) await writeBatch(coll, ops.slice(i, i + MAX_WRITE_BATCH), counts);
      return counts;
    },
  };
}
